/**
 * The hyperparameter presets of each algorithm (`lecture`, `tuned`, and `tuned` per environment), and the
 * run settings a run starts from when no flag is given. Plain data: `train_config.ts` validates
 * configurations built from them.
 *
 * @module
 */
import { MUJOCO_ENV_IDS } from "./env_ids.ts";
import type {
  Algo,
  CommonHyperparameters,
  Preset,
  RunSettings,
  SacHyperparameters,
  SacVHyperparameters,
  Td3Hyperparameters,
} from "./train_config.ts";

/**
 * What the tuned presets share: 128-128 nets, batch 128, Adam 1e-3, γ 0.98, 500 random steps, then one
 * update per step. Found fastest in wall time on Pendulum-v1 (docs/results.md).
 */
const TUNED_COMMON: CommonHyperparameters = {
  hidden: [128, 128],
  batchSize: 128,
  bufferSize: 200_000,
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.98,
  tau: 0.005,
  randomSteps: 500,
  learningStarts: 500,
};

/**
 * TD3 presets. `lecture` is the seed lecture's numbers (400-300 nets, batch 128, Adam 1e-3, buffer 50000,
 * γ 0.99, τ 0.005, exploration 0.1, smoothing 0.2 clipped at 0.5, delay 2), with one update per
 * environment step after 1000 random steps instead of waiting for a full buffer. `tuned` is what solves
 * Pendulum-v1 fastest in wall time in our measurements (docs/results.md): 128-128 nets, batch 128, γ 0.98 and
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
    randomSteps: 1000,
    learningStarts: 1000,
    noiseType: "gaussian",
    explorationNoise: 0.1,
    policyNoise: 0.2,
    noiseClip: 0.5,
    policyDelay: 2,
  },
  tuned: {
    ...TUNED_COMMON,
    noiseType: "gaussian",
    explorationNoise: 0.1,
    policyNoise: 0.2,
    noiseClip: 0.5,
    policyDelay: 2,
  },
};

/**
 * The lecture's SAC numbers (256-256, Adam 3e-4, batch 256, buffer 1e6, 10000 random start steps, updates
 * from the first full batch on, one per step, α 0.2, Xavier-uniform weights and zero biases).
 */
const SAC_LECTURE = {
  hidden: [256, 256],
  batchSize: 256,
  bufferSize: 1_000_000,
  actorLr: 3e-4,
  criticLr: 3e-4,
  gamma: 0.99,
  tau: 0.005,
  randomSteps: 10_000,
  learningStarts: 256,
  init: "xavier",
  alpha: 0.2,
} as const;

/** SAC (learned α) presets: `lecture` as above with α starting at 0.2; `tuned` solves Pendulum-v1 fastest. */
export const SAC_PRESETS: Readonly<Record<Preset, SacHyperparameters>> = {
  lecture: { ...SAC_LECTURE, alphaLr: 3e-4, noiseType: "none", explorationNoise: 0 },
  tuned: {
    ...TUNED_COMMON,
    init: "torch",
    alpha: 1,
    alphaLr: 1e-3,
    noiseType: "none",
    explorationNoise: 0,
  },
};

/** Value-network SAC presets: `lecture` is the lecture exactly; `tuned` solves Pendulum-v1 fastest. */
export const SAC_V_PRESETS: Readonly<Record<Preset, SacVHyperparameters>> = {
  lecture: { ...SAC_LECTURE, valueLr: 3e-4, policyReg: 0 },
  tuned: {
    ...TUNED_COMMON,
    init: "torch",
    alpha: 0.2,
    valueLr: 1e-3,
    policyReg: 0,
  },
};

/**
 * Stable-Baselines3 zoo's TD3 numbers for the Box2D tasks (γ 0.98, buffer 200000, 10000 random steps before
 * learning, Gaussian exploration 0.1, Adam 1e-3) on 128-128 networks with batch 128 (the zoo's 400-300 cost
 * three times as much per update here).
 */
const ZOO_TD3: Td3Hyperparameters = {
  ...TD3_PRESETS.tuned,
  gamma: 0.98,
  bufferSize: 200_000,
  randomSteps: 10_000,
  learningStarts: 10_000,
};

/**
 * What Stable-Baselines3 zoo's SAC numbers for the Box2D tasks share (Adam 7.3e-4 for every network and α,
 * buffer 300000, 10000 random steps before learning), on 128-128 networks with batch 128.
 */
const ZOO_SAC: SacHyperparameters = {
  ...SAC_PRESETS.tuned,
  bufferSize: 300_000,
  actorLr: 7.3e-4,
  criticLr: 7.3e-4,
  alphaLr: 7.3e-4,
  randomSteps: 10_000,
  learningStarts: 10_000,
};

/** What the MountainCar presets share. */
/**
 * TD3 on MuJoCo as in Fujimoto et al.'s current code (256-256, batch 256, Adam 3e-4, 25000 uniform random
 * start steps, exploration 0.1, target noise 0.2 clipped 0.5, delay 2, τ 0.005, γ 0.99, a 1M buffer).
 */
const MUJOCO_TD3: Td3Hyperparameters = {
  hidden: [256, 256],
  batchSize: 256,
  bufferSize: 1_000_000,
  actorLr: 3e-4,
  criticLr: 3e-4,
  gamma: 0.99,
  tau: 0.005,
  randomSteps: 25_000,
  learningStarts: 25_000,
  noiseType: "gaussian",
  explorationNoise: 0.1,
  policyNoise: 0.2,
  noiseClip: 0.5,
  policyDelay: 2,
};

