/**
 * The MuJoCo tasks this library runs, by Gymnasium id.
 *
 * @module
 */
import { halfCheetah } from "./half_cheetah.ts";
import type { MujocoTask } from "./task.ts";

/** Every MuJoCo task, in the order of the docs. */
export const MUJOCO_TASKS: readonly MujocoTask[] = [halfCheetah];

/**
 * The task of an id.
 *
 * @param id a Gymnasium id, e.g. `"HalfCheetah-v5"`
 * @returns the task, or `undefined` when it is not one of {@link MUJOCO_TASKS}
 */
export function mujocoTask(id: string): MujocoTask | undefined {
  return MUJOCO_TASKS.find((t) => t.id === id);
}
