/**
 * The helper thread of `parallel_critics.ts`: it computes the second critic's share of the target forward
 * and of the regression step, on arrays in one pool of memory, while the main thread computes the
 * first critic's. It runs the engine's own code (`_twin_critics.ts`'s `makeCriticRegression`, `mlp.ts`'s
 * forward) with the same GEMM as the main thread, so its results are the same bits as on one thread. The
 * pool is the main thread's memory, viewed here through its address (see `CriticWorkerInit.pool`).
 *
 * Protocol (all in the control block, see {@link CONTROL}): the main thread writes a job's arguments (arrays
 * as `[float offset, length]` into the pool) and then the job's code into `state`, and wakes this thread;
 * this thread does the job, writes its result, sets `state` to DONE (or FAILED) and wakes the main thread.
 * Nothing else passes between the threads after the first message, which carries the pool, the control
 * block and the network's shape.
 *
 * @module
 */
import { arenaViews, inputGradients, makeCriticRegression } from "../engine/_twin_critics.ts";
import type { Gemm } from "../engine/gemm.ts";
import { loadWasmGemm } from "../engine/kernels/wasm_gemm.ts";
import { mlpForward, mlpLayout, mlpViews, mlpWorkspace } from "../engine/mlp.ts";
import { parentPort } from "node:worker_threads";
import { CONTROL, type CriticWorkerInit, JOB } from "./parallel_critics.ts";
import { openBlasGemm } from "./openblas_gemm.ts";

/** Where an array of the pool is described in the control block: slot `s` is `[offset, length]`. */
const ARG = CONTROL.args;

/** Polls of the state before sleeping on it (about 0.1 ms): waking a sleeping thread costs more. */
const SPINS = 20_000;

parentPort?.once("message", async (init: CriticWorkerInit) => {
  const control = new Int32Array(init.control);
  const result = new Float64Array(init.control, CONTROL.resultByte, 1);
  try {
    const gemm: Gemm | undefined = init.gemm === "openblas" ? openBlasGemm() : await loadWasmGemm();
    if (gemm === undefined || gemm.name !== init.gemm) throw new Error(`cannot load ${init.gemm}`);
    const pointer = Deno.UnsafePointer.create(init.pool);
    if (pointer === null) throw new Error("no pool");
    const pool = Deno.UnsafePointerView.getArrayBuffer(pointer, init.poolBytes);
    const layout = mlpLayout(init.sizes);
    const views = arenaViews(layout);
    const regression = makeCriticRegression(gemm, layout, init.n, init.lr, views);
    const forwardWs = mlpWorkspace(layout, init.n);
    const kept = { ws: mlpWorkspace(layout, init.n), g: mlpViews(layout) }; // the policy step's Q₂
    const through = inputGradients(gemm, layout, init.n, views);
    // The pool's arrays by offset (each offset is one array for the pool's lifetime: it is never freed).
    const arrays = new Map<number, Float32Array>();
    const arg = (slot: number): Float32Array => {
      const offset = control[ARG + 2 * slot], length = control[ARG + 2 * slot + 1];
      let a = arrays.get(offset);
      if (a === undefined || a.length !== length) {
        arrays.set(offset, a = new Float32Array(pool, offset * 4, length));
      }
      return a;
    };
    Atomics.store(control, CONTROL.ready, 1);
    Atomics.notify(control, CONTROL.ready);
    for (;;) {
      let job = Atomics.load(control, CONTROL.state);
      // Spin a little before sleeping: the next job of an update usually follows within microseconds, and
      // waking a sleeping thread costs more than that.
      for (
        let spin = 0;
        spin < SPINS && (job === JOB.idle || job === JOB.done || job === JOB.failed);
        spin++
      ) {
        job = Atomics.load(control, CONTROL.state);
      }
      while (job === JOB.idle || job === JOB.done || job === JOB.failed) {
        Atomics.wait(control, CONTROL.state, job);
        job = Atomics.load(control, CONTROL.state);
      }
      if (job === JOB.exit) break;
      try {
        if (job === JOB.forward || job === JOB.keep) {
          // out = Q(x): [0] the critic arena, [1] x, [2] out
          const ws = job === JOB.keep ? kept.ws : forwardWs;
          arg(2).set(mlpForward(gemm, layout, views(arg(0)), arg(1), init.n, ws));
        } else if (job === JOB.through) {
          // dx = d·∂Q/∂x through the kept forward: [0] the critic arena, [1] d, [2] dx
          through.one(arg(0), kept, arg(1), arg(2));
        } else {
          // the regression: [0..2] p, m, v; [3] x; [4] y; [5..7] the new p, m, v; the count in `count`
          const count = control[CONTROL.count];
          result[0] = regression.run(arg(0), arg(1), arg(2), arg(3), arg(4), count, arg(5), arg(6), arg(7));
        }
        Atomics.store(control, CONTROL.state, JOB.done);
      } catch {
        Atomics.store(control, CONTROL.state, JOB.failed);
      }
      Atomics.notify(control, CONTROL.state);
    }
  } catch {
    Atomics.store(control, CONTROL.ready, -1);
    Atomics.notify(control, CONTROL.ready);
  }
});
