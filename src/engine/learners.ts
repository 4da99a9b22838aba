/**
 * The fused engine's algorithms as learners (`core/agents/learner.ts`): the same choice of algorithm and
 * hyperparameters as `makeAgent`, the update over arenas, the policies of `policy.ts`, and what the runtime
 * needs around them: blank arenas for double buffering, the checkpoint tree (the tfjs reference's, so that
 * a checkpoint written by either implementation resumes in the other) and its inverse.
 *
 * @module
 */
import type { Learner, MetricValues } from "../core/agents/learner.ts";
import type { AgentChoice, AgentSpaces } from "../core/agents/make_agent.ts";
import type { Batch } from "../core/batch.ts";
import type { EngineOptions } from "./_twin_critics.ts";
import type { Gemm } from "./gemm.ts";
import { makeEnginePolicy, makeGaussianEnginePolicy } from "./policy.ts";
import { makeSacEngine, SAC_ARENAS, SAC_LOG_STD_BOUNDS } from "./sac.ts";
import { sacFromHost, sacHostState } from "./sac_state.ts";
import { makeSacVEngine, SAC_V_ARENAS } from "./sac_v.ts";
import { sacVFromHost, sacVHostState } from "./sac_v_state.ts";
import { makeTd3Engine, TD3_ARENAS } from "./td3.ts";
import { td3FromHost, td3HostState } from "./td3_state.ts";

/** An engine learner over its state type `S`, with what the runtime needs to own its memory. */
export interface EngineLearner<S> extends Learner<S> {
  /**
   * {@link Learner.update} writing the new state into the arenas of `into`, a state the caller no longer
   * needs (double buffering; see `td3.ts`); `into` must share no arena with `state`.
   */
  updateInto(state: S, batch: Batch, into: S | undefined): readonly [S, MetricValues];
  /** Fresh, zeroed arenas of a state. */
  blank(): S;
  /** Every arena of a state. */
  arenas(state: S): readonly Float32Array[];
  /** The state as the tfjs reference's tree with host tensors (the checkpoint's shape). */
  toHost(state: S): Record<string, unknown>;
  /** A state from such a tree (copies, into arenas as {@link EngineLearner.blank} allocates them). */
  fromHost(host: unknown): S;
  /**
   * The deterministic policy of an actor alone (the `actor` subtree of {@link EngineLearner.toHost}'s tree,
   * e.g. a policy file's), as {@link Learner.act} on it.
   */
  policy(actor: unknown): (observations: Float32Array, n: number) => Float32Array;
  /** Release the engine's helper thread, if any; the learner is unusable afterwards. */
  dispose(): void;
}

/** The numbers of an engine's metrics record, without the absent ones. */
function values(metrics: object): MetricValues {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined));
}

/**
 * The engine learner a choice asks for, sized for the spaces and a batch size.
 *
 * @param choice the algorithm and its hyperparameters (a `TrainConfig` qualifies)
 * @param spaces the environment's spaces
 * @param batchSize the transitions per update
 * @param gemm the matrix products
 * @param options how the engine builds its twin critics (default on this thread)
 * @returns the learner
 */
