/**
 * The engine's TD3 state in the checkpoint format's shape: the same tree as the tfjs reference's `Td3State`
 * (`actor.0.w`, `critics.q1.1.b`, `criticOpt.0.mu.q2.0.w`, …) with host tensors `{shape, data}` as leaves,
 * whose data are views into the engine's arenas. A checkpoint encoded from it has the bytes of one encoded
 * from the tfjs state with the same values, so a checkpoint written by either implementation resumes in the
 * other.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import {
  type HostAdam,
  type HostLayer,
  hostLayers,
  type HostTwin,
  packLayers,
  twinCriticsFromHost,
  twinCriticsHost,
} from "./_host_tree.ts";
import type { Td3Engine, Td3EngineState } from "./td3.ts";

/** The tfjs `Td3State`'s tree with host tensors. */
export interface Td3HostState {
  /** Actor layers. */
  readonly actor: readonly HostLayer[];
  /** Target actor layers. */
  readonly actorTarget: readonly HostLayer[];
  /** Critics. */
  readonly critics: HostTwin;
  /** Target critics. */
  readonly criticsTarget: HostTwin;
  /** The actor's Adam state. */
  readonly actorOpt: HostAdam<readonly HostLayer[]>;
  /** The critics' Adam state (one over both). */
  readonly criticOpt: HostAdam<HostTwin>;
  /** Target smoothing key. */
  readonly key: Key;
  /** Updates done. */
  readonly updates: number;
}

/**
 * The checkpoint tree of an engine state; its tensors are views of the state's arenas (no copy).
 *
 * @param engine the engine (for the layouts)
 * @param state the state
 * @returns the tree
 */
export function td3HostState(engine: Td3Engine, state: Td3EngineState): Td3HostState {
  const a = (arena: Float32Array) => hostLayers(engine.actorLayout, arena);
  const c = (arena: Float32Array) => hostLayers(engine.criticLayout, arena);
  const { critics, criticOpt } = twinCriticsHost(engine.criticLayout, state, state.criticCount);
  return {
    actor: a(state.actor),
    actorTarget: a(state.actorTarget),
    critics,
    criticsTarget: { q1: c(state.q1Target), q2: c(state.q2Target) },
    actorOpt: [{ count: state.actorCount, mu: a(state.actorM), nu: a(state.actorV) }, null],
    criticOpt,
    key: state.key,
    updates: state.updates,
  };
}

/**
 * An engine state from a checkpoint tree (e.g. a decoded checkpoint's host state); the arenas are copies.
 *
 * @param engine the engine (for the layouts)
 * @param host the tree, as {@link td3HostState} gives or a checkpoint decodes
 * @returns the state
 * @throws {RangeError} when a network's layers do not fit the engine's layout
 */
export function td3FromHost(engine: Td3Engine, host: Td3HostState): Td3EngineState {
  const a = (h: readonly HostLayer[], what: string) => packLayers(engine.actorLayout, h, what);
  const c = (h: readonly HostLayer[], what: string) => packLayers(engine.criticLayout, h, what);
  const [actorOpt] = host.actorOpt;
  return {
    actor: a(host.actor, "actor"),
    actorTarget: a(host.actorTarget, "actorTarget"),
    ...twinCriticsFromHost(engine.criticLayout, host.critics, host.criticOpt),
    q1Target: c(host.criticsTarget.q1, "criticsTarget.q1"),
    q2Target: c(host.criticsTarget.q2, "criticsTarget.q2"),
    actorM: a(actorOpt.mu, "actorOpt.0.mu"),
    actorV: a(actorOpt.nu, "actorOpt.0.nu"),
    actorCount: actorOpt.count,
    key: host.key,
    updates: host.updates,
  };
}
