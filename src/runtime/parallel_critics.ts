/**
 * Twin critics on two threads: the second critic's share of the target forward and of the regression step
 * runs on a helper thread (`_critic_worker.ts`) while the main thread computes the first critic's. The split
 * is fixed (Q₂ on the helper, everything else here), and both threads run the same code with the same GEMM
 * on their own workspaces, so an update gives the same bits as on one thread, whatever the timing.
 *
 * Memory. The helper reads and writes only arrays inside one pool (an ArrayBuffer) that this module
 * allocates up front and whose address it hands to the helper once (the helper views it through Deno's FFI
 * pointer views, so this needs `--allow-ffi`; the pool is kept alive here until the helper has stopped): the critic arenas of the engine's states and the critic
 * inputs and targets, all allocated through {@link TwinCritics.alloc}. The pool holds the critic arenas of
 * {@link POOL_STATES} states (the runtime's double buffering needs two; a resume adopts a third) and the
 * engine's input buffers; it never frees, and an allocation that does not fit gets a plain Float32Array.
 * Any job whose arrays are not all in the pool runs on the main thread instead, with the same result.
 *
 * Synchronization is one Int32 control block ({@link CONTROL}) with `Atomics.wait` / `Atomics.notify`:
 * the main thread blocks only while the helper finishes its half, so `update` stays synchronous.
 *
 * @module
 */
import {
  arenaViews,
  inputGradients,
  makeCriticRegression,
  makeTwinCritics,
  type TwinCritics,
  type TwinCriticsFactory,
  twinCriticsOn,
  twinLoss,
} from "../engine/_twin_critics.ts";
import type { Gemm } from "../engine/gemm.ts";
import { mlpForward, type MlpLayout } from "../engine/mlp.ts";
import { hasFfi } from "./host.ts";

/**
 * `node:worker_threads`' Worker, imported only where a helper can run (Deno with FFI), so that a browser,
 * which has neither, never loads the module.
 */
const NodeWorker = hasFfi() ? (await import("node:worker_threads")).Worker : undefined;

/*
 * The control block shared with the helper `_critic_worker.ts`: an Int32Array over a small
 * SharedArrayBuffer, its slots named here, and the job codes written into its `state`.
 */

/** Slots of the control block (Int32 indices), and the byte offset of the Float64 result. */
export const CONTROL = {
  /** The job code (see {@link JOB}): written by the main thread to start a job, by the helper to end it. */
  state: 0,
  /** 1 once the helper is ready, −1 when it could not start. */
  ready: 1,
  /** The Adam step count of a regression job. */
  count: 2,
  /** First of the argument slots: array `s` is `[float offset into the pool, length]` at `args + 2s`. */
  args: 4,
  /** Argument slots: up to 8 arrays. */
  argSlots: 8,
  /** Byte offset of the Float64 result (the regression's sum of squared errors). */
  resultByte: 96,
  /** Bytes of the block. */
  bytes: 104,
} as const;

/** Job codes. */
export const JOB = {
  /** Nothing to do. */
  idle: 0,
  /** Forward one critic: `out = Q(x)`. */
  forward: 1,
  /** One critic's regression step. */
  regress: 2,
  /** The job ended. */
  done: 3,
  /** The job threw. */
  failed: 4,
  /** Stop the helper. */
  exit: 5,
  /** Forward one critic keeping its activations for a later {@link JOB.through}: `out = Q(x)`. */
  keep: 6,
  /** The kept forward's backward to the input: `dx = d·∂Q/∂x`. */
  through: 7,
} as const;

/** The helper's one message: what it needs to build its half of the critics. */
export interface CriticWorkerInit {
  /**
   * The address of the pool every shared array lives in: a plain ArrayBuffer of the main thread, which the
   * helper views through Deno's FFI pointer views (a SharedArrayBuffer would do, but V8's copies and
   * element accesses on shared memory are slower: measured 0.8 ms more per TD3 update at 400-300).
   */
  readonly pool: bigint;
  /** The pool's size in bytes. */
  readonly poolBytes: number;
  /** The control block. */
  readonly control: SharedArrayBuffer;
  /** The critic's layer widths. */
  readonly sizes: readonly number[];
  /** The batch size. */
  readonly n: number;
  /** The critics' Adam learning rate. */
  readonly lr: number;
  /** The GEMM to load, by provider name: `openblas` or `wasm-simd`. */
  readonly gemm: string;
}

/** How many states' critic arenas the pool is sized for. */
export const POOL_STATES = 4;

