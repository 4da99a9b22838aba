/**
 * Every environment the command line can name: the pure ones of `src/envs/registry.ts`, opened as
 * sessions; those built on the planck engine (`box2d/`), whose world lives inside the session; and the
 * MuJoCo tasks (`mujoco/`), pure environments over MuJoCo's integration state whose engine is loaded on
 * demand: `await prepareEnv(id)` before `openEnv(id)`.
 *
 * @module
 */
import { ENV_IDS, makeEnv } from "./registry.ts";
import { type EnvSource, pureSource } from "./session.ts";
import type { EnvSpec } from "./env.ts";
import { bipedalWalker } from "./box2d/bipedal_walker.ts";
import { lunarLanderContinuous } from "./box2d/lunar_lander.ts";
import { loadMujocoEngine, mujocoEngine } from "./mujoco/engine.ts";
import { mujocoEnv } from "./mujoco/mujoco_env.ts";
import { MUJOCO_TASKS, mujocoTask } from "./mujoco/tasks.ts";

/** Ids of the environments that run on a physics engine (their state lives in the engine). */
export const ENGINE_ENV_IDS: readonly string[] = ["LunarLanderContinuous-v3", "BipedalWalker-v3"];

/** Ids of the MuJoCo tasks. */
export const MUJOCO_ENV_IDS: readonly string[] = MUJOCO_TASKS.map((t) => t.id);

/** Every environment id the runtime can open. */
export const ALL_ENV_IDS: readonly string[] = [...ENV_IDS, ...ENGINE_ENV_IDS, ...MUJOCO_ENV_IDS];

/** One environment per MuJoCo task and process: its model and data live as long as the process. */
const mujocoSources = new Map<string, EnvSource>();

/**
 * Load what opening an environment needs (the MuJoCo engine for a MuJoCo task; nothing otherwise).
 *
 * @param id an environment id
 */
export async function prepareEnv(id: string): Promise<void> {
  if (mujocoTask(id) !== undefined) await loadMujocoEngine();
}

/**
 * Open an environment by id.
 *
 * @param id a registered id
 * @returns its session source
 * @throws {RangeError} `unknown environment "X" (known: ...)` for an unknown id
 * @throws Error for a MuJoCo task before {@link prepareEnv} loaded the engine
 */
export function openEnv(id: string): EnvSource {
  if ((ENV_IDS as readonly string[]).includes(id)) return pureSource(makeEnv(id));
  if (id === "LunarLanderContinuous-v3") return lunarLanderContinuous();
  if (id === "BipedalWalker-v3") return bipedalWalker();
  const task = mujocoTask(id);
  if (task !== undefined) {
    const mj = mujocoEngine();
    if (mj === undefined) throw new Error(`${id} needs the MuJoCo engine: await prepareEnv("${id}") first`);
    let source = mujocoSources.get(id);
    if (source === undefined) {
      source = pureSource(mujocoEnv(mj, task));
      mujocoSources.set(id, source);
    }
    return source;
  }
  throw new RangeError(`unknown environment ${JSON.stringify(id)} (known: ${ALL_ENV_IDS.join(", ")})`);
}

/**
 * An environment's spaces without opening it (no engine is loaded).
 *
 * @param id a registered id
 * @returns its spec
 * @throws {RangeError} for an unknown id
 */
export function envSpec(id: string): EnvSpec {
  const task = mujocoTask(id);
  if (task === undefined) return openEnv(id);
  return {
    id,
    observationSize: task.observationSize,
    actionSize: task.actionLow.length,
    actionLow: task.actionLow,
    actionHigh: task.actionHigh,
    maxEpisodeSteps: task.maxEpisodeSteps,
  };
}
