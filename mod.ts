/**
 * Deep reinforcement learning for continuous actions in Deno: TD3 (Fujimoto et al. 2018), SAC with learned
 * temperature (Haarnoja et al. 2018b) and the value-network SAC (Haarnoja et al. 2018a), each a pure reducer
 * over immutable parameter records, driven by splittable Threefry keys; the updates run on a fused CPU engine
 * (OpenBLAS or WebAssembly SIMD) by default, or on tfjs as the readable reference.
 *
 * The core (`rng`, networks, optimizers, agents, exploration noise), the environments and the training
 * loop's step (`loopStep`) are pure: no I/O, no global RNG, no mutation. The runtime (`step`, `disposeTree`,
 * backends, checkpoints, policies) owns tensors and files; `train` is the thin shell that performs what the
 * loop step asks for.
 *
 * @example Train TD3 on Pendulum-v1 from code
 * ```ts
 * import { DEFAULTS, TD3_PRESETS, train, useBackend } from "./mod.ts";
 * await useBackend(DEFAULTS.backend);
 * await Deno.mkdir("runs/example", { recursive: true });
 * await train({ ...DEFAULTS, ...TD3_PRESETS.tuned, steps: 2000 }, { out: "runs/example" });
 * ```
 *
 * @example Step the environment by hand
 * ```ts
 * import { keyFromSeed, makeEnv } from "./mod.ts";
 * const env = makeEnv("Pendulum-v1");
 * const { state } = env.reset(keyFromSeed(0));
 * const { reward, observation } = env.step(state, new Float32Array([1]));
 * ```
 *
 * @module
 */
