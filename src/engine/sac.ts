/**
 * The SAC update with learned temperature (Haarnoja et al. 2018b) on the fused CPU engine: the same reducer
 * as `core/agents/sac.ts`'s `makeSac(config).update`, written out over Float32Array arenas, with every
 * matrix product behind {@link Gemm}. Structure, naming and memory policy follow `td3.ts`: `update` is the
 * algorithm as named steps over buffers allocated once by {@link makeSacEngine}.
 *
 * The policy arena. The reference policy is a ReLU trunk and two linear heads (mean, log σ) on the trunk's
 * last hidden layer. Here the two heads are ONE last layer of width 2·act: the arena is
 * `mlpLayout([obs, ...hidden, 2·act])`, the last W is `[last, 2·act]` with columns `[mean | log σ]` and the
 * last b is `[b_mean | b_logStd]`. Each output column is the same dot product as in the reference, so this
 * is the same network; the Adam moments are laid out alike (Adam is elementwise).
 *
 * State and memory as in `td3.ts`. {@link SacEngineState} is plain data: one parameter arena per network in
 * `mlpLayout` order, the Adam moments as arenas of the same layouts, log α and its Adam moments as numbers,
 * the step counts, the RNG key and the update count. `update` never writes into its input state. It writes
 * the new state into the arenas of `into`, a state the caller no longer needs (double buffering: pass the
 * state of two updates ago; `blank()` makes the second buffer), or into fresh arenas when `into` is omitted.
 * Every network and moment changes on every SAC update, so every arena of `into` is overwritten and none is
 * carried over; two states never share an arena. Workspaces, gradient arenas, the concatenated critic
 * inputs, log α's one-element Adam buffers and the layer views (cut once per arena) are allocated once per
 * engine. With `into` given, an update allocates no arena; what it still allocates is the core RNG's
 * (`split` into three keys, and the two `normal(key, n·act)` draws, each returning fresh typed arrays of
 * its bits, uniforms and normals) and the small records of the returned state and metrics.
 *
 * Precision as in `td3.ts`: each element-wise tensor op of the reference is one float32 op here
 * (`Math.fround`), reductions are summed in float64 and rounded once, Adam and the soft updates are
 * bit-exact, products differ by the GEMM's summation order. The policy head's backward is written in the
 * closed form derived in `_squashed_gaussian.ts` rather than op for op through tfjs's gradient graph, so it
 * differs from the reference by a few float32 ulps per element. See the tests for the tolerances.
 *
 * @module
 */
import type { SacConfig } from "../core/agents/sac.ts";
import type { Batch } from "../core/batch.ts";
import { type Key, keyFromSeed, normal, split } from "../core/rng.ts";
import { LOG_STD_MAX, LOG_STD_MIN, makeSquashedGaussian } from "./_squashed_gaussian.ts";
import {
  arenaViews,
  assertNoSharedArena,
  concatRows,
  type EngineOptions,
  makeTwinCritics,
  type TwinCriticArenas,
  zeroArenas,
} from "./_twin_critics.ts";
import { adamStep, softUpdate } from "./adam.ts";
import type { Gemm } from "./gemm.ts";
import {
  mlpBackward,
  mlpForward,
  type MlpLayout,
  mlpLayout,
  type MlpViews,
  mlpViews,
  mlpWorkspace,
} from "./mlp.ts";
import { exp } from "../core/math.ts";

