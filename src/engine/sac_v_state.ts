/**
 * The engine's SAC-V state in the checkpoint format's shape: the same tree as the tfjs reference's
 * `SacVState` (`actor.trunk.0.w`, `actor.mean.b`, `critics.q1.1.b`, `value.0.w`, `valueOpt.0.nu.1.b`, …) with
 * host tensors `{shape, data}` as leaves. A checkpoint encoded from it has the bytes of one encoded from the
 * tfjs state with the same values, so a checkpoint written by either implementation resumes in the other.
 *
 * The policy's two heads. The engine keeps them as one last layer with columns `[mean | log σ]` (see
 * `_host_tree.ts`); the reference has two layers `actor.mean` and `actor.logStd`, so the heads (of the policy
 * and of its two moments) are split into COPIES, while every other tensor of the tree is a view into the
 * state's arenas.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import {
  type GaussianHostPolicy,
  gaussianHostPolicy,
  type HostAdam,
  type HostLayer,
  hostLayers,
  type HostTwin,
  packGaussianHostPolicy,
  packLayers,
  twinCriticsFromHost,
  twinCriticsHost,
} from "./_host_tree.ts";
import type { SacVEngine, SacVEngineState } from "./sac_v.ts";

/** The tfjs `SacVState`'s tree with host tensors. */
export interface SacVHostState {
  /** The policy: trunk layers and the two heads. */
  readonly actor: GaussianHostPolicy;
  /** Critics. */
  readonly critics: HostTwin;
  /** Value network layers. */
  readonly value: readonly HostLayer[];
  /** Target value network layers. */
  readonly valueTarget: readonly HostLayer[];
  /** The policy's Adam state. */
  readonly actorOpt: HostAdam<GaussianHostPolicy>;
  /** The critics' Adam state (one over both). */
  readonly criticOpt: HostAdam<HostTwin>;
  /** The value network's Adam state. */
  readonly valueOpt: HostAdam<readonly HostLayer[]>;
  /** Policy sampling key. */
  readonly key: Key;
  /** Updates done. */
  readonly updates: number;
}

/**
 * The checkpoint tree of an engine state. Its tensors are views of the state's arenas (no copy), except the
 * policy heads' (and their moments'), which are copies; encode it before the state's arenas are reused.
 *
 * @param engine the engine (for the layouts)
 * @param state the state
 * @returns the tree
 */
export function sacVHostState(engine: SacVEngine, state: SacVEngineState): SacVHostState {
  const a = (arena: Float32Array) => gaussianHostPolicy(engine.actorLayout, arena);
  const v = (arena: Float32Array) => hostLayers(engine.valueLayout, arena);
  const { critics, criticOpt } = twinCriticsHost(engine.criticLayout, state, state.criticCount);
  return {
    actor: a(state.actor),
    critics,
    value: v(state.value),
    valueTarget: v(state.valueTarget),
    actorOpt: [{ count: state.actorCount, mu: a(state.actorM), nu: a(state.actorV) }, null],
    criticOpt,
    valueOpt: [{ count: state.valueCount, mu: v(state.valueM), nu: v(state.valueV) }, null],
    key: state.key,
    updates: state.updates,
  };
}

/**
 * An engine state from a checkpoint tree (e.g. a decoded checkpoint's host state); the arenas are copies.
 *
 * @param engine the engine (for the layouts)
 * @param host the tree, as {@link sacVHostState} gives or a checkpoint decodes
 * @returns the state
 * @throws {RangeError} when a network's layers do not fit the engine's layout
 */
export function sacVFromHost(engine: SacVEngine, host: SacVHostState): SacVEngineState {
  const a = (h: GaussianHostPolicy, what: string) => packGaussianHostPolicy(engine.actorLayout, h, what);
  const v = (h: readonly HostLayer[], what: string) => packLayers(engine.valueLayout, h, what);
  const [actorOpt] = host.actorOpt;
  const [valueOpt] = host.valueOpt;
  return {
    actor: a(host.actor, "actor"),
    ...twinCriticsFromHost(engine.criticLayout, host.critics, host.criticOpt),
    value: v(host.value, "value"),
    valueTarget: v(host.valueTarget, "valueTarget"),
    actorM: a(actorOpt.mu, "actorOpt.0.mu"),
    actorV: a(actorOpt.nu, "actorOpt.0.nu"),
    actorCount: actorOpt.count,
    valueM: v(valueOpt.mu, "valueOpt.0.mu"),
    valueV: v(valueOpt.nu, "valueOpt.0.nu"),
    valueCount: valueOpt.count,
    key: host.key,
    updates: host.updates,
  };
}
