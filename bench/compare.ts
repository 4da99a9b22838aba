/**
 * Runs this project's update benchmarks and, when present, the PyTorch peer
 * (`../shared/peers/torch_updates.py` beside the checkout, with Debian's python3-torch) at 1 and 2 threads,
 * and prints a markdown table of updates per second with the ratio to the peer's best.
 *
 *     deno run -A bench/compare.ts [--seconds 4]
 *
 * The peer is a development aid outside this repository: when it or torch is missing, only our numbers are
 * printed.
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Deno.args, options: { seconds: { type: "string", default: "4" } } });
const root = new URL("..", import.meta.url).pathname;
const peer = `${root}../shared/peers/torch_updates.py`;
const python = "/usr/bin/python3";

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    return { code: -1, stdout: "", stderr: String(e) };
  }
}

// Ours: deno bench --json reports the mean time per iteration in nanoseconds.
const ours = new Map<string, number>();
const bench = await run(Deno.execPath(), ["bench", "--json", "-A", `${root}bench/update_bench.ts`]);
if (bench.code !== 0) throw new Error(`deno bench failed:\n${bench.stderr}`);
for (const b of JSON.parse(bench.stdout).benches) {
  const ok = b.results?.[0]?.ok;
  if (ok) ours.set(b.name, ok.avg / 1e6);
}

// The peer, if it can run here.
const torch = new Map<string, { t1?: number; t2?: number }>();
let peerNote = "";
const hasPeer = await Deno.stat(peer).then(() => true, () => false);
const hasTorch = hasPeer && (await run(python, ["-c", "import torch"])).code === 0;
if (!hasPeer) peerNote = "PyTorch peer not found (../shared/peers/torch_updates.py): skipped.";
else if (!hasTorch) peerNote = "python3-torch not installed (apt-get install python3-torch): peer skipped.";
else {
  for (const threads of [1, 2]) {
    const r = await run(python, [peer, "--threads", String(threads), "--seconds", values.seconds!]);
    if (r.code !== 0) throw new Error(`peer failed:\n${r.stderr}`);
    for (const line of r.stdout.trim().split("\n")) {
      const { case: name, ms_per_update: ms } = JSON.parse(line);
      const entry = torch.get(name) ?? {};
      torch.set(name, threads === 1 ? { ...entry, t1: ms } : { ...entry, t2: ms });
    }
  }
}

const fmt = (ms?: number) => (ms === undefined ? "–" : `${ms.toFixed(2)} ms (${(1000 / ms).toFixed(0)}/s)`);
const rows = [...ours.keys()].map((name) => {
  const p = torch.get(name);
  const best = p === undefined ? undefined : Math.min(p.t1 ?? Infinity, p.t2 ?? Infinity);
  const ratio = best === undefined || !Number.isFinite(best)
    ? "–"
    : `${(best / ours.get(name)!).toFixed(2)}×`;
  return `| \`${name}\` | ${fmt(ours.get(name))} | ${fmt(p?.t1)} | ${fmt(p?.t2)} | ${ratio} |`;
});
console.log(
  `Measured ${
    new Date().toISOString().slice(0, 10)
  } on ${Deno.build.target}, ${navigator.hardwareConcurrency} cores.\n`,
);
console.log("| case | this project (wasm) | PyTorch 1 thread | PyTorch 2 threads | speed vs best PyTorch |");
console.log("| --- | ---: | ---: | ---: | ---: |");
rows.forEach((r) => console.log(r));
if (peerNote) console.log(`\n${peerNote}`);
