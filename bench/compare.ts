/**
 * Runs this project's update benchmarks (tfjs on the wasm backend, and the fused engine with OpenBLAS and
 * with its own WebAssembly GEMM) and, when they can run here, the peers of `../shared/peers/` (PyTorch
 * eager, JAX jit; each at 1 and 2 threads), then prints one markdown table of milliseconds per update with
 * the ratios to the peers' best. Then the end-to-end case: TD3 on Pendulum-v1 with RLtools' settings, the
 * wall time of `deno task train` against RLtools' C++ example (`rltools/run.sh`). A peer whose script,
 * compiler or Python packages are missing is skipped with one line; `--no-e2e` skips the end-to-end case.
 *
 *     PEERS_PYTHON=/path/to/venv/bin/python deno run -A bench/compare.ts [--seconds 4] [--no-e2e]
 *
 * The peers are development aids outside this repository (a user's clone has no `../shared`).
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "4" }, "no-e2e": { type: "boolean", default: false } },
});
const root = new URL("..", import.meta.url).pathname;
const python = Deno.env.get("PEERS_PYTHON") ?? "/usr/bin/python3";

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    return { code: -1, stdout: "", stderr: String(e) };
  }
}

/** Mean milliseconds per iteration of every bench in a file, by name (`deno bench --json`). */
async function ours(file: string, env: Record<string, string> = {}): Promise<Map<string, number>> {
  const r = await run(Deno.execPath(), ["bench", "--json", "-A", `${root}${file}`], env);
  if (r.code !== 0) throw new Error(`deno bench ${file} failed:\n${r.stderr}`);
  const found = new Map<string, number>();
  for (const b of JSON.parse(r.stdout).benches) {
    const ok = b.results?.[0]?.ok;
    if (ok) found.set(b.name, ok.avg / 1e6);
  }
  return found;
}

/** A peer's best of 1 and 2 threads per case, or a line saying why it was skipped. */
async function peer(script: string, module: string): Promise<Map<string, number> | string> {
  const path = `${root}../shared/peers/${script}`;
  if (!(await Deno.stat(path).then(() => true, () => false))) return `${script} not found: skipped.`;
  if ((await run(python, ["-c", `import ${module}`])).code !== 0) {
    return `${python} cannot import ${module} (set PEERS_PYTHON to a venv that has it): ${script} skipped.`;
  }
  const best = new Map<string, number>();
  for (const threads of [1, 2]) {
    const r = await run(python, [path, "--threads", String(threads), "--seconds", values.seconds!]);
    if (r.code !== 0) return `${script} failed: ${r.stderr.trim().split("\n").at(-1)}`;
    for (const line of r.stdout.trim().split("\n")) {
      const { case: name, ms_per_update: ms } = JSON.parse(line);
      best.set(name, Math.min(best.get(name) ?? Infinity, ms));
    }
  }
  return best;
}

const tfjs = await ours("bench/update_bench.ts");
const engine = await ours("bench/engine_bench.ts");
const engineWasm = await ours("bench/engine_bench.ts", { TD3SAC_BLAS: "off" });
const torch = await peer("torch_updates.py", "torch");
const jax = await peer("jax_updates.py", "jax");
const versions = (await run(python, [
  "-c",
  "import importlib.metadata as m\nfor p in ('torch', 'jax', 'jaxlib'):\n" +
  "  try: print(p, m.version(p))\n  except Exception: pass",
])).stdout.trim().split("\n").filter((l) => l !== "").join(", ");

const ms = (x?: number) => (x === undefined || !Number.isFinite(x) ? "–" : `${x.toFixed(2)} ms`);
const ratio = (peerMs?: number, oursMs?: number) =>
  peerMs === undefined || oursMs === undefined ? "–" : `${(peerMs / oursMs).toFixed(2)}×`;
const peerOf = (
  p: Map<string, number> | string,
  name: string,
) => (typeof p === "string" ? undefined : p.get(name));
const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => "")).match(/model name\s*: (.*)/)?.[1];

