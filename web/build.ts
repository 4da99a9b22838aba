/**
 * Build the web app into `web/dist/`: the page and the worker bundled for the browser by `deno bundle`,
 * the engine's `gemm.wasm` beside the worker (it fetches it from there), the HTML and CSS. The folder is
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
for (
  const [from, to] of [
    ["web/index.html", "index.html"],
    ["web/style.css", "style.css"],
    ["src/engine/kernels/gemm.wasm", "gemm.wasm"],
  ]
) {
  await Deno.copyFile(new URL(from, root), new URL(to, dist));
}
const sizes = [];
for await (const f of Deno.readDir(dist)) {
  sizes.push(`${f.name} ${(await Deno.stat(new URL(f.name, dist))).size}`);
}
console.log(`web/dist: ${sizes.sort().join(", ")} (bytes)`);
