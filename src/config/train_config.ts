/**
 * The training configuration record (a tagged union over the algorithms) and its validation
 * as a pure function returning fp-ts `Either`. Everything a run depends on is in this record (and so in
 * `config.json`); where the run writes its files is not.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { InitScheme } from "../core/nn/mlp.ts";
import { type BackendName, BACKENDS } from "./backends.ts";
import { ALL_ENV_IDS } from "./env_ids.ts";
import { DEFAULTS, presetFor } from "./presets.ts";
import type { Either } from "../core/either.ts";

/** Algorithms this library trains: TD3, SAC with learned α, and the lecture's SAC with a value network. */
export const ALGOS = ["td3", "sac", "sac-v"] as const;
/** One of {@link ALGOS}. */
export type Algo = typeof ALGOS[number];

/** Hyperparameter presets. */
export const PRESETS = ["lecture", "tuned"] as const;
/** One of {@link PRESETS}. */
export type Preset = typeof PRESETS[number];

/** Hyperparameters every algorithm has. */
export interface CommonHyperparameters {
  /** Hidden widths of every network. */
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
  /** Steps of uniformly random actions at the start (Spinning Up's `start_steps`). */
  readonly randomSteps: number;
  /** Updates begin after this many steps, one per step from then on (SB3's `learning_starts`). */
  readonly learningStarts: number;
}

/**
 * Exploration noise added to the policy's action while collecting: none, independent Gaussian per step, or
 * Ornstein-Uhlenbeck (correlated in time). TD3 adds it to μ(s); SAC to its sampled action (as SB3's
 * `action_noise` does), on top of the policy's own randomness.
 */
export const NOISE_TYPES = ["none", "gaussian", "ou"] as const;
/** One of {@link NOISE_TYPES}. */
export type NoiseType = typeof NOISE_TYPES[number];

/** Hyperparameters of TD3. */
export interface Td3Hyperparameters extends CommonHyperparameters {
  /** Exploration noise: Gaussian per step (the paper's), Ornstein-Uhlenbeck with θ 0.15, dt 0.01, or none. */
  readonly noiseType: NoiseType;
  /** Exploration noise σ (fraction of the action half-range). */
  readonly explorationNoise: number;
  /** Target smoothing noise σ (fraction of the action half-range). */
  readonly policyNoise: number;
  /** Target smoothing clip c (fraction of the action half-range). */
  readonly noiseClip: number;
  /** Critic updates per actor update. */
  readonly policyDelay: number;
}

/** Hyperparameters of SAC with learned temperature. */
export interface SacHyperparameters extends CommonHyperparameters {
  /** Weight initialization. */
  readonly init: InitScheme;
  /** Initial temperature α (learned from there toward entropy −|A|). */
  readonly alpha: number;
  /** Adam learning rate of log α. */
  readonly alphaLr: number;
  /** Extra exploration noise on the sampled action: none (SAC's own, the default), Gaussian or OU. */
  readonly noiseType: NoiseType;
  /** Its σ (fraction of the action half-range); 0 with `noiseType: "none"`. */
  readonly explorationNoise: number;
}

/** Hyperparameters of the value-network SAC. */
export interface SacVHyperparameters extends CommonHyperparameters {
  /** Weight initialization. */
  readonly init: InitScheme;
  /** Fixed temperature α. */
  readonly alpha: number;
  /** Adam learning rate of the value network. */
  readonly valueLr: number;
  /** Weight of the lecture's optional policy penalty on mean² and log σ² (0: off). */
  readonly policyReg: number;
}

/** Settings of a run that are not hyperparameters of the algorithm. */
export interface RunSettings {
  /** Environment id. */
  readonly env: string;
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
  /** Write the checkpoint every this many environment steps (0: only at the end or when interrupted). */
  readonly checkpointEvery: number;
  /** Store the replay buffer in the checkpoint, so that a resumed run continues exactly. */
  readonly saveBuffer: boolean;
}

/** A complete, validated training configuration, tagged by algorithm. */
export type TrainConfig =
  & RunSettings
  & (
    | ({ readonly algo: "td3" } & Td3Hyperparameters)
    | ({ readonly algo: "sac" } & SacHyperparameters)
    | ({ readonly algo: "sac-v" } & SacVHyperparameters)
  );