export function makeEngineLearner(
  choice: AgentChoice,
  spaces: AgentSpaces,
  batchSize: number,
  gemm: Gemm,
  options: EngineOptions = {},
): EngineLearner<unknown> {
  const common = {
    observationSize: spaces.observationSize,
    actionSize: spaces.actionSize,
    bounds: { low: spaces.actionLow, high: spaces.actionHigh },
    hidden: choice.hidden,
    actorLr: choice.actorLr,
    criticLr: choice.criticLr,
    gamma: choice.gamma,
    tau: choice.tau,
    batchSize,
  };
  switch (choice.algo) {
    case "td3": {
      const engine = makeTd3Engine(
        {
          ...common,
          policyNoise: choice.policyNoise,
          noiseClip: choice.noiseClip,
          policyDelay: choice.policyDelay,
        },
        gemm,
        options,
      );
      const policy = makeEnginePolicy(engine.actorLayout, common.bounds, gemm);
      return learner({
        name: "td3",
        updateInto: engine.update,
        blank: engine.blank,
        dispose: engine.dispose,
        arenaNames: TD3_ARENAS,
        toHost: (s) => td3HostState(engine, s) as unknown as Record<string, unknown>,
        fromHost: (h) => td3FromHost(engine, h as Parameters<typeof td3FromHost>[1]),
        act: (s, o, n) => policy.act(s.actor, o, n),
      });
    }
    case "sac": {
      const engine = makeSacEngine(
        {
          ...common,
          init: choice.init,
          alpha: choice.alpha,
          alphaLr: choice.alphaLr,
          targetEntropy: -spaces.actionSize,
        },
        gemm,
        options,
      );
      const policy = makeGaussianEnginePolicy(engine.actorLayout, common.bounds, gemm, SAC_LOG_STD_BOUNDS);
      return learner({
        name: "sac",
        updateInto: engine.update,
        blank: engine.blank,
        dispose: engine.dispose,
        arenaNames: SAC_ARENAS,
        toHost: (s) => sacHostState(engine, s) as unknown as Record<string, unknown>,
        fromHost: (h) => sacFromHost(engine, h as Parameters<typeof sacFromHost>[1]),
        act: (s, o, n) => policy.act(s.actor, o, n),
        sample: (s, o, n, key) => policy.sample(s.actor, o, n, key),
      });
    }
    case "sac-v": {
      const engine = makeSacVEngine(
        {
          ...common,
          init: choice.init,
          alpha: choice.alpha,
          valueLr: choice.valueLr,
          policyReg: choice.policyReg,
        },
        gemm,
        options,
      );
      const policy = makeGaussianEnginePolicy(engine.actorLayout, common.bounds, gemm, SAC_LOG_STD_BOUNDS);
      return learner({
        name: "sac-v",
        updateInto: engine.update,
        blank: engine.blank,
        dispose: engine.dispose,
        arenaNames: SAC_V_ARENAS,
        toHost: (s) => sacVHostState(engine, s) as unknown as Record<string, unknown>,
        fromHost: (h) => sacVFromHost(engine, h as Parameters<typeof sacVFromHost>[1]),
        act: (s, o, n) => policy.act(s.actor, o, n),
        sample: (s, o, n, key) => policy.sample(s.actor, o, n, key),
      });
    }
  }
}

/** What {@link learner} assembles an engine learner from. */
interface LearnerParts<S> {
  readonly name: string;
  readonly updateInto: (state: S, batch: Batch, into?: S) => readonly [S, object];
  readonly blank: () => S;
  readonly dispose: () => void;
  readonly arenaNames: readonly (keyof S)[];
  readonly toHost: (state: S) => Record<string, unknown>;
  readonly fromHost: (host: unknown) => S;
  readonly act: Learner<S>["act"];
  readonly sample?: Learner<S>["sample"];
}

/** An engine learner from its parts, erased to `unknown` states as `makeAgent`'s agents are. */
function learner<S>(parts: LearnerParts<S>): EngineLearner<unknown> {
  const updateInto = (state: S, batch: Batch, into: S | undefined) => {
    const [next, metrics] = parts.updateInto(state, batch, into);
    return [next, values(metrics)] as const;
  };
  const built: EngineLearner<S> = {
    name: parts.name,
    update: (state, batch) => updateInto(state, batch, undefined),
    updateInto,
    blank: parts.blank,
    arenas: (state) => parts.arenaNames.map((name) => state[name] as Float32Array),
    toHost: parts.toHost,
    fromHost(host) {
      // Copied into blank arenas: the memory a two-thread engine's helper can read (one copy more at load).
      const read = parts.fromHost(host), into = parts.blank();
      for (const name of parts.arenaNames) (into[name] as Float32Array).set(read[name] as Float32Array);
      return { ...read, ...Object.fromEntries(parts.arenaNames.map((name) => [name, into[name]])) };
    },
    dispose: parts.dispose,
    policy(actor) {
      // The actor in a state whose other networks are blank: only the actor is read when acting.
      const state = parts.fromHost({ ...parts.toHost(parts.blank()), actor });
      return (observations, n) => parts.act(state, observations, n);
    },
    act: parts.act,
    ...(parts.sample === undefined ? {} : { sample: parts.sample }),
  };
  return built as unknown as EngineLearner<unknown>;
}