console.log(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu ?? Deno.build.target}, ` +
    `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}${versions ? `, ${versions}` : ""}; ` +
    "peers at their best of 1 and 2 threads; ratio = peer time / ours (above 1: we are faster).\n",
);
console.log(
  "| case | tfjs wasm | engine, OpenBLAS, 1 thread | 2 threads | engine, WASM GEMM, best of 1 and 2 threads | PyTorch | " +
    "JAX jit | engine (best) vs PyTorch | engine (best) vs JAX | WASM GEMM engine vs PyTorch |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
const best = (...xs: (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
};
for (const name of tfjs.keys()) {
  const e1 = engine.get(`engine ${name}`), e2 = engine.get(`engine ${name}, 2 threads`);
  const w = best(
    engineWasm.get(`engine ${name} (wasm-simd)`),
    engineWasm.get(`engine ${name}, 2 threads (wasm-simd)`),
  );
  const e = best(e1, e2);
  const [t, j] = [peerOf(torch, name), peerOf(jax, name)];
  console.log(
    `| \`${name}\` | ${ms(tfjs.get(name))} | ${ms(e1)} | ${ms(e2)} | ${ms(w)} | ${ms(t)} | ${ms(j)} | ` +
      `${ratio(t, e)} | ${ratio(j, e)} | ${ratio(t, w)} |`,
  );
}
for (const p of [torch, jax]) if (typeof p === "string") console.log(`\n${p}`);
if (!values["no-e2e"]) await endToEnd();

/**
 * TD3 on Pendulum-v1 with RLtools' settings (64-64 nets, batch 100, 100 random warm-up steps, Adam 1e-3,
 * 20000 steps): the wall time of the whole `deno task train` process against `rltools/run.sh`'s.
 */
async function endToEnd(): Promise<void> {
  const out = await Deno.makeTempDir();
  const flags = [
    "--algo=td3",
    "--hidden=64,64",
    "--batch-size=100",
    "--random-steps=100",
    "--learning-starts=100",
    "--lr=0.001",
    "--steps=20000",
    `--out=${out}/run`,
  ];
  const start = performance.now();
  const r = await run(Deno.execPath(), ["run", "-A", `${root}src/cli/train.ts`, ...flags]);
  const wall = (performance.now() - start) / 1000;
  await Deno.remove(out, { recursive: true });
  if (r.code !== 0) throw new Error(`deno task train failed:\n${r.stderr}`);
  const final = /final eval (\S+ ± [^;\s]+)/.exec(r.stdout)?.[1];
  console.log("\nEnd to end, TD3 on Pendulum-v1 with RLtools' settings (20000 steps):\n");
  console.log("| run | wall time | result |");
  console.log("| --- | ---: | --- |");
  console.log(
    `| \`deno task train ${flags.slice(0, -1).join(" ")}\` | ${wall.toFixed(1)} s | final eval ${final} |`,
  );
  const script = `${root}../shared/peers/rltools/run.sh`;
  if (!(await Deno.stat(script).then(() => true, () => false))) {
    console.log("\nrltools/run.sh not found: skipped.");
    return;
  }
  const peerRun = await run("bash", [script, "0"]);
  const peerWall = /wall_s=([\d.]+)/.exec(peerRun.stdout)?.[1];
  if (peerRun.code !== 0 || peerWall === undefined) {
    console.log(
      `\nrltools/run.sh failed (needs g++ and libopenblas-dev): ${peerRun.stderr.trim().split("\n").at(-1)}`,
    );
    return;
  }
  const last = peerRun.stdout.trim().split("\n").filter((l) => l.startsWith("Step:")).at(-1) ?? "";
  console.log(`| RLtools' C++ TD3 example, seed 0 | ${Number(peerWall).toFixed(1)} s | ${last.trim()} |`);
  console.log(`\nRLtools' wall time / ours: ${(Number(peerWall) / wall).toFixed(2)}×.`);
}
