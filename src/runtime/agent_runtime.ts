/**
 * How the training shell holds an agent: the learner the pure loop drives, and the memory and I/O around
 * it, for either implementation. The tfjs reference's state is tensors: each step runs in a tensor scope
 * that keeps the new state and frees the rest (`memory.ts`'s `stepOwned`). The fused engine's state is
 * arenas: its updates write into the arenas of the state before the previous one (double buffering), so a
 * steady run allocates no parameter memory; the pure `update` stays pure, because only this runtime hands
 * over a state it no longer holds. Both write the same checkpoint tree, so a checkpoint written by one
 * resumes in the other.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Learner } from "../core/agents/learner.ts";
import { tfjsLearner } from "../core/agents/learner.ts";
import { type AgentChoice, type AgentSpaces, makeAgent } from "../core/agents/make_agent.ts";
import type { Key } from "../core/rng.ts";
import type { BackendName } from "../config/backends.ts";
import { type EngineLearner, makeEngineLearner } from "../engine/learners.ts";
import { engineGemm, matrixProducts } from "./backend.ts";
import { firstNonFinite, toHostTree } from "./checkpoint.ts";
import { disposeTree, stepOwned } from "./memory.ts";

/** An agent as the training shell holds it. */
export interface AgentRuntime {
  /** The learner the loop drives. */
  readonly learner: Learner<unknown>;
  /** What computes the updates, for the run log: `fused engine, matrix products by openblas`, … */
  readonly description: string;
  /** A fresh agent state from the networks' key (the tfjs reference's initialization, for both). */
  init(key: Key): unknown;
  /** This runtime's state from a decoded checkpoint's tfjs state, which is consumed (freed). */
  adopt(decoded: unknown): unknown;
  /** The state's checkpoint tree, tensors or host tensors (what `encodeCheckpoint` and `encodePolicy` take). */
  checkpointTree(state: unknown): { readonly actor: unknown };
  /** The dotted path of the first parameter that is not finite, if any. */
  nonFinite(state: unknown): string | undefined;
  /**
   * Run one pure step of a state that holds an agent state in `owned(state)`, and take ownership of the
   * new agent state; the old one must not be used afterwards.
   */
  step<L, I, X>(
    reducer: (state: L, input: I) => readonly [L, X],
    state: L,
    input: I,
    owned: (state: L) => unknown,
  ): readonly [L, X];
  /** Free an agent state. */
  dispose(state: unknown): void;
}

/** The fields of a run's configuration a runtime is built from. */
export type RuntimeChoice = AgentChoice & { readonly batchSize: number; readonly backend: BackendName };

/**
 * The runtime a configuration's backend asks for: the fused engine for `engine`, else the tfjs reference
 * on the active tfjs backend (`useBackend` has set it).
 *
 * @param choice the algorithm, hyperparameters, batch size and backend (a `TrainConfig` qualifies)
 * @param spaces the environment's spaces
 * @returns the runtime
 */
export async function agentRuntime(choice: RuntimeChoice, spaces: AgentSpaces): Promise<AgentRuntime> {
  if (choice.backend !== "engine") return tfjsRuntime(choice, spaces);
  const gemm = await engineGemm();
  return engineRuntime(makeEngineLearner(choice, spaces, choice.batchSize, gemm), choice, spaces, gemm.name);
}

/** The tfjs reference agent's tensors, initialization for both runtimes. */
function tfjsInit(choice: AgentChoice, spaces: AgentSpaces, key: Key): unknown {
  const agent = makeAgent(choice, spaces);
  return tf.tidy(() => agent.init(key) as unknown as tf.TensorContainer);
}

/**
 * The tfjs reference agent on the active tfjs backend.
 *
 * @param choice the algorithm and hyperparameters
 * @param spaces the environment's spaces
 * @returns the runtime (async for the run log's GEMM name)
 */
export async function tfjsRuntime(choice: AgentChoice, spaces: AgentSpaces): Promise<AgentRuntime> {
  const backend = tf.getBackend();
  const products = backend === "wasm" ? await matrixProducts("wasm") : undefined;
  return {
    learner: tfjsLearner(makeAgent(choice, spaces), spaces.observationSize),
    description: `tfjs ${backend} backend` +
      (products === undefined ? "" : `, matrix products by ${products}`),
    init: (key) => tfjsInit(choice, spaces, key),
    adopt: (decoded) => decoded,
    checkpointTree: (state) => state as { actor: unknown },
    nonFinite: firstNonFinite,
    step: stepOwned,
    dispose: disposeTree,
  };
}

/**
 * The fused engine, recycling the arenas of replaced states.
 *
 * @param engine the engine learner
 * @param choice the algorithm and hyperparameters (for the initialization)
 * @param spaces the environment's spaces
 * @param gemmName which GEMM the engine was built with
 * @returns the runtime
 */
export function engineRuntime(
  engine: EngineLearner<unknown>,
  choice: AgentChoice,
  spaces: AgentSpaces,
  gemmName: string,
): AgentRuntime {
  // The state this runtime no longer holds, whose arenas the next update writes into.
  let spare: unknown;
  const learner: Learner<unknown> = {
    name: engine.name,
    update(state, batch) {
      const into = spare;
      spare = undefined;
      return engine.updateInto(state, batch, into);
    },
    act: engine.act,
    ...(engine.sample === undefined ? {} : { sample: engine.sample }),
  };
  const fromTfjs = (tree: unknown) => {
    try {
      return engine.fromHost(toHostTree(tree));
    } finally {
      disposeTree(tree);
    }
  };
  return {
    learner,
    description: `fused engine, matrix products by ${gemmName}`,
    init: (key) => fromTfjs(tfjsInit(choice, spaces, key)),
    adopt: fromTfjs,
    checkpointTree: (state) => engine.toHost(state) as { actor: unknown },
    nonFinite: (state) => firstNonFinite(engine.toHost(state)),
    step(reducer, state, input, owned) {
      const result = reducer(state, input);
      const [before, after] = [owned(state), owned(result[0])];
      if (before !== after) spare = before;
      return result;
    },
    dispose: () => {
      spare = undefined;
    },
  };
}
