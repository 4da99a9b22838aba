/**
 * The engine's SAC state in the checkpoint format's shape: the same tree as the tfjs reference's `SacState`
 * (`actor.trunk.0.w`, `actor.mean.b`, `actor.logStd.w`, `critics.q1.1.b`, `logAlpha`,
 * `alphaOpt.0.mu`, …) with host tensors `{shape, data}` as leaves. A checkpoint encoded from it has the
 * bytes of one encoded from the tfjs state with the same values, so a checkpoint written by either
 * implementation resumes in the other.
 *
 * Views and copies. The critics, their targets and moments, and the policy trunk's layers are views into the
 * engine's arenas (no copy). The policy's two heads are copies: the engine stores them as ONE last layer of
 * width 2·act, `[mean | log σ]` (see `_host_tree.ts`). log α and its Adam moments are numbers in the engine
 * and become new one-element tensors of shape `[]`, as tfjs scalars are written.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import type { F32Tensor } from "../formats/safetensors.ts";
import {
  type GaussianHostPolicy,
  gaussianHostPolicy,
  type HostAdam,
  type HostLayer,
  hostLayers,
  type HostTwin,
  packGaussianHostPolicy,
  packLayers,
  scalar,
  scalarValue,
  twinCriticsFromHost,
  twinCriticsHost,
} from "./_host_tree.ts";
import type { SacEngine, SacEngineState } from "./sac.ts";

/** The squashed Gaussian policy as the reference stores it (`GaussianPolicyParams`): trunk, mean, log σ. */
export type SacHostPolicy = GaussianHostPolicy;

/** The tfjs `SacState`'s tree with host tensors. */
export interface SacHostState {
  /** The policy. */
  readonly actor: SacHostPolicy;
  /** Critics. */
  readonly critics: HostTwin;
  /** Target critics. */
  readonly criticsTarget: HostTwin;
  /** log α, a scalar: shape `[]`, one value. */
  readonly logAlpha: F32Tensor;
  /** The policy's Adam state. */
  readonly actorOpt: HostAdam<SacHostPolicy>;
  /** The critics' Adam state (one over both). */
  readonly criticOpt: HostAdam<HostTwin>;
  /** log α's Adam state, its moments scalars. */
  readonly alphaOpt: HostAdam<F32Tensor>;
  /** Key of the policy samples. */
  readonly key: Key;
  /** Updates done. */
  readonly updates: number;
}

/**
 * The checkpoint tree of an engine state. The critics' and the trunk's tensors are views of the state's
 * arenas; the policy heads and the log α scalars are new arrays (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSacEngine } from "./sac.ts";
 * import { referenceGemm } from "./gemm.ts";
 * import { sacFromHost, sacHostState } from "./sac_state.ts";
 * const engine = makeSacEngine({
 *   observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [8, 8], init: "torch",
 *   actorLr: 1e-3, criticLr: 1e-3, alphaLr: 1e-3, alpha: 0.2, targetEntropy: -1, gamma: 0.99, tau: 0.005,
 *   batchSize: 16,
 * }, referenceGemm);
 * const host = sacHostState(engine, engine.blank());
 * assert.deepEqual(host.actor.mean.w.shape, [8, 1]);
 * assert.deepEqual(host.logAlpha.shape, []);
 * assert.deepEqual(sacFromHost(engine, host), engine.blank());
 * ```
 *
 * @param engine the engine (for the layouts)
 * @param state the state
 * @returns the tree
 */
export function sacHostState(engine: SacEngine, state: SacEngineState): SacHostState {
  const a = (arena: Float32Array) => gaussianHostPolicy(engine.actorLayout, arena);
  const c = (arena: Float32Array) => hostLayers(engine.criticLayout, arena);
  const { critics, criticOpt } = twinCriticsHost(engine.criticLayout, state, state.criticCount);
  return {
    actor: a(state.actor),
    critics,
    criticsTarget: { q1: c(state.q1Target), q2: c(state.q2Target) },
    logAlpha: scalar(state.logAlpha),
    actorOpt: [{ count: state.actorCount, mu: a(state.actorM), nu: a(state.actorV) }, null],
    criticOpt,
    alphaOpt: [{ count: state.alphaCount, mu: scalar(state.logAlphaM), nu: scalar(state.logAlphaV) }, null],
    key: state.key,
    updates: state.updates,
  };
}

/**
 * An engine state from a checkpoint tree (e.g. a decoded checkpoint's host state); the arenas are copies.
 *
 * @param engine the engine (for the layouts)
 * @param host the tree, as {@link sacHostState} gives or a checkpoint decodes
 * @returns the state
 * @throws {RangeError} when a network's layers do not fit the engine's layout, or log α or one of its
 *   moments is not a scalar
 */
export function sacFromHost(engine: SacEngine, host: SacHostState): SacEngineState {
  const a = (h: SacHostPolicy, what: string) => packGaussianHostPolicy(engine.actorLayout, h, what);
  const c = (h: readonly HostLayer[], what: string) => packLayers(engine.criticLayout, h, what);
  const [actorOpt] = host.actorOpt;
  const [alphaOpt] = host.alphaOpt;
  return {
    actor: a(host.actor, "actor"),
    ...twinCriticsFromHost(engine.criticLayout, host.critics, host.criticOpt),
    q1Target: c(host.criticsTarget.q1, "criticsTarget.q1"),
    q2Target: c(host.criticsTarget.q2, "criticsTarget.q2"),
    actorM: a(actorOpt.mu, "actorOpt.0.mu"),
    actorV: a(actorOpt.nu, "actorOpt.0.nu"),
    actorCount: actorOpt.count,
    logAlpha: scalarValue(host.logAlpha, "logAlpha"),
    logAlphaM: scalarValue(alphaOpt.mu, "alphaOpt.0.mu"),
    logAlphaV: scalarValue(alphaOpt.nu, "alphaOpt.0.nu"),
    alphaCount: alphaOpt.count,
    key: host.key,
    updates: host.updates,
  };
}
