/**
 * The environments this library knows by name, as Gymnasium's `make(id)`: {@link makeEnv} throws on an
 * unknown id, {@link lookupEnv} returns the failure as an `Either` for config validation at the edge.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Env } from "./env.ts";
import { mountainCar, type MountainCarState } from "./mountain_car.ts";
import { pendulum, type PendulumState } from "./pendulum.ts";
import type { Either } from "../core/either.ts";

/** The registered environment ids. */
export const ENV_IDS = ["Pendulum-v1", "MountainCarContinuous-v0"] as const;

/** A registered environment id. */
export type EnvId = typeof ENV_IDS[number];

/**
 * Whether a string is a registered environment id.
 *
 * @param s any string
 * @returns `true` when `s` is one of {@link ENV_IDS}
 * @example
 * ```ts
 * import { isEnvId } from "./registry.ts";
 * isEnvId("Pendulum-v1"); // true
 * isEnvId("MountainCarContinuous-v0"); // true
 * isEnvId("CartPole-v1"); // false
 * ```
 */
export function isEnvId(s: string): s is EnvId {
  return (ENV_IDS as readonly string[]).includes(s);
}

function unknownEnvMessage(id: string): string {
  return `unknown environment ${JSON.stringify(id)} (known: ${ENV_IDS.join(", ")})`;
}

/**
 * Build a registered environment with its default options.
 *
 * @param id a registered id, e.g. `"Pendulum-v1"`
 * @returns the environment
 * @throws {RangeError} when `id` is not registered
 * @example
 * ```ts
 * import { makeEnv } from "./registry.ts";
 * makeEnv("Pendulum-v1").maxEpisodeSteps; // 200
 * ```
 */
export function makeEnv(id: "Pendulum-v1"): Env<PendulumState>;
/**
 * Build `MountainCarContinuous-v0` with its default options (goal velocity 0).
 *
 * @param id `"MountainCarContinuous-v0"`
 * @returns the environment
 * @example
 * ```ts
 * import { makeEnv } from "./registry.ts";
 * makeEnv("MountainCarContinuous-v0").maxEpisodeSteps; // 999
 * ```
 */
export function makeEnv(id: "MountainCarContinuous-v0"): Env<MountainCarState>;
/**
 * Build an environment named by a runtime string.
 *
 * @param id any string
 * @returns the environment
 * @throws {RangeError} `unknown environment "X" (known: ...)` when `id` is not registered
 */
export function makeEnv(id: string): Env<unknown>;
export function makeEnv(id: string): Env<unknown> {
  switch (id) {
    case "Pendulum-v1":
      return pendulum();
    case "MountainCarContinuous-v0":
      return mountainCar();
    default:
      throw new RangeError(unknownEnvMessage(id));
  }
}

/**
 * Look an environment up by name without throwing.
 *
 * @param id any string
 * @returns `Right(env)` for a registered id, else `Left` with the message `unknown environment "X" (known: ...)`
 * @example
 * ```ts
 * import * as E from "fp-ts/lib/Either.js";
 * import { lookupEnv } from "./registry.ts";
 * E.isRight(lookupEnv("Pendulum-v1")); // true
 * lookupEnv("Nope-v0"); // E.left('unknown environment "Nope-v0" (known: Pendulum-v1, MountainCarContinuous-v0)')
 * ```
 */
export function lookupEnv(id: string): Either<string, Env<unknown>> {
  return isEnvId(id) ? E.right(makeEnv(id)) : E.left(unknownEnvMessage(id));
}