export {
  bits,
  erfinv,
  foldIn,
  type Key,
  keyFromSeed,
  keyFromWords,
  normal,
  randint,
  type RandintOptions,
  split,
  threefry2x32,
  uniform,
  type UniformOptions,
} from "./src/core/rng.ts";
export type { Batch } from "./src/core/batch.ts";
export type { Scalar, Tensor, Tensor1D, Tensor2D } from "./src/core/tensor.ts";
export type { Either, Left, Right } from "./src/core/either.ts";
export {
  entries,
  leaves,
  mapTree,
  type Tree,
  treeMap,
  unflatten,
  walk,
  type WalkOptions,
} from "./src/core/tree.ts";
export { type Activation, dense, type DenseParams } from "./src/core/nn/dense.ts";
export {
  initMlp,
  type InitScheme,
  mlp,
  type MlpInitOptions,
  type MlpParams,
  mlpSizes,
} from "./src/core/nn/mlp.ts";
export { type ActionBounds, clipToBounds, halfRange, rescale } from "./src/core/nn/action_bounds.ts";
export {
  applyUpdates,
  chain,
  type GradientTransformation,
  incrementalUpdate,
  scale,
} from "./src/core/optim/transform.ts";
export {
  adam,
  type AdamMomentOptions,
  type AdamOptions,
  type AdamState,
  scaleByAdam,
  type ScaleByAdamState,
} from "./src/core/optim/adam.ts";
export { gradientStep, type GradientStepResult, valueAndGrad } from "./src/core/grad.ts";
export type { Agent, AgentSizes, Metrics } from "./src/core/agents/agent.ts";
export {
  makeTd3,
  policy,
  TD3_DEFAULTS,
  type Td3Agent,
  type Td3Config,
  type Td3State,
  td3Target,
  type Td3TargetInputs,
} from "./src/core/agents/td3.ts";
export {
  makeSac,
  type SacAgent,
  type SacConfig,
  type SacState,
  sacTarget,
  type SacTargetInputs,
  temperatureLoss,
} from "./src/core/agents/sac.ts";
export {
  makeSacV,
  type SacVAgent,
  type SacVConfig,
  sacVCriticTarget,
  type SacVState,
  sacVValueTarget,
} from "./src/core/agents/sac_v.ts";
export {
  type GaussianHeads,
  gaussianHeads,
  type GaussianPolicyInitOptions,
  type GaussianPolicyParams,
  initGaussianPolicy,
  LOG_STD_MAX,
  LOG_STD_MIN,
  logTanhDerivative,
  meanAction,
  type PolicySample,
  type SampleOptions,
  samplePolicy,
} from "./src/core/nn/squashed_gaussian.ts";
export {
  initTwinCritics,
  minQ,
  qValue,
  stateAction,
  twinCriticLoss,
  type TwinCritics,
  type TwinCriticsInitOptions,
} from "./src/core/nn/twin_critics.ts";
export type { Env, ResetResult, StepResult } from "./src/envs/env.ts";
export { angleNormalize, pendulum, type PendulumOptions, type PendulumState } from "./src/envs/pendulum.ts";
export { ENV_IDS, type EnvId, isEnvId, lookupEnv, makeEnv } from "./src/envs/registry.ts";
export {
  ReplayBuffer,
  type ReplayBufferOptions,
  type ReplaySnapshot,
  type Transition,
} from "./src/replay/buffer.ts";
export {
  type Algo,
  ALGOS,
  type CommonHyperparameters,
  hyperparameterNames,
  type Preset,
  PRESETS,
  type RunSettings,
  type SacHyperparameters,
  type SacVHyperparameters,
  type Td3Hyperparameters,
  type TrainConfig,
  validateConfig,
  type ValidateOptions,
} from "./src/config/train_config.ts";
export { DEFAULTS, presetFor, SAC_PRESETS, SAC_V_PRESETS, TD3_PRESETS } from "./src/config/presets.ts";
export {
  type BackendName,
  BACKENDS,
  engineGemm,
  type GemmProvider,
  gemmProvider,
  matrixProducts,
  useBackend,
} from "./src/runtime/backend.ts";
export {
  type AgentRuntime,
  agentRuntime,
  engineRuntime,
  type RuntimeChoice,
  tfjsRuntime,
} from "./src/runtime/agent_runtime.ts";
export { type Learner, type MetricValues, tfjsLearner } from "./src/core/agents/learner.ts";
export { type EngineLearner, makeEngineLearner } from "./src/engine/learners.ts";
export { type Gemm, referenceGemm } from "./src/engine/gemm.ts";
export { aggregateEvals, type AggregatePoint, firstReaching } from "./src/report/aggregate.ts";
export { trainSeeds, type TrainSeedsOptions, type TrainSeedsSummary } from "./src/train/train_seeds.ts";
export { disposeTree, readTensor, step, stepOwned } from "./src/runtime/memory.ts";
export { type EvalResult, evaluate, type EvaluateOptions } from "./src/train/evaluate.ts";
export {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  type CheckpointExtras,
  decodeCheckpoint,
  type DecodedCheckpoint,
  encodeCheckpoint,
  POLICY_FILE,
  POLICY_FORMAT,
  type StoredSpaces,
} from "./src/runtime/checkpoint.ts";
export {
  decodePolicy,
  type DecodePolicyOptions,
  encodePolicy,
  loadPolicy,
  type Policy,
} from "./src/runtime/policy.ts";
export { type LoadedRun, loadRun } from "./src/train/resume.ts";
export { renderEpisode, type Rollout, rollout } from "./src/report/render.ts";
export { type PendulumFrame, pendulumSvg, type PendulumSvgOptions } from "./src/report/render_pendulum.ts";
export {
  type DecodedSafetensors,
  type DecodedTensor,
  decodeSafetensors,
  encodeSafetensors,
  type F32Tensor,
} from "./src/formats/safetensors.ts";
export {
  type BandPoint,
  type BandSeries,
  type EpisodePoint,
  type EvalPoint,
  type LearningCurveData,
  type LearningCurveOptions,
  learningCurveSvg,
} from "./src/report/plot.ts";
export type { EpisodeRow, EvalRow } from "./src/formats/run_files.ts";
export { type AgentChoice, type AgentSpaces, makeAgent } from "./src/core/agents/make_agent.ts";
export {
  evaluationKeys,
  folderWriter,
  NonFiniteError,
  type Progress,
  type ResumePoint,
  type RunWriter,
  train,
  type TrainOptions,
  type TrainSummary,
} from "./src/train/train.ts";
export {
  explorationFor,
  initialLoop,
  type LoopContext,
  loopContext,
  type LoopRecord,
  loopRecord,
  type LoopState,
  loopStep,
  type ReplayReader,
  resumedLoop,
  schedule,
  type StepEvents,
  withEvaluation,
} from "./src/train/loop.ts";
export {
  type Exploration,
  EXPLORATION_KINDS,
  type ExplorationKind,
  type ExplorationOptions,
  makeExploration,
  type NoiseState,
} from "./src/core/exploration/exploration.ts";

// Types that exported signatures refer to, so that the package's documentation names them all.
export type { EnvSpec } from "./src/envs/env.ts";
export type { EnvSession, EnvSource, SessionStep } from "./src/envs/session.ts";
export { NOISE_TYPES, type NoiseType } from "./src/config/train_config.ts";
export type { MountainCarState } from "./src/envs/mountain_car.ts";
export type { TimingRow } from "./src/formats/run_files.ts";
export type { SpaceFields } from "./src/core/agents/make_agent.ts";
export type { RuntimeOptions } from "./src/runtime/agent_runtime.ts";
export type {
  EngineOptions,
  TwinCriticArenas,
  TwinCritics as EngineTwinCritics,
  TwinCriticsFactory,
} from "./src/engine/_twin_critics.ts";
export type { MlpLayerSlot, MlpLayout, MlpViews, MlpWorkspace } from "./src/engine/mlp.ts";