/**
 * The flag spelling of a config field: `batchSize` → `batch-size`.
 *
 * @param name a field name
 * @returns its kebab-case flag name
 */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The first field (in name order) where two configurations differ, as `algo "sac" against "td3"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configDifference } from "./train_config.ts";
 *
 * assert.equal(configDifference({ algo: "sac", seed: 1 }, { algo: "td3", seed: 1 }), 'algo "sac" against "td3"');
 * assert.equal(configDifference({ batchSize: 1 }, { batchSize: 1 }), undefined);
 * ```
 *
 * @param a a configuration (or part of one)
 * @param b another
 * @returns the field, in flag spelling, with both values as JSON; `undefined` when they agree
 */
export function configDifference(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const k = keys.find((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return k === undefined ? undefined : `${kebab(k)} ${JSON.stringify(a[k])} against ${JSON.stringify(b[k])}`;
}

type Check = (c: Record<string, unknown>) => string | undefined;

const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER): Check => (c) => {
  const v = c[name] as number;
  return Number.isSafeInteger(v) && v >= min && v <= max
    ? undefined
    : `--${kebab(name)} must be an integer in [${min}, ${max}], got ${v}`;
};

const real = (name: string, min: number, max: number, open: "min" | "max" | "none"): Check => (c) => {
  const v = c[name] as number;
  const ok = Number.isFinite(v) && (open === "min" ? v > min : v >= min) &&
    (open === "max" ? v < max : v <= max);
  const lo = open === "min" ? "(" : "[";
  const hi = open === "max" ? ")" : "]";
  return ok ? undefined : `--${kebab(name)} must be a number in ${lo}${min}, ${max}${hi}, got ${v}`;
};

const oneOf = (name: string, known: readonly string[]): Check => (c) =>
  known.includes(c[name] as string)
    ? undefined
    : `unknown --${kebab(name)} "${c[name]}" (known: ${known.join(", ")})`;

/**
 * The most weights a network may have between its hidden layers (Σ hᵢ·hᵢ₊₁): 10 million, 40 MB per
 * float32 copy, of which a TD3 or SAC state holds about sixteen (networks, targets, Adam moments).
 */
export const MAX_HIDDEN_WEIGHTS = 10_000_000;

/** Checks of each field, by field name; a config is checked on the fields it has. */
const FIELD_CHECKS: Readonly<Record<string, Check>> = {
  algo: oneOf("algo", ALGOS),
  env: oneOf("env", ALL_ENV_IDS),
  preset: oneOf("preset", PRESETS),
  backend: oneOf("backend", BACKENDS),
  init: oneOf("init", ["torch", "xavier"]),
  noiseType: oneOf("noiseType", NOISE_TYPES),
  seed: int("seed", 0),
  steps: int("steps", 1, 1e9),
  hidden: (c) => {
    const h = c.hidden as number[];
    if (
      !Array.isArray(h) || h.length < 1 || h.length > 8 ||
      !h.every((x) => Number.isSafeInteger(x) && x >= 1 && x <= 8192)
    ) {
      return `--hidden must be 1 to 8 comma-separated widths in [1, 8192], got ${String(h)}`;
    }
    // Checked before anything is allocated: a network's memory grows with the products of its widths.
    const weights = h.slice(1).reduce((sum, width, i) => sum + h[i] * width, 0);
    return weights <= MAX_HIDDEN_WEIGHTS
      ? undefined
      : `--hidden ${h.join(",")} has ${weights} weights between its hidden layers, more than the ` +
        `${MAX_HIDDEN_WEIGHTS} a network may have here (e.g. 2048,2048 is 4194304)`;
  },
  batchSize: int("batchSize", 1, 65_536),
  bufferSize: int("bufferSize", 1, 10_000_000),
  actorLr: real("actorLr", 0, 1, "min"),
  criticLr: real("criticLr", 0, 1, "min"),
  alphaLr: real("alphaLr", 0, 1, "min"),
  valueLr: real("valueLr", 0, 1, "min"),
  gamma: real("gamma", 0, 1, "none"),
  tau: real("tau", 0, 1, "min"),
  alpha: real("alpha", 0, 1000, "min"),
  policyReg: real("policyReg", 0, 1000, "none"),
  explorationNoise: real("explorationNoise", 0, 10, "none"),
  policyNoise: real("policyNoise", 0, 10, "none"),
  noiseClip: real("noiseClip", 0, 10, "none"),
  policyDelay: int("policyDelay", 1, 1000),
  randomSteps: int("randomSteps", 0),
  learningStarts: int("learningStarts", 0),
  evalEvery: int("evalEvery", 1),
  evalEpisodes: int("evalEpisodes", 1, 10_000),
  checkpointEvery: int("checkpointEvery", 0),
  saveBuffer: (c) =>
    typeof c.saveBuffer === "boolean" ? undefined : `saveBuffer must be true or false, got ${c.saveBuffer}`,
};

/**
 * The fields (and so the flags) that apply to an algorithm.
 *
 * @param algo the algorithm
 * @returns its hyperparameter field names
 */
export function hyperparameterNames(algo: Algo): readonly string[] {
  return Object.keys(presetFor(algo, "tuned"));
}

/** SAC's extra noise needs a σ, and a σ needs a noise type (TD3 ignores σ with `none`). */
function noiseProblem(config: TrainConfig): string | undefined {
  if (config.algo !== "sac") return undefined;
  if (config.noiseType === "none" && config.explorationNoise !== 0) {
    return "--exploration-noise applies to sac only with --noise-type gaussian or ou";
  }
  if (config.noiseType !== "none" && config.explorationNoise === 0) {
    return `--noise-type ${config.noiseType} needs --exploration-noise above 0 for sac`;
  }
  return undefined;
}

/**
 * A stored configuration in today's shape: SAC configurations written before SAC had exploration noise get
 * `noiseType: "none"` and `explorationNoise: 0`, which is what those runs did. Anything else is returned as
 * it is.
 *
 * @param config a configuration as read from a run folder
 * @returns the configuration with the fields added since filled in
 */
export function upgradeConfig<C>(config: C): C {
  const record = config as unknown as Record<string, unknown>;
  if (record?.algo !== "sac" || "noiseType" in record || "explorationNoise" in record) return config;
  return { ...record, noiseType: "none", explorationNoise: 0 } as C;
}

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /**
   * Accept any environment name (printable, at most 200 characters), not only the built-in ones: the
   * configuration of a run on an environment of one's own, as `train`'s `env` option allows.
   */
  readonly anyEnv?: boolean;
}

