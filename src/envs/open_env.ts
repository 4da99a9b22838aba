/**
 * Every environment the command line can name: the pure ones of `src/envs/registry.ts`, opened as
 * sessions, and those built on a physics engine (`box2d/`), whose world lives inside the session.
 *
 * @module
 */
import { ENV_IDS, makeEnv } from "./registry.ts";
import { type EnvSource, pureSource } from "./session.ts";
import { bipedalWalker } from "./box2d/bipedal_walker.ts";
import { lunarLanderContinuous } from "./box2d/lunar_lander.ts";

/** Ids of the environments that run on a physics engine (their state lives in the engine). */
export const ENGINE_ENV_IDS: readonly string[] = ["LunarLanderContinuous-v3", "BipedalWalker-v3"];

/** Every environment id the runtime can open. */
export const ALL_ENV_IDS: readonly string[] = [...ENV_IDS, ...ENGINE_ENV_IDS];

/**
 * Open an environment by id.
 *
 * @param id a registered id
 * @returns its session source
 * @throws {RangeError} `unknown environment "X" (known: ...)` for an unknown id
 */
export function openEnv(id: string): EnvSource {
  if ((ENV_IDS as readonly string[]).includes(id)) return pureSource(makeEnv(id));
  if (id === "LunarLanderContinuous-v3") return lunarLanderContinuous();
  if (id === "BipedalWalker-v3") return bipedalWalker();
  throw new RangeError(`unknown environment ${JSON.stringify(id)} (known: ${ALL_ENV_IDS.join(", ")})`);
}
