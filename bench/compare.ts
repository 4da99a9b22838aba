/**
 * Runs this project's update benchmarks (tfjs on the configured backend, and the fused engine) and, when
 * they can run here, the peers of `../shared/peers/` (PyTorch eager, JAX jit; each at 1 and 2 threads),
 * then prints one markdown table of milliseconds per update with the ratios to the peers' best. A peer whose
 * script or Python packages are missing is skipped with one line.
 *
 *     PEERS_PYTHON=/path/to/venv/bin/python deno run -A bench/compare.ts [--seconds 4]
 *
 * The peers are development aids outside this repository (a user's clone has no `../shared`).
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Deno.args, options: { seconds: { type: "string", default: "4" } } });
const root = new URL("..", import.meta.url).pathname;
const python = Deno.env.get("PEERS_PYTHON") ?? "/usr/bin/python3";

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    return { code: -1, stdout: "", stderr: String(e) };
  }
}

/** Mean milliseconds per iteration of every bench in a file, by name (`deno bench --json`). */
async function ours(file: string): Promise<Map<string, number>> {
  const r = await run(Deno.execPath(), ["bench", "--json", "-A", `${root}${file}`]);
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
const engine = await ours("bench/engine_td3_bench.ts");
const torch = await peer("torch_updates.py", "torch");
const jax = await peer("jax_updates.py", "jax");

const ms = (x?: number) => (x === undefined || !Number.isFinite(x) ? "–" : `${x.toFixed(2)} ms`);
const ratio = (peerMs?: number, oursMs?: number) =>
  peerMs === undefined || oursMs === undefined ? "–" : `${(peerMs / oursMs).toFixed(2)}×`;
const peerOf = (
  p: Map<string, number> | string,
  name: string,
) => (typeof p === "string" ? undefined : p.get(name));

console.log(
  `Measured ${
    new Date().toISOString().slice(0, 10)
  } on ${Deno.build.target}, ${navigator.hardwareConcurrency} ` +
    `cores; peers at their best of 1 and 2 threads; ratio = peer time / ours (above 1: we are faster).\n`,
);
console.log("| case | tfjs | engine | PyTorch | JAX jit | engine vs PyTorch | engine vs JAX |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const name of tfjs.keys()) {
  const e = engine.get(`engine ${name}`);
  const [t, j] = [peerOf(torch, name), peerOf(jax, name)];
  console.log(
    `| \`${name}\` | ${ms(tfjs.get(name))} | ${ms(e)} | ${ms(t)} | ${ms(j)} | ${ratio(t, e)} | ${
      ratio(j, e)
    } |`,
  );
}
for (const p of [torch, jax]) if (typeof p === "string") console.log(`\n${p}`);