/** An environment name of one's own: printable and short (it ends up in log lines and file titles). */
const ownEnv: Check = (c) => {
  const v = c.env;
  return typeof v === "string" && v.length > 0 && v.length <= 200 && !/[\p{Cc}]/u.test(v)
    ? undefined
    : `--env must be a printable name of at most 200 characters, got ${JSON.stringify(v)}`;
};

/**
 * Validate a configuration: every field in range, every name known, and exactly the hyperparameters of its
 * algorithm present. A stored configuration of an earlier version is upgraded first ({@link upgradeConfig}).
 *
 * @param candidate a candidate configuration
 * @param options whether an environment that is not built in is accepted
 * @returns the (upgraded) configuration, or the first problem as a one-line message
 */
export function validateConfig(
  candidate: TrainConfig,
  options: ValidateOptions = {},
): Either<string, TrainConfig> {
  const config = upgradeConfig(candidate);
  const record = config as unknown as Record<string, unknown>;
  const algoError = FIELD_CHECKS.algo(record);
  if (algoError !== undefined) return E.left(algoError);
  const expected = [...Object.keys(DEFAULTS), ...hyperparameterNames(config.algo)];
  const missing = expected.find((k) => !(k in record));
  const extra = Object.keys(record).find((k) => !expected.includes(k));
  if (missing !== undefined) return E.left(`config for ${config.algo} misses "${missing}"`);
  if (extra !== undefined) return E.left(`--${kebab(extra)} does not apply to --algo ${config.algo}`);
  const check = (k: string) => k === "env" && options.anyEnv === true ? ownEnv : FIELD_CHECKS[k];
  return pipe(
    expected.reduce<string | undefined>((err, k) => err ?? check(k)?.(record), undefined) ??
      noiseProblem(config),
    E.fromPredicate((err): err is undefined => err === undefined, (err) => err as string),
    E.map(() => config),
  );
}
