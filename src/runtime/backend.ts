/**
 * Backend choice: `wasm` (default, XNNPACK kernels; matrix products set up by `installGemm`, see
 * `gemm.ts`), `cpu` (plain JavaScript), or `tensorflow` (native libtensorflow through the optional
 * `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` packages, used only when the user asked for them
 * and installed them).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import type { BackendName } from "../config/backends.ts";
import { type GemmProvider, installGemm } from "./gemm.ts";

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

async function loadNative(): Promise<E.Either<string, string>> {
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

/**
 * Make `name` the active tfjs backend. For `wasm`, matrix products go to OpenBLAS when it loads and
 * `TD3SAC_BLAS` is not `off`, else to tfjs's XNNPACK kernel with transposed operands materialized.
 *
 * @param name the backend
 * @returns `Right(name)` when active, `Left(one-line reason)` otherwise
 */
export async function useBackend(name: BackendName): Promise<E.Either<string, BackendName>> {
  try {
    // Production mode silences tfjs's console advice (e.g. the cpu backend's "install tfjs-node" banner).
    tf.env().set("PROD", true);
    if (name === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      installGemm({ enabled: Deno.env.get("TD3SAC_BLAS") !== "off" });
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
