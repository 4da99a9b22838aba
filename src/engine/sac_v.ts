/**
 * The value-network SAC update (Haarnoja et al. 2018a: twin critics, a state-value network V with a
 * Polyak-averaged target V', fixed temperature α, the lecture's optional penalty on the policy) on the fused
 * CPU engine: the same reducer as `core/agents/sac_v.ts`'s `makeSacV(config).update`, in its order, written
 * out over Float32Array arenas with every matrix product behind {@link Gemm}. Structure and naming follow
 * `td3.ts` and `sac.ts`: `update` is the algorithm as named steps over buffers allocated once by
 * {@link makeSacVEngine}.
 *
 * The policy arena is `sac.ts`'s: the reference's two linear heads (mean, log σ) are ONE last layer of width
 * 2·act, `mlpLayout([obs, ...hidden, 2·act])`, its W `[last, 2·act]` with columns `[mean | log σ]` and its b
 * `[b_mean | b_logStd]`; the Adam moments are laid out alike.
 *
 * State and memory. {@link SacVEngineState} is plain data; `update` never writes into its input state.
 * Every network and moment changes on every update, so the new state is written whole into the arenas of
 * `into` (double buffering as in `td3.ts`: pass the state of two updates ago, and a steady run allocates no
 * arena or buffer, only the RNG's keys and normal draws and the few small records it returns), or into fresh
 * arenas. Workspaces, gradient arenas and the concatenated critic inputs are allocated once per engine.
 *
 * Precision as in `sac.ts`: each element-wise tensor op of the reference is one float32 op here
 * (`Math.fround`), reductions are summed in float64 and rounded once, Adam and the soft update are
 * bit-exact, products differ by the GEMM's summation order, and the policy head's backward is the closed
 * form derived in `_squashed_gaussian.ts` (a few float32 ulps per element from tfjs's op-by-op gradient).
 * See the tests for the tolerances.
 *
 * @module
 */
import type { SacVConfig } from "../core/agents/sac_v.ts";
import type { Batch } from "../core/batch.ts";
import { type Key, normal, split } from "../core/rng.ts";
import { clipLogStd, LOG_STD_MAX, LOG_STD_MIN, makeSquashedGaussian } from "./_squashed_gaussian.ts";
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
import { mlpBackward, mlpForward, type MlpLayout, mlpLayout, mlpViews, mlpWorkspace } from "./mlp.ts";

