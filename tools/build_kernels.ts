/**
 * Builds the engine's WebAssembly kernels: `src/engine/kernels/assembly/gemm.ts` (AssemblyScript) into
 * `src/engine/kernels/gemm.wasm`, with an exact AssemblyScript (and so Binaryen) version, so the committed
 * binary can be rebuilt byte for byte. The engine loads the committed .wasm; nothing is compiled at run time.
 *
 *     deno task build:kernels                       # writes src/engine/kernels/gemm.wasm
 *     deno run -A tools/build_kernels.ts --out X    # writes X instead (the reproducibility test uses this)
 *
 * @module
 */
import asc from "npm:assemblyscript@0.28.20/asc";

/** The AssemblyScript version the committed binary is built with. */
export const ASSEMBLYSCRIPT_VERSION = "0.28.20";

const KERNELS = new URL("../src/engine/kernels/", import.meta.url);
const SOURCE = new URL("assembly/gemm.ts", KERNELS);
const OUTPUT = new URL("gemm.wasm", KERNELS);

/**
 * The compiler flags: SIMD on, full speed optimization, no managed runtime or GC (the kernel allocates
 * nothing), no assertions, no `abort` import (so the module imports nothing); the memory is the
 * module's own, exported and growable.
 */
export const FLAGS = [
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--converge",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--noAssert",
  "--use",
  "abort=",
] as const;

/**
 * Compiles the GEMM kernel.
 *
 * @returns the module's bytes
 */
export async function buildGemm(): Promise<Uint8Array> {
  const source = await Deno.readTextFile(SOURCE);
  let binary: Uint8Array | undefined;
  const stderr: string[] = [];
  const { error } = await asc.main(["gemm.ts", "--outFile", "gemm.wasm", ...FLAGS], {
    readFile: (name: string) => (name === "gemm.ts" ? source : null),
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name === "gemm.wasm" && typeof contents !== "string") binary = contents;
    },
    listFiles: () => [],
    stdout: { write: (s: string | Uint8Array) => (typeof s === "string" ? s.length : s.byteLength) },
    stderr: {
      write: (s: string | Uint8Array) => {
        const text = typeof s === "string" ? s : new TextDecoder().decode(s);
        stderr.push(text);
        return text.length;
      },
    },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? "no output"}\n${stderr.join("")}`);
  return binary;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--out");
  const out = at >= 0 ? Deno.args[at + 1] : OUTPUT;
  const started = performance.now();
  const bytes = await buildGemm();
  await Deno.writeFile(out, bytes);
  const ms = Math.round(performance.now() - started);
  console.log(`gemm.wasm: ${bytes.byteLength} bytes, assemblyscript ${asc.version}, ${ms} ms -> ${out}`);
}
