/**
 * The environment ids a run can name, as names only: opening one is `src/envs/open_env.ts`'s job, so that
 * validating a configuration loads no physics engine. A test keeps these lists equal to what the envs
 * folder can open.
 *
 * @module
 */

/** Ids of the pure environments (their whole state is a record the loop carries). */
export const PURE_ENV_IDS: readonly string[] = ["Pendulum-v1", "MountainCarContinuous-v0"];

/** Ids of the environments that run on a physics engine (their state lives in the engine). */
export const ENGINE_ENV_IDS: readonly string[] = ["LunarLanderContinuous-v3", "BipedalWalker-v3"];

/**
 * Ids of the MuJoCo tasks (Gymnasium's v5 locomotion and control tasks). Their state is MuJoCo's
 * integration state, carried by the loop as a record, so they resume exactly like the pure ones.
 */
export const MUJOCO_ENV_IDS: readonly string[] = [
  "HalfCheetah-v5",
  "Hopper-v5",
  "Walker2d-v5",
  "Ant-v5",
  "Humanoid-v5",
  "InvertedPendulum-v5",
  "InvertedDoublePendulum-v5",
  "Reacher-v5",
];

/** Every environment id a run can name. */
export const ALL_ENV_IDS: readonly string[] = [...PURE_ENV_IDS, ...ENGINE_ENV_IDS, ...MUJOCO_ENV_IDS];
