/**
 * The TD3 update (Fujimoto, van Hoof & Meger 2018) on the fused CPU engine: the same reducer as
 * `core/agents/td3.ts`'s `makeTd3(config).update`, written out over Float32Array arenas, with every matrix
 * product behind {@link Gemm}. Read top to bottom, `update` is the algorithm as named steps over buffers
 * allocated once by {@link makeTd3Engine} (RLtools' `td3/operations_generic.h`, llm.c's layout).
 *
 * State and memory. {@link Td3EngineState} is plain data: one parameter arena per network in `mlpLayout`
 * order, the Adam moments as arenas of the same layouts, the step counts, the RNG key and the update count.
 * `update` never writes into its input state: it writes the new state into the arenas of `into`, a state
 * the caller no longer needs (the runtime passes the state of two updates ago: double buffering), and two
 * states never share an arena. Workspaces, gradient arenas and the concatenated critic inputs are allocated
 * once per engine and reused, so a steady run allocates nothing but the noise.
 *
 * Precision. Element-wise steps are done as float32 ops (`Math.fround` after each op the reference does as a
 * tensor op: tanh, rescale, noise, clip, min, the target); reductions (the MSE and its sums) are summed in
 * float64 and rounded once. Adam and the soft updates are bit-exact with tfjs (`adam.ts`); products differ by
 * the GEMM's summation order. So the engine equals tfjs to float32 rounding, not bit for bit: see the tests
 * for the tolerances.
 *
 * @module
 */
import type { Td3Config } from "../core/agents/td3.ts";
import type { Batch } from "../core/batch.ts";
import { type Key, normal, split } from "../core/rng.ts";
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
  type MlpBackwardOptions,
  mlpForward,
  type MlpLayout,
  mlpLayout,
  type MlpViews,
  mlpViews,
  mlpWorkspace,
} from "./mlp.ts";

