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
import type { Gemm } from "../engine/gemm.ts";
import { mlpLayout } from "../engine/mlp.ts";
import { engineGemm, matrixProducts } from "./backend.ts";
import { canRunParallel, parallelTwinCritics } from "./parallel_critics.ts";
import { firstNonFinite, toHostTree } from "./checkpoint.ts";
import { disposeTree, stepOwned } from "./memory.ts";
import { hostEnv } from "./host.ts";

/** An agent as the training shell holds it. */
export interface AgentRuntime {
  /** The learner the loop drives. */
  readonly learner: Learner<unknown>;
  /** What computes the updates, for the run log: `fused engine, matrix products by openblas`, … */
  readonly description: string;
  /** Threads an update uses: 2 when the engine's second critic runs on a helper thread, else 1. */
  readonly threads: 1 | 2;
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
  /**
   * Release what the runtime holds beyond its states (the engine's helper thread); the runtime is unusable
   * afterwards. Forgetting it costs nothing worse than an idle thread until the process exits.
   */
  close(): void;
}

/** How a runtime may use the machine. */
export interface RuntimeOptions {
  /**
   * Threads the engine's update may use, default {@link defaultThreads}: with 2 or more (and a large
   * enough update, see {@link criticThreads}) the second critic runs on a helper thread.
   */
  readonly threads?: number;
}

/**
 * Threads an update may use when nobody says: `TD3SAC_THREADS` if set (1 or 2), else the machine's cores,
 * at most 2.
 *
 * @returns 1 or 2
 */
export function defaultThreads(): number {
  const set = hostEnv("TD3SAC_THREADS");
  if (set === "1" || set === "2") return Number(set);
  return Math.min(2, Math.max(1, navigator.hardwareConcurrency));
}

/**
 * Below this many `batch size × floats of one critic`, the second thread costs more than it saves (measured
 * on 2026-12-02, OpenBLAS, 2 cores: TD3 at 128-128, batch 128, 2.2M, took 1.03 ms an update on two threads
 * against 0.89 ms on one; at 256-256, batch 256, 17M, 4.67 ms against 7.24 ms).
 */
export const PARALLEL_CRITICS_MIN_WORK = 4_000_000;

/**
 * How many threads the engine's twin critics get for a run: 2 when `threads` allows it, the GEMM can be
 * loaded by a helper thread (see `parallel_critics.ts`), and one critic's regression is large enough to pay
 * for the hand-off ({@link PARALLEL_CRITICS_MIN_WORK}); else 1.
 *
 * @param choice the hyperparameters (hidden sizes and batch size)
 * @param spaces the environment's spaces
 * @param gemm the engine's GEMM
 * @param threads the threads allowed
 * @returns 1 or 2
 */
export function criticThreads(
  choice: { readonly hidden: readonly number[]; readonly batchSize: number },
  spaces: AgentSpaces,
  gemm: Gemm,
  threads: number = defaultThreads(),
): 1 | 2 {
  const critic = mlpLayout([spaces.observationSize + spaces.actionSize, ...choice.hidden, 1]);
  const work = critic.length * choice.batchSize;
  return threads >= 2 && canRunParallel(gemm) && work >= PARALLEL_CRITICS_MIN_WORK ? 2 : 1;
}

/** The fields of a run's configuration a runtime is built from. */
export type RuntimeChoice = AgentChoice & { readonly batchSize: number; readonly backend: BackendName };

/**
 * The runtime a configuration's backend asks for: the fused engine for `engine`, else the tfjs reference
 * on the active tfjs backend (`useBackend` has set it).
 *
 * @param choice the algorithm, hyperparameters, batch size and backend (a `TrainConfig` qualifies)
 * @param spaces the environment's spaces
 * @param options the threads the engine may use
 * @returns the runtime
 */
export async function agentRuntime(
  choice: RuntimeChoice,
  spaces: AgentSpaces,
  options: RuntimeOptions = {},
): Promise<AgentRuntime> {
  if (choice.backend !== "engine") return tfjsRuntime(choice, spaces);
  const gemm = await engineGemm();
  const two = criticThreads(choice, spaces, gemm, options.threads) === 2;
  const learner = makeEngineLearner(
    choice,
    spaces,
    choice.batchSize,
    gemm,
    two ? { twinCritics: parallelTwinCritics } : {},
  );
  return { ...engineRuntime(learner, choice, spaces, gemm.name), threads: two ? 2 : 1 };
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
    threads: 1,
    description: `tfjs ${backend} backend` +
      (products === undefined ? "" : `, matrix products by ${products}`),
    init: (key) => tfjsInit(choice, spaces, key),
    adopt: (decoded) => decoded,
    checkpointTree: (state) => state as { actor: unknown },
    nonFinite: firstNonFinite,
    step: stepOwned,
    dispose: disposeTree,
    close: () => {},
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
    threads: 1,
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
    close: () => {
      spare = undefined;
      engine.dispose();
    },
  };
}