/**
 * SAC on MuJoCo as Stable-Baselines3's zoo runs it (256-256, batch 256, every learning rate 3e-4 including
 * the temperature's, learned α from 1, 10000 random start steps, τ 0.005, γ 0.99, a 1M buffer).
 */
const MUJOCO_SAC: SacHyperparameters = {
  hidden: [256, 256],
  batchSize: 256,
  bufferSize: 1_000_000,
  actorLr: 3e-4,
  criticLr: 3e-4,
  gamma: 0.99,
  tau: 0.005,
  randomSteps: 10_000,
  learningStarts: 10_000,
  init: "torch",
  alpha: 1,
  alphaLr: 3e-4,
  noiseType: "none",
  explorationNoise: 0,
};

/** The MuJoCo tasks (their presets and run lengths are shared). */
const MUJOCO_IDS = MUJOCO_ENV_IDS;

const MOUNTAIN_CAR = { hidden: [64, 64], gamma: 0.99, randomSteps: 0, learningStarts: 1000 } as const;

/**
 * `tuned` presets for environments other than Pendulum-v1, by environment and algorithm: `--preset tuned`
 * (the default) picks these when the run's environment has one, and Pendulum's otherwise.
 */
export const ENV_TUNED_PRESETS: Readonly<
  Record<string, { readonly td3?: Td3Hyperparameters; readonly sac?: SacHyperparameters }>
> = {
  /**
   * MountainCarContinuous: exploration is the whole problem, so Ornstein-Uhlenbeck noise (σ 0.75 of the
   * half-range; slow, large pushes that pump energy) from the first step instead of uniform random actions,
   * γ 0.99 for the distant goal, and small 64-64 networks. SAC gets the same noise on top of its samples
   * (its entropy alone rarely finds the flag; SB3's zoo uses gSDE there). Both reach an evaluation mean ≥ 90
   * (docs/results.md).
   */
  "MountainCarContinuous-v0": {
    td3: { ...TD3_PRESETS.tuned, ...MOUNTAIN_CAR, noiseType: "ou", explorationNoise: 0.75 },
    sac: { ...SAC_PRESETS.tuned, ...MOUNTAIN_CAR, noiseType: "ou", explorationNoise: 0.75 },
  },
  /**
   * LunarLanderContinuous: TD3 with the zoo's numbers ({@link ZOO_TD3}); SAC with the zoo's SAC numbers
   * ({@link ZOO_SAC}, γ 0.99, τ 0.01) on 256-256 networks with batch 256 (on 128-128 it learned to hover
   * and stayed there; see docs/results.md).
   */
  "LunarLanderContinuous-v3": {
    td3: ZOO_TD3,
    sac: { ...ZOO_SAC, gamma: 0.99, tau: 0.01, hidden: [256, 256], batchSize: 256 },
  },
  /**
   * BipedalWalker: TD3 with the same zoo numbers; SAC with the zoo's SAC numbers for this task
   * ({@link ZOO_SAC}, γ 0.98, τ 0.02).
   */
  "BipedalWalker-v3": {
    td3: ZOO_TD3,
    sac: { ...ZOO_SAC, gamma: 0.98, tau: 0.02 },
  },
  /** MuJoCo locomotion: {@link MUJOCO_TD3} and {@link MUJOCO_SAC} on every task. */
  ...Object.fromEntries(MUJOCO_IDS.map((id) => [id, { td3: MUJOCO_TD3, sac: MUJOCO_SAC }])),
};

/**
 * The hyperparameters of an algorithm's preset, for an environment.
 *
 * @param algo the algorithm
 * @param preset the preset
 * @param env the environment (`tuned` has its own numbers for some; Pendulum-v1's otherwise)
 * @returns its hyperparameters
 */
export function presetFor(
  algo: Algo,
  preset: Preset,
  env = "Pendulum-v1",
): Td3Hyperparameters | SacHyperparameters | SacVHyperparameters {
  const own = preset === "tuned" && algo !== "sac-v" ? ENV_TUNED_PRESETS[env]?.[algo] : undefined;
  return own ?? { td3: TD3_PRESETS, sac: SAC_PRESETS, "sac-v": SAC_V_PRESETS }[algo][preset];
}

/** What the defaults are when no flag is given: `deno task train` alone. */
export const DEFAULTS = {
  algo: "td3",
  env: "Pendulum-v1",
  seed: 0,
  steps: 20_000,
  preset: "tuned",
  backend: "engine",
  evalEvery: 5000,
  evalEpisodes: 10,
  checkpointEvery: 5000,
  saveBuffer: false,
} as const;

/** Run lengths by environment, where they differ from {@link DEFAULTS} (the budgets of docs/results.md). */
export const ENV_RUN_DEFAULTS: Readonly<
  Record<string, Partial<Pick<RunSettings, "steps" | "evalEvery" | "checkpointEvery">>>
> = {
  "MountainCarContinuous-v0": { steps: 60_000 },
  "LunarLanderContinuous-v3": { steps: 300_000, evalEvery: 10_000, checkpointEvery: 10_000 },
  "BipedalWalker-v3": { steps: 1_000_000, evalEvery: 20_000, checkpointEvery: 20_000 },
  ...Object.fromEntries(
    MUJOCO_IDS.map((id) => [id, { steps: 1_000_000, evalEvery: 5000, checkpointEvery: 50_000 }]),
  ),
};
