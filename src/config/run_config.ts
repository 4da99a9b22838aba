/**
 * A run's configuration from the few choices a user makes (algorithm, environment, preset, seed) and any
 * overrides, built the way `deno task train` builds it: the defaults, the environment's run lengths, the
 * preset's hyperparameters, then the overrides, validated. The CLI and the web app share it, so the same
 * choices give the same configuration and the same run.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { DEFAULTS, ENV_RUN_DEFAULTS, presetFor } from "./presets.ts";
import { type Algo, ALGOS, type Preset, PRESETS, type TrainConfig, validateConfig } from "./train_config.ts";

/** What a run is built from; every field but `algo` and `env` has the CLI's default. */
export interface RunChoice {
  /** `td3`, `sac` or `sac-v`. */
  readonly algo: string;
  /** An environment id. */
  readonly env: string;
  /** `tuned` (default) or `lecture`. */
  readonly preset?: string;
  /** Seed of every random draw (default 0). */
  readonly seed?: number;
  /** Any other fields of the configuration (steps, hidden, batchSize, …), as the CLI's flags set them. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/**
 * The validated configuration of a choice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configFor } from "./run_config.ts";
 *
 * const config = configFor({ algo: "td3", env: "Pendulum-v1", overrides: { steps: 2000 } });
 * assert.equal(config._tag === "Right" && config.right.steps, 2000);
 * ```
 *
 * @param choice algorithm, environment, preset, seed and overrides
 * @returns the configuration, or the first problem as a one-line message
 */
export function configFor(choice: RunChoice): Either<string, TrainConfig> {
  const algo = choice.algo as Algo;
  if (!(ALGOS as readonly string[]).includes(algo)) {
    return E.left(`unknown algorithm "${choice.algo}" (known: ${ALGOS.join(", ")})`);
  }
  const preset = (choice.preset ?? DEFAULTS.preset) as Preset;
  if (!(PRESETS as readonly string[]).includes(preset)) {
    return E.left(`unknown preset "${choice.preset}" (known: ${PRESETS.join(", ")})`);
  }
  const config = {
    ...DEFAULTS,
    ...ENV_RUN_DEFAULTS[choice.env],
    ...presetFor(algo, preset, choice.env),
    algo,
    env: choice.env,
    preset,
    ...(choice.seed === undefined ? {} : { seed: choice.seed }),
    ...choice.overrides,
  } as TrainConfig;
  return validateConfig(config);
}