/** Everything SAC-V learns and carries between updates, as arenas; two states never share an arena. */
export interface SacVEngineState extends TwinCriticArenas {
  /** Policy π_φ, `mlpLayout([obs, ...hidden, 2·act])`, last layer's columns `[mean | log σ]`. */
  readonly actor: Float32Array;
  /** Value network V_ψ, `mlpLayout([obs, ...hidden, 1])`. */
  readonly value: Float32Array;
  /** Target value network V_ψ', same layout. */
  readonly valueTarget: Float32Array;
  /** Adam first moment of the policy. */
  readonly actorM: Float32Array;
  /** Adam second moment of the policy. */
  readonly actorV: Float32Array;
  /** Adam step count of the policy. */
  readonly actorCount: number;
  /** Adam step count shared by both critics. */
  readonly criticCount: number;
  /** Adam first moment of V. */
  readonly valueM: Float32Array;
  /** Adam second moment of V. */
  readonly valueV: Float32Array;
  /** Adam step count of V. */
  readonly valueCount: number;
  /** RNG key for the policy samples of the update (core `rng.ts`). */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/** {@link makeSacVEngine}'s config: SAC-V's hyperparameters and the batch size the workspaces are sized for. */
export interface SacVEngineConfig extends SacVConfig {
  /** Transitions per batch; every batch passed to `update` must have this size. */
  readonly batchSize: number;
}

/** Diagnostics of one engine update, as numbers, named as the reference's metrics. */
export interface SacVEngineMetrics {
  /** MSE(Q₁, y_q) + MSE(Q₂, y_q) before the critic step. */
  readonly criticLoss: number;
  /** mean(α log π(ã|s) − min_j Q_j(s, ã)) (+ the policy penalty) before the policy step, new critics. */
  readonly actorLoss: number;
  /** MSE(V(s), y_v) before the value step. */
  readonly valueLoss: number;
  /** −mean log π(ã|s) under the policy the update started from. */
  readonly entropy: number;
}

/** A SAC-V engine: its layouts and the update reducer over preallocated workspaces. */
export interface SacVEngine {
  /** The config it was built for. */
  readonly config: SacVEngineConfig;
  /** Layout of the policy arena (and its moments'): `[obs, ...hidden, 2·act]`. */
  readonly actorLayout: MlpLayout;
  /** Layout of each critic arena (and its moments'): `[obs + act, ...hidden, 1]`. */
  readonly criticLayout: MlpLayout;
  /** Layout of the value arenas (V, V' and V's moments): `[obs, ...hidden, 1]`. */
  readonly valueLayout: MlpLayout;
  /**
   * One SAC-V update; never mutates `state`. The new state is written into the arenas of `into`, a state
   * the caller no longer needs (double buffering: pass the state of two updates ago, so that a steady run
   * allocates no arena), or into fresh arenas. `into` must not share an arena with `state`.
   *
   * @param state the current state
   * @param batch `config.batchSize` transitions
   * @param into the arenas to reuse (their contents are overwritten), default new ones
   * @returns the new state and the metrics
   * @throws {RangeError} on a batch of another size, or when `into` shares an arena with `state`
   */
  update(
    state: SacVEngineState,
    batch: Batch,
    into?: SacVEngineState,
  ): readonly [SacVEngineState, SacVEngineMetrics];
  /** Fresh, zeroed arenas of a state (counts, key and updates zero), e.g. the second buffer. */
  blank(): SacVEngineState;
  /** Release the critics' helper thread, if any; the engine is unusable afterwards. */
  dispose(): void;
}

const f = Math.fround;

/** The engine's clamp of log σ, `[min, max]`; equal to the reference's (checked by the test). */
export const SAC_V_LOG_STD_BOUNDS: readonly [number, number] = [LOG_STD_MIN, LOG_STD_MAX];

/*
 * The math, derived. n transitions, h = (high − low)/2 and center = (high + low)/2 per action dimension,
 * Q_j(s, a) = MLP_θj(concat(s, a)), V(s) = MLP_ψ(s), α the fixed temperature, ρ = policyReg.
 *
 * 0. The squashed Gaussian head, `sac.ts`'s step 0: `_squashed_gaussian.ts`'s forward and its closed-form
 *    backward (derived there). With z = MLP_φ(s) `[n, 2·act]`, μ = z[:, :act], ℓ = clip(z[:, act:], −20, 2),
 *    σ = exp(ℓ): ã = center + h ⊙ tanh(μ + σ ⊙ ε) and log π(ã|s); backward from G_i = dL/d log π_i and
 *    A_ij = dL/dã_ij to dL/dz, whose log σ columns are masked by 1[−20 ≤ z_ℓ ≤ 2].
 * 1. Critic target (no gradient): y_q = r + γ(1 − d)·V'(s'). V', not V: the bootstrap is the slow target.
 * 2. Critics. L = mean (Q₁ − y_q)² + mean (Q₂ − y_q)², dL/dQ_j,i = 2(Q_j,i − y_q,i)/n; one Adam over both
 *    (the shared count incremented once).
 * 3. Policy, with the critics after step 2, ε from the policy key, ã sampled from the policy the update
 *    started from:
 *      J = mean_i (α log π_i − m_i) + ρ·(mean_ij μ_ij² + mean_ij ℓ_ij²),   m_i = min(Q₁, Q₂)(s_i, ã_i).
 *    The soft part as in `sac.ts`: dJ/d log π_i = α/n; dJ/dm_i = −1/n, routed to Q₁ where Q₁ ≤ Q₂ and to Q₂
 *    otherwise (tfjs's minimum gradient); backward through both critics to their inputs, summed, whose
 *    action columns are A; then step 0's backward.
 *    The penalty (only when ρ ≠ 0, as the reference adds it only then), N = n·act the elements of each mean:
 *      ∂/∂μ_ij = 2ρ·μ_ij / N,    ∂/∂ℓ_ij = 2ρ·ℓ_ij / N  (ℓ the CLIPPED log σ, so this term too passes the
 *      clip's mask 1[−20 ≤ z_ℓ ≤ 2]; outside it, ℓ is a constant bound and its penalty has no gradient).
 *    The reference evaluates the heads a second time for the penalty (same values) and tfjs sums the two
 *    branches' gradients at the parameters; here they are summed at z (the same sum, by linearity):
 *      dJ/dz_μ = dL/dμ + 2ρμ/N,   dJ/dz_ℓ = [dL/du ⊙ ε ⊙ σ − G + 2ρℓ/N] ⊙ 1[−20 ≤ z_ℓ ≤ 2].
 *    Then the policy MLP's backward and one Adam step.
 * 4. Value, from the same sample as step 3 (the reference draws it again from the same policy and ε, giving
 *    the same ã and log π) and the critics of step 2, a constant target:
 *      y_v,i = m_i − α log π_i,   L_V = mean_i (V(s_i) − y_v,i)²,   dL_V/dV_i = 2(V_i − y_v,i)/n.
 * 5. The soft target update V' ← (1 − τ)V' + τV from the V of step 4.
 */

/**
 * Build the SAC-V update over arenas for one config, allocating every workspace once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSacVEngine } from "./sac_v.ts";
 * import { referenceGemm } from "./gemm.ts";
 *
 * const engine = makeSacVEngine({
 *   observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [8, 8], init: "torch",
 *   actorLr: 1e-3, criticLr: 1e-3, valueLr: 1e-3, alpha: 0.2, policyReg: 0, gamma: 0.99, tau: 0.005,
 *   batchSize: 16,
 * }, referenceGemm);
 * assert.deepEqual(engine.actorLayout.sizes, [3, 8, 8, 2]); // the heads [mean | log σ] as one layer
 * assert.deepEqual(engine.valueLayout.sizes, [3, 8, 8, 1]);
 * const [state, metrics] = engine.update(engine.blank(), {
 *   size: 16, observations: new Float32Array(48), actions: new Float32Array(16),
 *   rewards: new Float32Array(16), nextObservations: new Float32Array(48), terminated: new Float32Array(16),
 * });
 * assert.equal(state.updates, 1);
 * assert.equal(metrics.criticLoss, 0); // all-zero networks and rewards
 * ```
 *
 * @param config SAC-V's hyperparameters and the batch size
 * @param gemm the matrix product provider
 * @param options how to build the twin critics (default on this thread)
 * @returns the engine
 * @throws {RangeError} when the bounds do not have `actionSize` entries per side
 */
export function makeSacVEngine(
  config: SacVEngineConfig,
  gemm: Gemm,
  options: EngineOptions = {},
): SacVEngine {
  const { observationSize: obs, actionSize: act, hidden, bounds, batchSize: n } = config;
  if (bounds.low.length !== act || bounds.high.length !== act) {
    throw new RangeError(`bounds must have ${act} entries per side`);
  }
  const inQ = obs + act;
  const out = 2 * act; // policy outputs: [mean | log σ]
  const actorLayout = mlpLayout([obs, ...hidden, out]);
  const criticLayout = mlpLayout([inQ, ...hidden, 1]);
  const valueLayout = mlpLayout([obs, ...hidden, 1]);

  // Constants as tfjs sees them: float32 tensors of the float64 values.
  const invN = f(1 / n);
  const gamma = f(config.gamma);
  const alpha = f(config.alpha);
  const reg = f(config.policyReg);
  const heads = n * act; // elements of each penalty mean
  const regScale = f(reg / heads); // tfjs's mean gradient of the penalty: f(ρ / N)

  // Workspaces, shared across phases: wsActor serves π(s); the critics' serve Q₁ / Q₂, then the policy
  // loss's new Q₁ / Q₂; wsV serves V'(s'), then V(s).
  const wsActor = mlpWorkspace(actorLayout, n);
  const critics = (options.twinCritics ?? makeTwinCritics)(gemm, criticLayout, n, config.criticLr);
  const wsV = mlpWorkspace(valueLayout, n);
  // Critic inputs [n, obs + act]: (s, a) for the critics, (s, ã) for the policy and the value target.
  const sa = critics.alloc(n * inQ);
  const sPi = critics.alloc(n * inQ);
  const yQ = critics.alloc(n);
  const yV = new Float32Array(n);
  const dQ1 = critics.alloc(n); // the policy loss's dJ/dQⱼ
  const dQ2 = critics.alloc(n);
  const dV = new Float32Array(n);
  const logProb = new Float32Array(n); // log π(ã|s)
  // Step 0 on the action columns of the critic inputs, keeping the sample for its backward.
  const head = makeSquashedGaussian({ bounds, rows: n, rowLength: inQ, actionColumn: obs });
  const dSa = new Float32Array(n * inQ); // dJ/d[s, ã], summed over both critics
  const dZ = new Float32Array(n * out); // dJ/dz, z the policy MLP's output
  // Gradient arenas and their views, cut once.
  const gActor = mlpViews(actorLayout);
  const gV = mlpViews(valueLayout);
  const actorAdam = { lr: config.actorLr };
  const valueAdam = { lr: config.valueLr };

  const rows = concatRows(n, obs, act);
  const actorViews = arenaViews(actorLayout);
  const valueViews = arenaViews(valueLayout);
  const [a, c, v] = [actorLayout.length, criticLayout.length, valueLayout.length];
  const blank = (): SacVEngineState => ({
    ...zeroArenas({ actor: a, actorM: a, actorV: a }),
    ...zeroArenas({ q1: c, q2: c, q1M: c, q1V: c, q2M: c, q2V: c }, critics.alloc),
    ...zeroArenas({ value: v, valueTarget: v, valueM: v, valueV: v }),
    actorCount: 0,
    criticCount: 0,
    valueCount: 0,
    key: state0Key,
    updates: 0,
  });

  const update = (
    state: SacVEngineState,
    batch: Batch,
    into: SacVEngineState = blank(),
  ): readonly [SacVEngineState, SacVEngineMetrics] => {
    if (batch.size !== n) throw new RangeError(`batch of ${batch.size}, the engine is for ${n}`);
    assertNoSharedArena(into, state, SAC_V_ARENAS);
    const [key, piKey] = split(state.key);
    const s = batch.observations;

    // 1. Critic target: y_q = r + γ(1−d)·V'(s').
    const vNext = mlpForward(
      gemm,
      valueLayout,
      valueViews(state.valueTarget),
      batch.nextObservations,
      n,
      wsV,
    );
    for (let i = 0; i < n; i++) {
      const notDone = f(1 - batch.terminated[i]);
      yQ[i] = f(batch.rewards[i] + f(f(notDone * gamma) * vNext[i]));
    }

    // 2. Critics: L = mean(Q₁ − y_q)² + mean(Q₂ − y_q)²; one Adam step on both, into `into`'s arenas.
    rows(s, batch.actions, sa);
    const criticCount = state.criticCount + 1;
    const criticLoss = critics.step(state, sa, yQ, criticCount, into);

    // 3. Policy: J = mean(α log π − min(Q₁, Q₂))(s, ã) + ρ(mean μ² + mean ℓ²) with the new critics.
    const actor = actorViews(state.actor);
    const piEps = normal(piKey, n * act);
    rows(s, batch.actions, sPi); // action columns overwritten by ã
    const z = mlpForward(gemm, actorLayout, actor, s, n, wsActor); // stays in wsActor for the backward
    head.sample(z, piEps, sPi, logProb);
    const [q1Pi, q2Pi] = critics.forward(into.q1, into.q2, sPi);
    let sumJ = 0, sumLogProb = 0;
    for (let i = 0; i < n; i++) {
      const first = q1Pi[i] <= q2Pi[i];
      const m = first ? q1Pi[i] : q2Pi[i];
      const alphaLogProb = f(alpha * logProb[i]);
      sumJ += f(f(alphaLogProb - m) / n); // tfjs's mean: Σ f(x/n)
      sumLogProb += f(logProb[i] / n);
      yV[i] = f(m - alphaLogProb); // step 4's target, from this same sample
      dQ1[i] = first ? -invN : 0;
      dQ2[i] = first ? 0 : -invN;
    }
    let actorLoss = f(sumJ);
    if (reg !== 0) {
      let sumMean = 0, sumLogStd = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < act; j++) {
          const mu = z[i * out + j], ls = clipLogStd(z[i * out + act + j]);
          sumMean += f(f(mu * mu) / heads);
          sumLogStd += f(f(ls * ls) / heads);
        }
      }
      actorLoss = f(actorLoss + f(reg * f(f(sumMean) + f(sumLogStd))));
    }
    // Through the critics to their input only: they do not move in the policy step.
    critics.inputGradient(into.q1, into.q2, dQ1, dQ2, dSa);
    head.backward(z, piEps, dSa, f(invN * alpha), dZ); // dJ/d log π_i = α/n for every i
    if (reg !== 0) {
      // The penalty's 2ρx/N as tfjs's square and mean gradients: f(f(ρ/N)·2x), added to the soft part's
      // dJ/dz; inside the clip ℓ = z, outside it the log σ column stays 0.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < act; j++) {
          const m = i * out + j, l = i * out + act + j, raw = z[l];
          dZ[m] = f(dZ[m] + f(regScale * 2 * z[m]));
          if (raw >= LOG_STD_MIN && raw <= LOG_STD_MAX) dZ[l] = f(dZ[l] + f(regScale * 2 * raw));
        }
      }
    }
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

    // 4. Value: L_V = mean(V(s) − y_v)², y_v = min(Q₁, Q₂)(s, ã) − α log π(ã|s) from step 3.
    const value = valueViews(state.value);
    const vOut = mlpForward(gemm, valueLayout, value, s, n, wsV);
    let sumV = 0;
    for (let i = 0; i < n; i++) {
      const e = f(vOut[i] - yV[i]);
      sumV += f(e * e);
      dV[i] = f(2 * e) * invN;
    }
    const valueLoss = f(f(sumV) / n);
    mlpBackward(gemm, valueLayout, value, wsV, dV, gV);
    const valueCount = state.valueCount + 1;
    const newValue = { p: into.value, m: into.valueM, v: into.valueV };
    adamStep(
      { p: state.value, m: state.valueM, v: state.valueV },
      gV.arena,
      valueCount,
      valueAdam,
      newValue,
    );

    // 5. Soft target update of V' from the V of step 4.
    softUpdate(state.valueTarget, newValue.p, config.tau, into.valueTarget);
    return [{
      actor: newActor.p,
      q1: into.q1,
      q2: into.q2,
      value: newValue.p,
      valueTarget: into.valueTarget,
      actorM: newActor.m,
      actorV: newActor.v,
      actorCount,
      q1M: into.q1M,
      q1V: into.q1V,
      q2M: into.q2M,
      q2V: into.q2V,
      criticCount,
      valueM: newValue.m,
      valueV: newValue.v,
      valueCount,
      key,
      updates: state.updates + 1,
    }, { criticLoss, actorLoss, valueLoss, entropy: -f(sumLogProb) }];
  };

  return { config, actorLayout, criticLayout, valueLayout, update, blank, dispose: critics.dispose };
}

/** The arena fields of a SAC-V engine state. */
export const SAC_V_ARENAS = [
  "actor",
  "q1",
  "q2",
  "value",
  "valueTarget",
  "actorM",
  "actorV",
  "q1M",
  "q1V",
  "q2M",
  "q2V",
  "valueM",
  "valueV",
] as const;

/** The key of a blank state (any key: a blank state is overwritten before it is read). */
const state0Key = [0, 0] as unknown as Key;
