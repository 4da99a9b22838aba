/**
 * Learning results across seeds: runs `deno task train` for several seeds (two at a time, one per core;
 * finished runs of the same configuration already in the output folder are reused),
 * then writes a markdown table (first step and wall time to an evaluation mean ≥ threshold, final and best
 * evaluation, wall time and environment steps per second with one update per step)
 * and an aggregate learning curve (mean of the evaluation means with a 95% t-interval across seeds).
 *
 *     deno run -A bench/seed_results.ts --algo td3 --preset tuned --seeds 0-4 --steps 20000 --eval-every 1000
 *     deno run -A bench/seed_results.ts --env MountainCarContinuous-v0 --steps 60000 --eval-every 5000
 *
 * @module
 */
import { parseArgs } from "node:util";
import { aggregateEvals, firstReaching } from "../src/report/aggregate.ts";
import { learningCurveSvg } from "../src/report/plot.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    env: { type: "string", default: "Pendulum-v1" },
    algo: { type: "string", default: "td3" },
    preset: { type: "string", default: "tuned" },
    seeds: { type: "string", default: "0-4" },
    steps: { type: "string", default: "20000" },
    "eval-every": { type: "string", default: "1000" },
    parallel: { type: "string", default: "2" },
    threshold: { type: "string" },
    out: { type: "string" },
  },
});
const [lo, hi] = values.seeds!.split("-").map(Number);
const seeds = Array.from({ length: (hi ?? lo) - lo + 1 }, (_, i) => lo + i);
/** What counts as solved, by environment (Pendulum: −200; the others: Gymnasium's or the targets). */
const SOLVED: Readonly<Record<string, number>> = {
  "Pendulum-v1": -200,
  "MountainCarContinuous-v0": 90,
  "LunarLanderContinuous-v3": 200,
  "BipedalWalker-v3": 300,
};
const env = values.env!;
const threshold = Number(values.threshold ?? SOLVED[env] ?? 0);
const out = values.out ?? `runs/${env}-${values.algo}-${values.preset}-seeds`;
const root = new URL("..", import.meta.url).pathname;
await Deno.mkdir(out, { recursive: true });

/** Whether a finished run of the requested configuration is already in the seed's folder. */
async function finished(seed: number): Promise<boolean> {
  try {
    const config = JSON.parse(await Deno.readTextFile(`${out}/seed-${seed}/config.json`));
    const evals = (await Deno.readTextFile(`${out}/seed-${seed}/evals.csv`)).trim().split("\n");
    return config.env === env && config.algo === values.algo && config.preset === values.preset &&
      config.seed === seed &&
      config.steps === Number(values.steps) && config.evalEvery === Number(values["eval-every"]) &&
      evals.at(-1)!.startsWith(`${values.steps},`);
  } catch {
    return false;
  }
}

async function runSeed(seed: number): Promise<void> {
  if (await finished(seed)) return;
  await Deno.remove(`${out}/seed-${seed}`, { recursive: true }).catch(() => {});
  const args = [
    "run",
    "-A",
    "--quiet",
    `${root}src/cli/train.ts`,
    "--env",
    env,
    "--algo",
    values.algo!,
    "--preset",
    values.preset!,
  ];
  args.push("--seed", String(seed), "--steps", values.steps!, "--eval-every", values["eval-every"]!);
  args.push("--out", `${out}/seed-${seed}`);
  const r = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "inherit" }).output();
  if (r.code !== 0) throw new Error(`seed ${seed} failed with exit code ${r.code}`);
  if (!(await finished(seed))) throw new Error(`seed ${seed} did not write a complete ${values.algo} run`);
}

/** Wall-clock seconds of a run at each evaluation step, from its timing.csv. */
async function wallClock(seed: number): Promise<Map<number, number>> {
  const rows = (await Deno.readTextFile(`${out}/seed-${seed}/timing.csv`)).trim().split("\n").slice(1);
  return new Map(rows.map((r) => r.split(",").map(Number)).map(([steps, seconds]) => [steps, seconds]));
}

const queue = [...seeds];
await Promise.all(
  Array.from({ length: Number(values.parallel) }, async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      await runSeed(s);
      console.error(`seed ${s} done`);
    }
  }),
);
const clocks = new Map<number, Map<number, number>>();
for (const s of seeds) clocks.set(s, await wallClock(s));

type Row = { totalSteps: number; mean: number; std: number };
const evals = new Map<number, Row[]>();
for (const s of seeds) {
  const lines = (await Deno.readTextFile(`${out}/seed-${s}/evals.csv`)).trim().split("\n").slice(1);
  evals.set(
    s,
    lines.map((l) => l.split(",").map(Number)).map(([totalSteps, mean, std]) => ({ totalSteps, mean, std })),
  );
}

const points = aggregateEvals(seeds.map((s) => evals.get(s)!));
await Deno.writeTextFile(
  `${out}/learning_curve_mean.svg`,
  learningCurveSvg({
    title: `${
      values.algo!.toUpperCase()
    } (${values.preset}) on ${env}: evaluation mean over seeds ${values.seeds}, 95% CI`,
    bands: [{ label: `mean of ${seeds.length} seeds ± 95% CI`, points }],
    reference: { value: threshold, label: String(threshold).replace("-", "−") },
  }),
);

const rows = seeds.map((s) => {
  const rs = evals.get(s)!;
  const first = firstReaching(rs, threshold);
  const last = rs.at(-1)!;
  const clock = clocks.get(s)!;
  const total = clock.get(last.totalSteps)!;
  const toFirst = first === undefined ? "–" : clock.get(first)!.toFixed(0);
  return `| ${s} | ${first ?? "not reached"} | ${toFirst} | ${last.mean.toFixed(1)} ± ${
    last.std.toFixed(1)
  } | ${Math.max(...rs.map((r) => r.mean)).toFixed(1)} | ${total.toFixed(0)} | ${
    (last.totalSteps / total).toFixed(0)
  } |`;
});
const reached = seeds.filter((s) => firstReaching(evals.get(s)!, threshold) !== undefined).length;
const table = [
  `| seed | first step with eval mean ≥ ${threshold} | wall s to it | final eval (${values.steps} steps) | best eval | ` +
  "wall s | env steps/s |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows,
  "",
  `${reached} of ${seeds.length} seeds reach an evaluation mean ≥ ${threshold} within ${values.steps} steps.`,
].join("\n");
await Deno.writeTextFile(`${out}/summary.md`, table + "\n");
console.log(table);
