/**
 * The MuJoCo tasks this library runs, by Gymnasium id.
 *
 * @module
 */
import { ant } from "./ant.ts";
import { halfCheetah } from "./half_cheetah.ts";
import { hopper } from "./hopper.ts";
import { humanoid } from "./humanoid.ts";
import { invertedDoublePendulum } from "./inverted_double_pendulum.ts";
import { invertedPendulum } from "./inverted_pendulum.ts";
import { reacher } from "./reacher.ts";
import type { MujocoTask } from "./task.ts";
import { walker2d } from "./walker2d.ts";

/** Every MuJoCo task, in the order of the docs. */
export const MUJOCO_TASKS: readonly MujocoTask[] = [
  halfCheetah,
  hopper,
  walker2d,
  ant,
  humanoid,
  invertedPendulum,
  invertedDoublePendulum,
  reacher,
];

/**
 * The task of an id.
 *
 * @param id a Gymnasium id, e.g. `"HalfCheetah-v5"`
 * @returns the task, or `undefined` when it is not one of {@link MUJOCO_TASKS}
 */
export function mujocoTask(id: string): MujocoTask | undefined {
  return MUJOCO_TASKS.find((t) => t.id === id);
}