/** Everything SAC learns and carries between updates, as arenas; two states never share an arena. */
export interface SacEngineState extends TwinCriticArenas {
  /** Policy π_φ, `mlpLayout([obs, ...hidden, 2·act])`, last layer's columns `[mean | log σ]`. */
  readonly actor: Float32Array;
  /** Target critic Q_θ'₁. */
  readonly q1Target: Float32Array;
  /** Target critic Q_θ'₂. */
  readonly q2Target: Float32Array;
  /** Adam first moment of the policy. */
  readonly actorM: Float32Array;
  /** Adam second moment of the policy. */
  readonly actorV: Float32Array;
  /** Adam step count of the policy. */
  readonly actorCount: number;
  /** Adam step count shared by both critics. */
  readonly criticCount: number;
  /** log α, a float32 value. */
  readonly logAlpha: number;
  /** Adam first moment of log α. */
  readonly logAlphaM: number;
  /** Adam second moment of log α. */
  readonly logAlphaV: number;
  /** Adam step count of log α. */
  readonly alphaCount: number;
  /** RNG key for the policy samples of the update (core `rng.ts`). */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/** {@link makeSacEngine}'s config: SAC's hyperparameters and the batch size the workspaces are sized for. */
export interface SacEngineConfig extends SacConfig {
  /** Transitions per batch; every batch passed to `update` must have this size. */
  readonly batchSize: number;
}

/** Diagnostics of one engine update, as numbers, named as the reference's metrics. */
export interface SacEngineMetrics {
  /** MSE(Q₁, y) + MSE(Q₂, y) before the critic step. */
  readonly criticLoss: number;
  /** mean(α log π(ã|s) − min_j Q_j(s, ã)) before the policy step (with the new critics). */
  readonly actorLoss: number;
  /** −mean(log α · (log π(ã|s) + target entropy)) before the temperature step. */
  readonly alphaLoss: number;
  /** α = exp(log α) at the start of the update (the one every loss used). */
  readonly alpha: number;
  /** −mean log π(ã|s) under the policy the update started from. */
  readonly entropy: number;
}

/** A SAC engine: its layouts and the update reducer over preallocated workspaces. */
export interface SacEngine {
  /** The config it was built for. */
  readonly config: SacEngineConfig;
  /** Layout of the policy arenas (and its moments'): `[obs, ...hidden, 2·act]`. */
  readonly actorLayout: MlpLayout;
  /** Layout of each critic arena (and targets', and moments'). */
  readonly criticLayout: MlpLayout;
  /**
   * One SAC update; never mutates `state`. The new state is written into the arenas of `into`, a state the
   * caller no longer needs (double buffering: pass the state of two updates ago, so that a steady run
   * allocates no arena), or into fresh arenas. `into` must not share an arena with `state`.
   *
   * @param state the current state
   * @param batch `config.batchSize` transitions
   * @param into the arenas to reuse (their contents are overwritten), default new ones
   * @returns the new state and the metrics
   * @throws {RangeError} when the batch has another size, or `into` shares an arena with `state`
   */
  update(
    state: SacEngineState,
    batch: Batch,
    into?: SacEngineState,
  ): readonly [SacEngineState, SacEngineMetrics];
  /** Fresh, zeroed arenas of a state (scalars, counts, key and updates zero), e.g. the second buffer. */
  blank(): SacEngineState;
  /** Release the critics' helper thread, if any; the engine is unusable afterwards. */
  dispose(): void;
}

const f = Math.fround;

/** The engine's clamp of log σ, `[min, max]`; equal to the reference's (checked by the test). */
export const SAC_LOG_STD_BOUNDS: readonly [number, number] = [LOG_STD_MIN, LOG_STD_MAX];

/*
 * The math, derived. n transitions, h = (high − low)/2 and center = (high + low)/2 per action dimension,
 * Q_j(s, a) = MLP_θj(concat(s, a)), α = exp(log α) from the start of the update, held constant in every loss
 * but the temperature's.
 *
 * 0. The squashed Gaussian head (core `squashed_gaussian.ts`), `_squashed_gaussian.ts`'s forward and its
 *    closed-form backward (derived there). With z = MLP_φ(s) `[n, 2·act]`, μ = z[:, :act],
 *    ℓ = clip(z[:, act:], −20, 2), σ = exp(ℓ): ã = center + h ⊙ tanh(μ + σ ⊙ ε) and log π(ã|s); backward
 *    from G_i = dL/d log π_i and A_ij = dL/dã_ij to dL/dz.
 * 1. Target (no gradient). ε' from the next-noise key, a' ~ π_φ(·|s') from the CURRENT policy (the reference
 *    samples with `state.actor`):  y = r + γ(1 − d)(min(Q'₁, Q'₂)(s', a') − α log π(a'|s')).
 * 2. Critics. L = mean (Q₁ − y)² + mean (Q₂ − y)², one Adam over both (`_twin_critics.ts`).
 * 3. Policy, with the critics after step 2 and ε from the policy key:
 *      J = mean_i (α log π_i − m_i),  m_i = min(Q₁, Q₂)(s_i, ã_i):
 *      dJ/d log π_i = α/n;  dJ/dm_i = −1/n, routed to Q₁ where Q₁ ≤ Q₂ and to Q₂ otherwise (tfjs's minimum
 *      gradient); backward through both critics to their inputs, summed (each row gets one nonzero term);
 *      the action columns are A = dJ/dã; then step 0's backward and the policy MLP's.
 * 4. Temperature, log π_i of the same sample under the policy step 3 started from (a constant):
 *      K = −mean_i log α · (log π_i + H̄),   dK/d log α = −mean_i (log π_i + H̄).
 * 5. Soft target updates θ'_j ← (1 − τ)θ'_j + τθ_j from the critics of step 2.
 */

/**
 * Build the SAC update over arenas for one config, allocating every workspace once.
 *
 * @example
 * ```ts
 * import { makeSacEngine } from "./sac.ts";
 * import { referenceGemm } from "./gemm.ts";
 * const engine = makeSacEngine({
 *   observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [8, 8], init: "torch",
 *   actorLr: 1e-3, criticLr: 1e-3, alphaLr: 1e-3, alpha: 0.2, targetEntropy: -1, gamma: 0.99, tau: 0.005,
 *   batchSize: 16,
 * }, referenceGemm);
 * engine.actorLayout.sizes; // [3, 8, 8, 2]
 * ```
 *
 * @param config SAC's hyperparameters and the batch size
 * @param gemm the matrix product provider
 * @param options how to build the twin critics (default on this thread)
 * @returns the engine
 */
export function makeSacEngine(
  config: SacEngineConfig,
  gemm: Gemm,
  options: EngineOptions = {},
): SacEngine {
  const { observationSize: obs, actionSize: act, hidden, bounds, batchSize: n } = config;
  if (bounds.low.length !== act || bounds.high.length !== act) {
    throw new RangeError(`bounds must have ${act} entries per side`);
  }
  const inQ = obs + act;
  const out = 2 * act; // policy outputs: [mean | log σ]
  const actorLayout = mlpLayout([obs, ...hidden, out]);
  const criticLayout = mlpLayout([inQ, ...hidden, 1]);

  // Constants as tfjs sees them: float32 tensors of the float64 values.
  const invN = f(1 / n);
  const gamma = f(config.gamma);
  const targetEntropy = f(config.targetEntropy);

  // Workspaces, shared across phases as in td3.ts: wsActor serves π(s') then π(s); the critics' serve
  // Q'₁ / Q'₂, then Q₁ / Q₂, then the policy loss's new Q₁ / Q₂.
  const wsActor = mlpWorkspace(actorLayout, n);
  const critics = (options.twinCritics ?? makeTwinCritics)(gemm, criticLayout, n, config.criticLr);
  // Critic inputs [n, obs + act]: (s', a') for the target, (s, a) for the critics, (s, ã) for the policy.
  const nextSa = critics.alloc(n * inQ);
  const sa = critics.alloc(n * inQ);
  const sPi = critics.alloc(n * inQ);
  const y = critics.alloc(n);
  const dQ1 = critics.alloc(n); // the policy loss's dJ/dQⱼ
  const dQ2 = critics.alloc(n);
  const logProbNext = new Float32Array(n); // log π(a'|s')
  const logProb = new Float32Array(n); // log π(ã|s)
  // Step 0 on the action columns of the critic inputs, keeping the latest sample for its backward.
  const head = makeSquashedGaussian({ bounds, rows: n, rowLength: inQ, actionColumn: obs });
  const dSa = new Float32Array(n * inQ); // dJ/d[s, ã], summed over both critics
  const dZ = new Float32Array(n * out); // dJ/dz, z the policy MLP's output
  // Gradient arenas and their views, cut once.
  const gActor = mlpViews(actorLayout);
  const actorAdam = { lr: config.actorLr };
  const alphaAdam = { lr: config.alphaLr };
  const alphaFrom = { p: new Float32Array(1), m: new Float32Array(1), v: new Float32Array(1) };
  const alphaTo = { p: new Float32Array(1), m: new Float32Array(1), v: new Float32Array(1) };
  const alphaGrad = new Float32Array(1);

  const rows = concatRows(n, obs, act);
  const actorViews = arenaViews(actorLayout);
  const [a, c] = [actorLayout.length, criticLayout.length];
  const blank = (): SacEngineState => ({
    ...zeroArenas({ actor: a, actorM: a, actorV: a }),
    ...zeroArenas({ q1: c, q2: c, q1Target: c, q2Target: c, q1M: c, q1V: c, q2M: c, q2V: c }, critics.alloc),
    actorCount: 0,
    criticCount: 0,
    logAlpha: 0,
    logAlphaM: 0,
    logAlphaV: 0,
    alphaCount: 0,
    key: state0Key,
    updates: 0,
  });

  /**
   * Step 0's forward: ã = rescale(tanh(μ + σ ⊙ ε)) into the action columns of `dst` (`[n, obs + act]`, s
   * columns already there) and log π(ã|s) into `lp`; z stays in `wsActor.out` for the backward.
   */
  const sampleInto = (
    actor: MlpViews,
    s: Float32Array,
    eps: Float32Array,
    dst: Float32Array,
    lp: Float32Array,
  ) => head.sample(mlpForward(gemm, actorLayout, actor, s, n, wsActor), eps, dst, lp);

  const update = (
    state: SacEngineState,
    batch: Batch,
    into: SacEngineState = blank(),
  ): readonly [SacEngineState, SacEngineMetrics] => {
    if (batch.size !== n) throw new RangeError(`batch of ${batch.size}, the engine is for ${n}`);
    assertNoSharedArena(into, state, SAC_ARENAS);
    const [key, nextKey, piKey] = split(state.key, 3);
    const s = batch.observations, s2 = batch.nextObservations;
    const alpha = f(exp(state.logAlpha));
    const actor = actorViews(state.actor);

    // 1. Target: a' ~ π(·|s') (current policy); y = r + γ(1−d)(min(Q'₁, Q'₂)(s', a') − α log π(a'|s')).
    rows(s2, batch.actions, nextSa); // action columns overwritten just below
    sampleInto(actor, s2, normal(nextKey, n * act), nextSa, logProbNext);
    const [q1Next, q2Next] = critics.targets(state.q1Target, state.q2Target, nextSa);
    for (let i = 0; i < n; i++) {
      const soft = f(Math.min(q1Next[i], q2Next[i]) - f(alpha * logProbNext[i]));
      const notDone = f(1 - batch.terminated[i]);
      y[i] = f(batch.rewards[i] + f(f(notDone * gamma) * soft));
    }

    // 2. Critics: L = mean(Q₁ − y)² + mean(Q₂ − y)²; one Adam step on both, into `into`'s arenas.
    rows(s, batch.actions, sa);
    const criticCount = state.criticCount + 1;
    const criticLoss = critics.step(state, sa, y, criticCount, into);

    // 3. Policy: J = mean(α log π − min(Q₁, Q₂))(s, ã) with the new critics; backward as derived above.
    rows(s, batch.actions, sPi); // action columns overwritten by ã
    const piEps = normal(piKey, n * act);
    sampleInto(actor, s, piEps, sPi, logProb);
    const [q1Pi, q2Pi] = critics.forward(into.q1, into.q2, sPi);
    let sumJ = 0;
    for (let i = 0; i < n; i++) {
      const first = q1Pi[i] <= q2Pi[i];
      sumJ += f(f(f(alpha * logProb[i]) - (first ? q1Pi[i] : q2Pi[i])) / n); // tfjs's mean: Σ f(x/n)
      dQ1[i] = first ? -invN : 0;
      dQ2[i] = first ? 0 : -invN;
    }
    const actorLoss = f(sumJ);
    // Through the critics to their input only: they do not move in the policy step.
    critics.inputGradient(into.q1, into.q2, dQ1, dQ2, dSa);
    head.backward(wsActor.out, piEps, dSa, f(invN * alpha), dZ); // dJ/d log π_i = α/n for every i
    mlpBackward(gemm, actorLayout, actor, wsActor, dZ, gActor);
    const actorCount = state.actorCount + 1;
    const newActor = { p: into.actor, m: into.actorM, v: into.actorV };
    adamStep(
      { p: state.actor, m: state.actorM, v: state.actorV },
      gActor.arena,
      actorCount,
      actorAdam,
      newActor,
    );

    // 4. Temperature: K = −mean(log α · (log π + H̄)), dK/d log α = Σ_i −(1/n)(log π_i + H̄).
    let sumK = 0, sumGrad = 0, sumLogProb = 0;
    for (let i = 0; i < n; i++) {
      const shifted = f(logProb[i] + targetEntropy);
      sumK += f(f(state.logAlpha * shifted) / n);
      sumGrad += f(-invN * shifted);
      sumLogProb += f(logProb[i] / n);
    }
    alphaFrom.p[0] = state.logAlpha;
    alphaFrom.m[0] = state.logAlphaM;
    alphaFrom.v[0] = state.logAlphaV;
    alphaGrad[0] = sumGrad;
    const alphaCount = state.alphaCount + 1;
    adamStep(alphaFrom, alphaGrad, alphaCount, alphaAdam, alphaTo);

    // 5. Soft target updates from the critics of step 2.
    const { q1Target, q2Target } = into;
    softUpdate(state.q1Target, into.q1, config.tau, q1Target);
    softUpdate(state.q2Target, into.q2, config.tau, q2Target);
    return [{
      actor: newActor.p,
      q1: into.q1,
      q2: into.q2,
      q1Target,
      q2Target,
      actorM: newActor.m,
      actorV: newActor.v,
      actorCount,
      q1M: into.q1M,
      q1V: into.q1V,
      q2M: into.q2M,
      q2V: into.q2V,
      criticCount,
      logAlpha: alphaTo.p[0],
      logAlphaM: alphaTo.m[0],
      logAlphaV: alphaTo.v[0],
      alphaCount,
      key,
      updates: state.updates + 1,
    }, { criticLoss, actorLoss, alphaLoss: -f(sumK), alpha, entropy: -f(sumLogProb) }];
  };

  return { config, actorLayout, criticLayout, update, blank, dispose: critics.dispose };
}

/** The arena fields of a SAC engine state (log α and its moments are numbers, not arenas). */
export const SAC_ARENAS = [
  "actor",
  "q1",
  "q2",
  "q1Target",
  "q2Target",
  "actorM",
  "actorV",
  "q1M",
  "q1V",
  "q2M",
  "q2V",
] as const;

/** The key of a blank state (any key: a blank state is overwritten before it is read). */
const state0Key = keyFromSeed(0);
