/**
 * Build the web app into `web/dist/`: the page and the worker bundled for the browser by `deno bundle`,
 * the engine's `gemm.wasm` and MuJoCo's `mujoco.wasm` beside the worker (they are fetched from there), the
 * HTML and CSS. The folder is
 * static: any static host can serve it (for WebAssembly threads and SharedArrayBuffer a host must send the
 * cross-origin isolation headers that `web/serve.ts` sends).
 *
 *     deno task web:build
 *
 * @module
 */
const root = new URL("../", import.meta.url);
const dist = new URL("web/dist/", root);
await Deno.remove(dist, { recursive: true }).catch(() => {});
await Deno.mkdir(dist, { recursive: true });

for (const entry of ["main", "worker"]) {
  const out = new URL(`${entry}.js`, dist);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "--minify", "-o", out.pathname, `web/${entry}.ts`],
    cwd: root.pathname,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    console.error(`error: bundling web/${entry}.ts failed:\n${new TextDecoder().decode(stderr)}`);
    Deno.exit(1);
  }
}
// MuJoCo's WebAssembly (10 MB), which its loader fetches from beside the worker script.
const mujocoWasm = new URL("./mujoco.wasm", import.meta.resolve("@mujoco/mujoco"));
const assets: [URL, string][] = [
  [new URL("web/index.html", root), "index.html"],
  [new URL("web/style.css", root), "style.css"],
  [new URL("src/engine/kernels/gemm.wasm", root), "gemm.wasm"],
  [mujocoWasm, "mujoco.wasm"],
];
for (const [from, to] of assets) await Deno.copyFile(from, new URL(to, dist));
const sizes = [];
for await (const f of Deno.readDir(dist)) {
  sizes.push(`${f.name} ${(await Deno.stat(new URL(f.name, dist))).size}`);
}
console.log(`web/dist: ${sizes.sort().join(", ")} (bytes)`);
