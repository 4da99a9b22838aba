/**
 * The MuJoCo physics engine, as Google DeepMind's official WebAssembly build (`@mujoco/mujoco`, pinned to
 * 3.14.0: the version of the `mujoco` Python wheel that Gymnasium 1.3.0 runs on here, so that transitions
 * can be compared one by one). Loading it compiles about 10 MB of WebAssembly (a quarter of a second), so
 * it is loaded once per process, and only when a MuJoCo task is asked for.
 *
 * @module
 */
import loadMujoco, { type MainModule } from "@mujoco/mujoco";

/** The loaded engine: its functions (`mj_step`, …) and classes (`MjModel`, `MjData`). */
export type Mujoco = MainModule;

let loading: Promise<Mujoco> | undefined;
let loaded: Mujoco | undefined;

/**
 * The engine, loaded on the first call (later calls share it).
 *
 * @returns the engine
 */
export function loadMujocoEngine(): Promise<Mujoco> {
  loading ??= loadMujoco().then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/**
 * The engine if {@link loadMujocoEngine} has finished loading it.
 *
 * @returns the engine, or `undefined`
 */
export function mujocoEngine(): Mujoco | undefined {
  return loaded;
}
