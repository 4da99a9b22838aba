/**
 * Backend choice: `engine` (default: the fused CPU update engine of `src/engine`, its matrix products in
 * OpenBLAS when it loads, else in the engine's WebAssembly SIMD GEMM; tfjs's `cpu` backend only initializes
 * the networks and reads checkpoints), or a tfjs backend for the reference agents: `wasm` (XNNPACK kernels;
 * matrix products set up by `installGemm`, see `gemm.ts`), `cpu` (plain JavaScript), or `tensorflow`
 * (native libtensorflow through the optional `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`
 * packages, used only when the user asked for them and installed them).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import type { BackendName } from "../config/backends.ts";
import type { Gemm } from "../engine/gemm.ts";
import { loadWasmGemm } from "../engine/kernels/wasm_gemm.ts";
import { type GemmProvider, gemmProvider, installGemm } from "./gemm.ts";
import { openBlasCoreName } from "./_openblas.ts";
import { openBlasGemm } from "./openblas_gemm.ts";
import type { Either } from "../core/either.ts";
import { hostEnv } from "./host.ts";

export { type BackendName, BACKENDS } from "../config/backends.ts";

export type { GemmProvider };
export { gemmProvider } from "./gemm.ts";

/** How to install the optional native backend, said in every error about it. */
export const TENSORFLOW_INSTALL_HINT =
  "install one with `deno add --allow-scripts=npm:@tensorflow/tfjs-node npm:@tensorflow/tfjs-node@4.22.0` " +
  "(or the same with tfjs-node-gpu)";

const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}

async function loadNative(): Promise<Either<string, string>> {
  const failures: string[] = [];
  for (const name of NATIVE_PACKAGES) {
    // A bare specifier resolves only when the user added the package to the import map; nothing is
    // downloaded behind their back. The variable keeps Deno from resolving it ahead of time.
    const specifier: string = name;
    try {
      await import(specifier);
      return E.right(name);
    } catch (e) {
      const msg = firstLine(e);
      if (!/not a dependency|Import .* not|Relative import path|Cannot find|not found/i.test(msg)) {
        failures.push(`${name} failed to load: ${msg}`);
      }
    }
  }
  const why = failures.length > 0
    ? failures.join("; ")
    : "neither @tensorflow/tfjs-node-gpu nor -node is installed";
  return E.left(`backend "tensorflow" is unavailable: ${why}; ${TENSORFLOW_INSTALL_HINT}`);
}

let engineGemmLoaded: Promise<Gemm> | undefined;

/**
 * The fused engine's matrix products: OpenBLAS when it loads and `TD3SAC_BLAS` is not `off`, else the
 * engine's own WebAssembly SIMD GEMM (loaded once; later calls return the same provider).
 *
 * @returns the provider; its `name` is what the run log says
 */
export function engineGemm(): Promise<Gemm> {
  engineGemmLoaded ??= (async () => {
    const blas = hostEnv("TD3SAC_BLAS") === "off" ? undefined : openBlasGemm();
    return blas ?? await loadWasmGemm();
  })();
  return engineGemmLoaded;
}

/**
 * What multiplies the matrices of a backend, for the run log: the engine's GEMM, or the wasm backend's
 * (`openblas` or `xnnpack`, once `useBackend("wasm")` has run), with OpenBLAS's kernel family, e.g.
 * `openblas (Haswell kernels)`; none for the other tfjs backends.
 *
 * @param name the backend
 * @returns the provider's name, or undefined
 */
export async function matrixProducts(name: BackendName): Promise<string | undefined> {
  const provider = name === "engine"
    ? (await engineGemm()).name
    : name === "wasm"
    ? gemmProvider()
    : undefined;
  const core = openBlasCoreName();
  return provider?.startsWith("openblas") && core !== undefined ? `${provider} (${core} kernels)` : provider;
}

/**
 * Make `name` the active backend: for `engine`, its GEMM is loaded and tfjs's `cpu` backend set. For `wasm`, matrix products go to OpenBLAS when it loads and
 * `TD3SAC_BLAS` is not `off`, else to tfjs's XNNPACK kernel with transposed operands materialized.
 *
 * @param name the backend
 * @returns `Right(name)` when active, `Left(one-line reason)` otherwise
 */
export async function useBackend(name: BackendName): Promise<Either<string, BackendName>> {
  try {
    // Production mode silences tfjs's console advice (e.g. the cpu backend's "install tfjs-node" banner).
    tf.env().set("PROD", true);
    if (name === "engine") {
      await engineGemm();
      const ok = await tf.setBackend("cpu");
      if (!ok) return E.left(`backend "engine" failed to initialize tfjs's cpu backend`);
      await tf.ready();
      return E.right(name);
    }
    if (name === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      installGemm({ enabled: hostEnv("TD3SAC_BLAS") !== "off" });
    } else if (name === "tensorflow") {
      const loaded = await loadNative();
      if (E.isLeft(loaded)) return loaded;
    }
    const ok = await tf.setBackend(name);
    if (!ok) return E.left(`backend "${name}" failed to initialize`);
    await tf.ready();
    return E.right(name);
  } catch (e) {
    return E.left(`backend "${name}" failed to initialize: ${firstLine(e)}`);
  }
}
