/**
 * A MuJoCo task as a pure environment: its state record holds MuJoCo's whole integration state (what
 * `mj_getState` with `mjSTATE_INTEGRATION` holds: time, positions, velocities, actuator activations, the
 * solver's warm start, controls and applied forces), the task's carried values and the episode's step
 * count. `step(state, action)` loads the record into the engine, applies the action for `frameSkip` physics
 * steps, calls `mj_rnePostConstraint` where contact forces are observed, and reads the next record back, so
 * it is a function of the record alone: a checkpoint that stores the record continues bit for bit.
 *
 * The engine's memory (one `MjModel` and one `MjData` per environment) belongs to the environment object,
 * made by the runtime when a run opens the task, and is freed by `dispose()`. Loading a record is skipped
 * when it is the one the last step returned (the data already holds it), which is the training loop's
 * case; any other record is loaded in full.
 *
 * Each episode starts from `mj_resetData`, then the task's noisy positions and velocities, then
 * `mj_forward`, as Gymnasium's `reset` does; the noise is drawn from the reset key.
 *
 * @module
 */
import type { Key } from "../../core/rng.ts";
import type { Env, ResetResult, StepResult } from "../env.ts";
import type { Mujoco } from "./engine.ts";
import type { MujocoConstants, MujocoFrame, MujocoTask } from "./task.ts";

/** The state of a MuJoCo episode: a plain JSON record. */
export interface MujocoState {
  /** MuJoCo's integration state (`mj_getState(…, mjSTATE_INTEGRATION)`). */
  readonly physics: readonly number[];
  /** The task's values carried from the last forward pass (see `MujocoTask.carry`). */
  readonly carry: readonly number[];
  /** Steps taken in the episode. */
  readonly steps: number;
}

/** A MuJoCo task as an environment, holding the engine's model and data until `dispose()`. */
export interface MujocoEnv extends Env<MujocoState> {
  /** The task it runs. */
  readonly task: MujocoTask;
  /** Free the engine's model and data; the environment cannot step afterwards. */
  dispose(): void;
}

/**
 * The environment of a task on a loaded engine.
 *
 * @param mj the engine (`loadMujocoEngine()`)
 * @param task the task
 * @returns the environment
 * @throws Error when the model does not compile or its sizes do not fit the task
 */
export function mujocoEnv(mj: Mujoco, task: MujocoTask): MujocoEnv {
  const model = mj.MjModel.from_xml_string(task.xml);
  if (model.nu !== task.actionLow.length) {
    model.delete();
    throw new Error(`${task.id}: the model has ${model.nu} actuators, the task ${task.actionLow.length}`);
  }
  const data = new mj.MjData(model);
  const spec = mj.mjtState.mjSTATE_INTEGRATION.value;
  const size = mj.mj_stateSize(model, spec);
  // mj_getState writes into engine memory: a DoubleBuffer (a JavaScript array passed in would be a copy).
  const out = new mj.DoubleBuffer(size);
  const frame = data as unknown as MujocoFrame;
  const constants: MujocoConstants = { body_mass: Float64Array.from(model.body_mass as Float64Array) };
  const init = { qpos: Float64Array.from(data.qpos as Float64Array), qvel: new Float64Array(model.nv) };
  let last: MujocoState | undefined;
  let disposed = false;

  const check = () => {
    if (disposed) throw new Error(`${task.id}: the environment was disposed`);
  };
  const record = (steps: number): MujocoState => {
    mj.mj_getState(model, data, out, spec);
    const physics = Array.from(out.GetView() as Float64Array);
    const next = { physics, carry: task.carry?.(frame, constants) ?? [], steps };
    last = next;
    return next;
  };
  const observe = () => Float32Array.from(task.observe(frame, constants));

  return {
    id: task.id,
    observationSize: task.observationSize,
    actionSize: task.actionLow.length,
    actionLow: task.actionLow,
    actionHigh: task.actionHigh,
    maxEpisodeSteps: task.maxEpisodeSteps,
    task,
    reset(key: Key): ResetResult<MujocoState> {
      check();
      mj.mj_resetData(model, data);
      const start = task.reset(key, init);
      (data.qpos as Float64Array).set(start.qpos);
      (data.qvel as Float64Array).set(start.qvel);
      mj.mj_forward(model, data);
      const state = record(0);
      return { state, observation: observe() };
    },
    step(state: MujocoState, action: Float32Array): StepResult<MujocoState> {
      check();
      if (state !== last) {
        if (state.physics.length !== size) {
          throw new RangeError(`${task.id}: a state of ${state.physics.length} values, expected ${size}`);
        }
        mj.mj_setState(model, data, state.physics as number[], spec);
      }
      const before = { qpos: Float64Array.from(frame.qpos), carry: state.carry };
      (data.ctrl as Float64Array).set(action);
      for (let i = 0; i < task.frameSkip; i++) mj.mj_step(model, data);
      if (task.contactForces) mj.mj_rnePostConstraint(model, data);
      const { reward, terminated } = task.outcome(before, frame, action, constants);
      const observation = observe();
      const next = record(state.steps + 1);
      return { state: next, observation, reward, terminated, truncated: next.steps >= task.maxEpisodeSteps };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      out.delete();
      data.delete();
      model.delete();
    },
  };
}