/** Everything TD3 learns and carries between updates, as arenas; two states never share an arena. */
export interface Td3EngineState extends TwinCriticArenas {
  /** Actor μ_φ, `mlpLayout([obs, ...hidden, act])`. */
  readonly actor: Float32Array;
  /** Target actor μ_φ', same layout. */
  readonly actorTarget: Float32Array;
  /** Target critic Q_θ'₁. */
  readonly q1Target: Float32Array;
  /** Target critic Q_θ'₂. */
  readonly q2Target: Float32Array;
  /** Adam first moment of the actor. */
  readonly actorM: Float32Array;
  /** Adam second moment of the actor. */
  readonly actorV: Float32Array;
  /** Adam step count of the actor (actor steps done). */
  readonly actorCount: number;
  /** Adam step count shared by both critics (critic steps done). */
  readonly criticCount: number;
  /** RNG key for the target smoothing noise (core `rng.ts`). */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/** {@link makeTd3Engine}'s config: TD3's hyperparameters and the batch size the workspaces are sized for. */
export interface Td3EngineConfig extends Td3Config {
  /** Transitions per batch; every batch passed to `update` must have this size. */
  readonly batchSize: number;
}

/** Diagnostics of one engine update, as numbers. */
export interface Td3EngineMetrics {
  /** MSE(Q₁, y) + MSE(Q₂, y) before the critic step. */
  readonly criticLoss: number;
  /** −mean Q₁(s, μ(s)) before the actor step (with the new critics); only on actor steps. */
  readonly actorLoss?: number;
}

/** A TD3 engine: its layouts and the update reducer over preallocated workspaces. */
export interface Td3Engine {
  /** The config it was built for. */
  readonly config: Td3EngineConfig;
  /** Layout of the actor arenas (and the actor target's, and the actor moments'). */
  readonly actorLayout: MlpLayout;
  /** Layout of each critic arena (and targets', and moments'). */
  readonly criticLayout: MlpLayout;
  /**
   * One TD3 update; never mutates `state`. The new state is written into the arenas of `into`, a state the
   * caller no longer needs (double buffering: pass the state of two updates ago, so that a steady run
   * allocates nothing), or into fresh arenas. `into` must not share an arena with `state`.
   *
   * @param state the current state
   * @param batch `config.batchSize` transitions
   * @param into the arenas to reuse (their contents are overwritten), default new ones
   * @returns the new state and the losses
   */
  update(
    state: Td3EngineState,
    batch: Batch,
    into?: Td3EngineState,
  ): readonly [Td3EngineState, Td3EngineMetrics];
  /** Fresh, zeroed arenas of a state (counts, key and updates zero), e.g. the second buffer. */
  blank(): Td3EngineState;
  /** Release the critics' helper thread, if any; the engine is unusable afterwards. */
  dispose(): void;
}

const f = Math.fround;

/*
 * The math, derived. n transitions, h = (high − low)/2 and center = (high + low)/2 per action dimension,
 * μ(s) = center + h ⊙ tanh(MLP_φ(s)), Q_j(s, a) = MLP_θj(concat(s, a)).
 *
 * 1. Target (no gradient). ε ~ N(0, 1) of shape [n, act] from the noise key,
 *      a₂ = clip(μ'(s') + h ⊙ clip(σ·ε, −c, c), low, high)
 *      y  = r + γ(1 − d) · min(Q'₁(s', a₂), Q'₂(s', a₂)).
 * 2. Critics. L = mean_i (Q₁ − y)² + mean_i (Q₂ − y)², one Adam over both (`_twin_critics.ts`).
 * 3. Actor, every policyDelay-th update, with the critics after step 2. J = −mean_i Q₁(s_i, μ(s_i)):
 *      dJ/dQ₁,i = −1/n;  backward through Q₁ down to its input gives dJ/d[s, a]; its action columns are dJ/dμ;
 *      μ = center + h ⊙ tanh(u)  ⇒  dJ/du = dJ/dμ ⊙ h ⊙ (1 − tanh²(u));  backward through the actor MLP.
 *    That backward computes dJ/d[s, a] only, no parameter gradients (the critic does not move here).
 * 4. Then the soft updates θ' ← (1 − τ)θ' + τθ: the actor target from the new actor, the critic targets from
 *    the critics of step 2.
 */

/**
 * Build the TD3 update over arenas for one config, allocating every workspace once.
 *
 * @example
 * ```ts
 * import { makeTd3Engine } from "./td3.ts";
 * import { referenceGemm } from "./gemm.ts";
 * const engine = makeTd3Engine({
 *   observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [8, 8], actorLr: 1e-3,
 *   criticLr: 1e-3, gamma: 0.99, tau: 0.005, policyNoise: 0.2, noiseClip: 0.5, policyDelay: 2, batchSize: 16,
 * }, referenceGemm);
 * engine.criticLayout.sizes; // [4, 8, 8, 1]
 * ```
 *
 * @param config TD3's hyperparameters and the batch size
 * @param gemm the matrix product provider
 * @param options how to build the twin critics (default on this thread)
 * @returns the engine
 */
export function makeTd3Engine(
  config: Td3EngineConfig,
  gemm: Gemm,
  options: EngineOptions = {},
): Td3Engine {
  const { observationSize: obs, actionSize: act, hidden, bounds, batchSize: n } = config;
  if (bounds.low.length !== act || bounds.high.length !== act) {
    throw new RangeError(`bounds must have ${act} entries per side`);
  }
  if (!Number.isInteger(config.policyDelay) || config.policyDelay < 1) {
    throw new RangeError(`policyDelay must be a positive integer, got ${config.policyDelay}`);
  }
  const inQ = obs + act;
  const actorLayout = mlpLayout([obs, ...hidden, act]);
  const criticLayout = mlpLayout([inQ, ...hidden, 1]);

  // Constants as tfjs sees them: float32 tensors of the float64 values.
  const half = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] - lo) / 2);
  const center = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] + lo) / 2);
  const low = Float32Array.from(bounds.low);
  const high = Float32Array.from(bounds.high);
  const sigma = f(config.policyNoise), clipC = f(config.noiseClip), gamma = f(config.gamma);

  // Workspaces, one per network in use; phases run one after another, so they are shared across phases:
  // wsActor serves μ'(s') then μ(s); the critics' serve Q'₁ / Q'₂, then Q₁ / Q₂, then (Q₁'s) the actor
  // loss's Q₁.
  const wsActor = mlpWorkspace(actorLayout, n);
  const critics = (options.twinCritics ?? makeTwinCritics)(gemm, criticLayout, n, config.criticLr);
  // Critic inputs [n, obs + act]: (s', a₂) for the target, (s, a) for the critics, (s, μ(s)) for the actor.
  const nextSa = critics.alloc(n * inQ);
  const sa = critics.alloc(n * inQ);
  const sPi = critics.alloc(n * inQ);
  const y = critics.alloc(n);
  const dActorQ = new Float32Array(n).fill(-1 / n); // dJ/dQ₁ = −1/n, constant
  const tanhU = new Float32Array(n * act); // tanh(MLP_φ(s)), kept for the backward
  const dSa = new Float32Array(n * inQ); // dJ/d[s, a] from Q₁'s backward
  const dU = new Float32Array(n * act); // dJ/du, u the actor MLP's output
  // Gradient arenas and their views, cut once.
  const gActor = mlpViews(actorLayout);
  const throughQ1: MlpBackwardOptions = { dx: dSa, inputOnly: true };
  const actorAdam = { lr: config.actorLr };
  const rows = concatRows(n, obs, act);
  const actorViews = arenaViews(actorLayout);
  const [a, c] = [actorLayout.length, criticLayout.length];
  const blank = (): Td3EngineState => ({
    ...zeroArenas({ actor: a, actorTarget: a, actorM: a, actorV: a }),
    ...zeroArenas({ q1: c, q2: c, q1Target: c, q2Target: c, q1M: c, q1V: c, q2M: c, q2V: c }, critics.alloc),
    actorCount: 0,
    criticCount: 0,
    key: state0Key,
    updates: 0,
  });

  /**
   * μ(s) into the action columns of `out` (`[n, obs + act]`, s columns already there), keeping tanh(u)
   * in `tanhU`: f(f(tanh(u)·h) + center), as `rescale(tf.tanh(mlp))`.
   */
  const policyInto = (actor: MlpViews, s: Float32Array, out: Float32Array) => {
    const u = mlpForward(gemm, actorLayout, actor, s, n, wsActor);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < act; j++) {
        const t = f(Math.tanh(u[i * act + j]));
        tanhU[i * act + j] = t;
        out[i * inQ + obs + j] = f(f(t * half[j]) + center[j]);
      }
    }
  };

  const update = (
    state: Td3EngineState,
    batch: Batch,
    into: Td3EngineState = blank(),
  ): readonly [Td3EngineState, Td3EngineMetrics] => {
    if (batch.size !== n) throw new RangeError(`batch of ${batch.size}, the engine is for ${n}`);
    assertNoSharedArena(into, state, TD3_ARENAS);
    const [key, noiseKey] = split(state.key);
    const s = batch.observations, s2 = batch.nextObservations;

    // 1. Target: a₂ = clip(μ'(s') + h ⊙ clip(σ·ε, ±c), bounds); y = r + γ(1−d)·min(Q'₁, Q'₂)(s', a₂).
    const eps = normal(noiseKey, n * act);
    rows(s2, batch.actions, nextSa); // action columns overwritten just below
    policyInto(actorViews(state.actorTarget), s2, nextSa);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < act; j++) {
        const noise = f(Math.min(Math.max(f(eps[i * act + j] * sigma), -clipC), clipC));
        const at = i * inQ + obs + j;
        const a2 = f(nextSa[at] + f(noise * half[j]));
        nextSa[at] = Math.min(Math.max(a2, low[j]), high[j]);
      }
    }
    const [q1Next, q2Next] = critics.targets(state.q1Target, state.q2Target, nextSa);
    for (let i = 0; i < n; i++) {
      const notDone = f(1 - batch.terminated[i]);
      y[i] = f(batch.rewards[i] + f(f(notDone * gamma) * Math.min(q1Next[i], q2Next[i])));
    }

    // 2. Critics: L = mean(Q₁ − y)² + mean(Q₂ − y)²; one Adam step on both, into `into`'s arenas.
    rows(s, batch.actions, sa);
    const criticCount = state.criticCount + 1;
    const criticLoss = critics.step(state, sa, y, criticCount, into);
    const updates = state.updates + 1;
    const afterCritic: Td3EngineState = { ...into, criticCount, key, updates };
    const actorStep = updates % config.policyDelay === 0;
    if (!actorStep) {
      // The actor, its moments and the targets carry over: copied, so that no arena is shared.
      for (const name of CARRIED) into[name].set(state[name]);
      return [{ ...afterCritic, actorCount: state.actorCount }, { criticLoss }];
    }

    // 3. Actor: J = −mean Q₁(s, μ(s)) with the new Q₁; dJ/du = (dJ/d[s,a])_a ⊙ h ⊙ (1 − tanh²u).
    const actor = actorViews(state.actor);
    const q1New = critics.views(into.q1);
    rows(s, batch.actions, sPi); // action columns overwritten by μ(s)
    policyInto(actor, s, sPi);
    const qPi = mlpForward(gemm, criticLayout, q1New, sPi, n, critics.ws1);
    let sumQ = 0;
    for (let i = 0; i < n; i++) sumQ += qPi[i];
    const actorLoss = f(-f(f(sumQ) / n));
    mlpBackward(gemm, criticLayout, q1New, critics.ws1, dActorQ, critics.g1, throughQ1); // g1: scratch
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < act; j++) {
        const t = tanhU[i * act + j];
        dU[i * act + j] = f(dSa[i * inQ + obs + j] * half[j]) * f(1 - f(t * t));
      }
    }
    mlpBackward(gemm, actorLayout, actor, wsActor, dU, gActor);
    const actorCount = state.actorCount + 1;
    const newActor = { p: into.actor, m: into.actorM, v: into.actorV };
    adamStep(
      { p: state.actor, m: state.actorM, v: state.actorV },
      gActor.arena,
      actorCount,
      actorAdam,
      newActor,
    );

    // 4. Soft target updates from the new actor and the new critics.
    const { actorTarget, q1Target, q2Target } = into;
    softUpdate(state.actorTarget, newActor.p, config.tau, actorTarget);
    softUpdate(state.q1Target, into.q1, config.tau, q1Target);
    softUpdate(state.q2Target, into.q2, config.tau, q2Target);
    return [{
      ...afterCritic,
      actor: newActor.p,
      actorM: newActor.m,
      actorV: newActor.v,
      actorCount,
      actorTarget,
      q1Target,
      q2Target,
    }, { criticLoss, actorLoss }];
  };

  return { config, actorLayout, criticLayout, update, blank, dispose: critics.dispose };
}

/** The arena fields of a TD3 engine state. */
export const TD3_ARENAS = [
  "actor",
  "actorTarget",
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

/** The arenas a critic-only update leaves as they were. */
const CARRIED = ["actor", "actorM", "actorV", "actorTarget", "q1Target", "q2Target"] as const;

/** The key of a blank state (any key: a blank state is overwritten before it is read). */
const state0Key = [0, 0] as unknown as Key;
