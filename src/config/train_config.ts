/**
 * The training configuration record, its presets, and its validation as a pure function returning
 * fp-ts `Either`. Everything a run depends on is in this record (and so in `config.json`); where the
 * run writes its files is not.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type BackendName, BACKENDS } from "../runtime/backend.ts";
import { ENV_IDS, type EnvId } from "../envs/registry.ts";

/** Algorithms this library trains. */
export const ALGOS = ["td3"] as const;
/** One of {@link ALGOS}. */
export type Algo = typeof ALGOS[number];

/** Hyperparameter presets. */
export const PRESETS = ["lecture", "tuned"] as const;
/** One of {@link PRESETS}. */
export type Preset = typeof PRESETS[number];

/** Hyperparameters of a TD3 run. */
export interface Td3Hyperparameters {
  /** Hidden widths of actor and critics. */
  readonly hidden: readonly number[];
  /** Minibatch size. */
  readonly batchSize: number;
  /** Replay capacity in transitions. */
  readonly bufferSize: number;
  /** Adam learning rate of the actor. */
  readonly actorLr: number;
  /** Adam learning rate of the critics. */
  readonly criticLr: number;
  /** Discount γ. */
  readonly gamma: number;
  /** Soft target update rate τ. */
  readonly tau: number;
  /** Exploration noise σ (fraction of the action half-range). */
  readonly explorationNoise: number;
  /** Target smoothing noise σ (fraction of the action half-range). */
  readonly policyNoise: number;
  /** Target smoothing clip c (fraction of the action half-range). */
  readonly noiseClip: number;
  /** Critic updates per actor update. */
  readonly policyDelay: number;
  /** Steps of uniformly random actions before learning starts; updates begin after them. */
  readonly learningStarts: number;
}

/** A complete, validated training configuration. */
export interface TrainConfig extends Td3Hyperparameters {
  /** Algorithm. */
  readonly algo: Algo;
  /** Environment id. */
  readonly env: EnvId;
  /** Seed of every random draw in the run. */
  readonly seed: number;
  /** Environment steps to train for. */
  readonly steps: number;
  /** Preset the hyperparameters started from. */
  readonly preset: Preset;
  /** tfjs backend. */
  readonly backend: BackendName;
  /** Evaluate every this many environment steps. */
  readonly evalEvery: number;
  /** Episodes per evaluation. */
  readonly evalEpisodes: number;
}

/**
 * TD3 presets. `lecture` is the seed lecture's numbers (400-300 nets, batch 128, Adam 1e-3, buffer 50000,
 * γ 0.99, τ 0.005, exploration 0.1, smoothing 0.2 clipped at 0.5, delay 2), with one update per
 * environment step after 1000 random steps instead of waiting for a full buffer. `tuned` is what solves
 * Pendulum-v1 fastest in wall time in our measurements (see README): 128-128 nets, batch 128, γ 0.98 and
 * 500 random steps; it reaches an evaluation mean near −200 by about 8000 steps.
 */
export const TD3_PRESETS: Readonly<Record<Preset, Td3Hyperparameters>> = {
  lecture: {
    hidden: [400, 300],
    batchSize: 128,
    bufferSize: 50_000,
    actorLr: 1e-3,
    criticLr: 1e-3,
    gamma: 0.99,
    tau: 0.005,
    explorationNoise: 0.1,
    policyNoise: 0.2,
    noiseClip: 0.5,
    policyDelay: 2,
    learningStarts: 1000,
  },
  tuned: {
    hidden: [128, 128],
    batchSize: 128,
    bufferSize: 200_000,
    actorLr: 1e-3,
    criticLr: 1e-3,
    gamma: 0.98,
    tau: 0.005,
    explorationNoise: 0.1,
    policyNoise: 0.2,
    noiseClip: 0.5,
    policyDelay: 2,
    learningStarts: 500,
  },
};

/** What the defaults are when no flag is given: `deno task train` alone. */
export const DEFAULTS = {
  algo: "td3",
  env: "Pendulum-v1",
  seed: 0,
  steps: 20_000,
  preset: "tuned",
  backend: "wasm",
  evalEvery: 5000,
  evalEpisodes: 10,
} as const satisfies Partial<TrainConfig>;

type Check = (c: TrainConfig) => string | undefined;

const int = (name: keyof TrainConfig, min: number, max = Number.MAX_SAFE_INTEGER): Check => (c) => {
  const v = c[name] as number;
  return Number.isSafeInteger(v) && v >= min && v <= max
    ? undefined
    : `--${kebab(name)} must be an integer in [${min}, ${max}], got ${v}`;
};

const real =
  (name: keyof TrainConfig, min: number, max: number, open: "min" | "max" | "none"): Check => (c) => {
    const v = c[name] as number;
    const ok = Number.isFinite(v) && (open === "min" ? v > min : v >= min) &&
      (open === "max" ? v < max : v <= max);
    const lo = open === "min" ? "(" : "[";
    const hi = open === "max" ? ")" : "]";
    return ok ? undefined : `--${kebab(name)} must be a number in ${lo}${min}, ${max}${hi}, got ${v}`;
  };

/**
 * The flag spelling of a config field: `batchSize` → `batch-size`.
 *
 * @param name a field name
 * @returns its kebab-case flag name
 */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const CHECKS: readonly Check[] = [
  (c) =>
    (ALGOS as readonly string[]).includes(c.algo)
      ? undefined
      : `unknown --algo "${c.algo}" (known: ${ALGOS})`,
  (c) =>
    (ENV_IDS as readonly string[]).includes(c.env)
      ? undefined
      : `unknown --env "${c.env}" (known: ${ENV_IDS})`,
  (c) =>
    (PRESETS as readonly string[]).includes(c.preset)
      ? undefined
      : `unknown --preset "${c.preset}" (known: ${PRESETS})`,
  (c) =>
    (BACKENDS as readonly string[]).includes(c.backend)
      ? undefined
      : `unknown --backend "${c.backend}" (known: ${BACKENDS})`,
  int("seed", 0),
  int("steps", 1, 1e9),
  (c) =>
    c.hidden.length >= 1 && c.hidden.length <= 8 &&
      c.hidden.every((h) => Number.isSafeInteger(h) && h >= 1 && h <= 8192)
      ? undefined
      : `--hidden must be 1 to 8 comma-separated widths in [1, 8192], got ${c.hidden.join(",")}`,
  int("batchSize", 1, 65_536),
  int("bufferSize", 1, 10_000_000),
  real("actorLr", 0, 1, "min"),
  real("criticLr", 0, 1, "min"),
  real("gamma", 0, 1, "none"),
  real("tau", 0, 1, "min"),
  real("explorationNoise", 0, 10, "none"),
  real("policyNoise", 0, 10, "none"),
  real("noiseClip", 0, 10, "none"),
  int("policyDelay", 1, 1000),
  int("learningStarts", 0),
  int("evalEvery", 1),
  int("evalEpisodes", 1, 10_000),
];

/**
 * Validate a configuration: every field in range, every name known.
 *
 * @param config a candidate configuration
 * @returns the same configuration, or the first problem as a one-line message
 */
export function validateConfig(config: TrainConfig): E.Either<string, TrainConfig> {
  return pipe(
    CHECKS.reduce<string | undefined>((err, check) => err ?? check(config), undefined),
    E.fromPredicate((err): err is undefined => err === undefined, (err) => err as string),
    E.map(() => config),
  );
}