/** Critic arenas per state (parameters, targets and Adam moments of both critics). */
const ARENAS_PER_STATE = 8;

/** How long the main thread waits for the helper to start, or to finish a job, before giving up. */
const TIMEOUT_MS = 60_000;

/** Polls of the state before sleeping on it (about 0.1 ms): waking a sleeping thread costs more. */
const SPINS = 20_000;

/** The GEMMs a helper can load by name. */
const HELPER_GEMMS = new Set(["openblas", "wasm-simd"]);

/**
 * Whether {@link parallelTwinCritics} can run with `gemm` here: a GEMM the helper can load,
 * SharedArrayBuffer (for the control block) present, and FFI permitted (for the pool's address).
 *
 * @param gemm the engine's GEMM
 * @returns true when a helper thread can be used
 */
export function canRunParallel(gemm: Gemm): boolean {
  return HELPER_GEMMS.has(gemm.name) && typeof SharedArrayBuffer === "function" && NodeWorker !== undefined &&
    hasFfi();
}

/** Twin critics on two threads, with a count of the jobs the helper did (for tests and benches). */
export interface ParallelTwinCritics extends TwinCritics {
  /** Jobs done on the helper thread so far (target forwards and regression steps). */
  readonly helperJobs: number;
}

/**
 * Twin critics whose second critic runs on a helper thread (see the module's text); as a
 * `TwinCriticsFactory` for the engines' `twinCritics` option. For a GEMM the helper cannot load, or without
 * FFI permission, both critics run on the calling thread (and `helperJobs` stays 0).
 *
 * @example
 * ```ts ignore
 * import { makeTd3Engine } from "../engine/td3.ts";
 * const engine = makeTd3Engine(config, gemm, { twinCritics: parallelTwinCritics });
 * // … updates …
 * engine.dispose(); // stops the helper thread
 * ```
 */
export const parallelTwinCritics: TwinCriticsFactory = (gemm, layout, n, lr) =>
  makeParallelTwinCritics(gemm, layout, n, lr);

/**
 * {@link parallelTwinCritics}, typed with its job count.
 *
 * @param gemm the engine's GEMM (the helper loads the same provider by name)
 * @param layout the critic layout
 * @param n the batch size
 * @param lr the critics' Adam learning rate
 * @returns the critics
 */
export function makeParallelTwinCritics(
  gemm: Gemm,
  layout: MlpLayout,
  n: number,
  lr: number,
): ParallelTwinCritics {
  if (!canRunParallel(gemm)) return { ...makeTwinCritics(gemm, layout, n, lr), helperJobs: 0 };
  // The engines' critic inputs and targets (at most 4 buffers of [n, in] and 4 of [n]) and this module's own.
  const inputs = 5 * n * layout.sizes[0] + 6 * n;
  const poolFloats = POOL_STATES * ARENAS_PER_STATE * layout.length + inputs + n;
  const pool = new ArrayBuffer(poolFloats * 4);
  const address = Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(pool)));
  const controlBuffer = new SharedArrayBuffer(CONTROL.bytes);
  const control = new Int32Array(controlBuffer);
  const result = new Float64Array(controlBuffer, CONTROL.resultByte, 1);
  let used = 0;
  const allocShared = (length: number): Float32Array | undefined => {
    if (used + length > poolFloats) return undefined;
    const a = new Float32Array(pool, used * 4, length);
    used += length;
    return a;
  };
  const alloc = (length: number) => allocShared(length) ?? new Float32Array(length);
  const inPool = (a: Float32Array) => a.buffer === pool;

  // A node:worker_threads worker, unref'd: unlike a web Worker it does not keep the process alive, so a
  // program that never calls `dispose` still exits.
  const worker = new NodeWorker!(new URL("./_critic_worker.ts", import.meta.url));
  worker.unref();
  const init: CriticWorkerInit = {
    pool: BigInt(address),
    poolBytes: pool.byteLength,
    control: controlBuffer,
    sizes: layout.sizes,
    n,
    lr,
    gemm: gemm.name,
  };
  worker.postMessage(init);
  let usable = true;
  let disposed = false;

  const views = arenaViews(layout);
  const r1 = makeCriticRegression(gemm, layout, n, lr, views);
  const r2 = makeCriticRegression(gemm, layout, n, lr, views); // Q₂ here when a job cannot go to the helper
  const out2 = allocShared(n); // the helper's Q₂(x) of a target forward
  const pair: [Float32Array, Float32Array] = [r1.ws.out, r2.ws.out];

  /** Wait for the helper to be ready (once); false when it could not start. */
  const ready = (): boolean => {
    if (!usable) return false;
    if (Atomics.load(control, CONTROL.ready) === 0) Atomics.wait(control, CONTROL.ready, 0, TIMEOUT_MS);
    if (Atomics.load(control, CONTROL.ready) !== 1) usable = false;
    return usable;
  };
  /** Post a job whose array arguments are `arrays` (all in the pool). */
  const post = (job: number, arrays: readonly Float32Array[]) => {
    arrays.forEach((a, s) => {
      control[CONTROL.args + 2 * s] = a.byteOffset / 4;
      control[CONTROL.args + 2 * s + 1] = a.length;
    });
    Atomics.store(control, CONTROL.state, job);
    Atomics.notify(control, CONTROL.state);
  };
  /** Wait for the posted job `job` to end; throws when it failed or the helper went silent. */
  const finish = (job: number) => {
    let state = Atomics.load(control, CONTROL.state);
    for (let spin = 0; spin < SPINS && state === job; spin++) state = Atomics.load(control, CONTROL.state);
    const deadline = Date.now() + TIMEOUT_MS;
    while (state === job) {
      if (Atomics.wait(control, CONTROL.state, job, TIMEOUT_MS) === "timed-out" && Date.now() >= deadline) {
        usable = false;
        throw new Error("the critics' helper thread did not answer");
      }
      state = Atomics.load(control, CONTROL.state);
    }
    Atomics.store(control, CONTROL.state, JOB.idle);
    if (state !== JOB.done) {
      usable = false;
      throw new Error("the critics' helper thread failed a job");
    }
  };
  const shared = (arrays: readonly Float32Array[]) => arrays.every(inPool) && out2 !== undefined && ready();

  const through = inputGradients(gemm, layout, n, views, allocShared(n * layout.sizes[0]));
  // Both critics on this thread, on the same workspaces: what a job that cannot go to the helper runs.
  const local = twinCriticsOn({ gemm, layout, n, views, r1, r2, through });
  const d2Shared = allocShared(n); // dL/dQ₂ for the helper's input gradient
  let keptOnHelper = false; // whether the latest `forward` left Q₂'s activations on the helper
  const jobArgs: Float32Array[] = [];
  let jobs = 0;
  const critics: ParallelTwinCritics = {
    ...local,
    get helperJobs() {
      return jobs;
    },
    alloc,
    forward(q1, q2, x) {
      jobArgs.length = 0;
      jobArgs.push(q2, x, out2!);
      keptOnHelper = shared(jobArgs) && inPool(through.scratch) && d2Shared !== undefined;
      if (!keptOnHelper) return local.forward(q1, q2, x);
      post(JOB.keep, jobArgs);
      jobs++;
      pair[0] = mlpForward(gemm, layout, views(q1), x, n, r1.ws);
      finish(JOB.keep);
      pair[1] = out2!;
      return pair;
    },
    inputGradient(q1, q2, d1, d2, dx) {
      if (!keptOnHelper) return local.inputGradient(q1, q2, d1, d2, dx);
      d2Shared!.set(d2);
      jobArgs.length = 0;
      jobArgs.push(q2, d2Shared!, through.scratch);
      post(JOB.through, jobArgs);
      jobs++;
      through.one(q1, r1, d1, dx);
      finish(JOB.through);
      through.add(dx, through.scratch);
    },
    targets(q1, q2, x) {
      jobArgs.length = 0;
      jobArgs.push(q2, x, out2!);
      if (!shared(jobArgs)) return local.targets(q1, q2, x);
      post(JOB.forward, jobArgs);
      jobs++;
      pair[0] = mlpForward(gemm, layout, views(q1), x, n, r1.ws);
      finish(JOB.forward);
      pair[1] = out2!;
      return pair;
    },
    step(from, x, y, count, to) {
      jobArgs.length = 0;
      jobArgs.push(from.q2, from.q2M, from.q2V, x, y, to.q2, to.q2M, to.q2V);
      if (!shared(jobArgs)) return local.step(from, x, y, count, to);
      control[CONTROL.count] = count;
      post(JOB.regress, jobArgs);
      jobs++;
      const sum1 = r1.run(from.q1, from.q1M, from.q1V, x, y, count, to.q1, to.q1M, to.q1V);
      finish(JOB.regress);
      return twinLoss(sum1, result[0], n);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      usable = false;
      Atomics.store(control, CONTROL.state, JOB.exit);
      Atomics.notify(control, CONTROL.state);
      void worker.terminate();
    },
  };
  return critics;
}
