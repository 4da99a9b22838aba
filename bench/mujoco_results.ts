/**
 * The MuJoCo results table of docs/results.md from finished run folders: for each run, the TD3 paper's
 * metric (the maximum over evaluations of the evaluation mean, and where it was), the mean of the last 10
 * evaluations, the final evaluation and the wall time, beside the published numbers of the TD3 paper
 * (Fujimoto et al. 2018, Table 1: Gym v1 tasks, prior versions of these), CleanRL's v4 reports and the
 * SB3 zoo's v3 rows. Where several seeds of one algorithm and task are given, a row across them follows:
 * the TD3 paper's own statistic (the maximum of the mean curve over seeds, at its step, ± the standard
 * deviation over seeds there, over n), then the mean ± sample standard deviation over seeds of each
 * seed's metric, and the mean wall time of a run. With `--curves DIR` each run's learning curve is copied
 * to `DIR/ALGO_ENV_seedN.svg`, and each group of seeds gets `DIR/ALGO_ENV_seeds.svg`: every seed's
 * evaluation means and their mean ± sample standard deviation over seeds.
 *
 *     deno run -A bench/mujoco_results.ts runs/td3-HalfCheetah-v5-seed0 [...] [--curves docs]
 *
 * A run folder may also be a kept record of one (docs/runs/NAME: its config.json, evals.csv, timing.csv
 * and policy, no curve), which gives the same row; its curve is then not copied.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { aggregateEvals, bestOfMeanCurve, meanStd } from "../src/report/aggregate.ts";
import { learningCurveSvg } from "../src/report/plot.ts";

/** Published means (± spread where given), by algorithm and task. */
const REFERENCES: Record<string, Record<string, { paper?: string; cleanrl?: string; zoo?: string }>> = {
  td3: {
    "HalfCheetah-v5": { paper: "9636 ± 859", cleanrl: "9583", zoo: "9656 ± 970" },
    "Hopper-v5": { paper: "3564 ± 115", cleanrl: "3135", zoo: "3606 ± 4" },
    "Walker2d-v5": { paper: "4683 ± 540", cleanrl: "4058", zoo: "4718 ± 46" },
    "Ant-v5": { paper: "4372 ± 1000", zoo: "5813 ± 590" },
  },
  sac: {
    "HalfCheetah-v5": { zoo: "9536 ± 101" },
    "Hopper-v5": { zoo: "2326 ± 1130" },
    "Walker2d-v5": { zoo: "3863 ± 254" },
    "Ant-v5": { zoo: "4616 ± 1354" },
  },
};

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { curves: { type: "string" } },
});
if (positionals.length === 0) {
  console.error("usage: deno run -A bench/mujoco_results.ts RUN_DIR... [--curves DIR]");
  Deno.exit(2);
}

const rows = (text: string) => text.trim().split("\n").slice(1).map((line) => line.split(",").map(Number));

console.log(
  "| task | algorithm | seed | steps | max eval mean (at step) | mean of last 10 evals | final eval | wall time | TD3 paper (v1) | CleanRL (v4) | SB3 zoo (v3) |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
/** What one run contributes to its group's row and curve. */
interface RunSummary {
  readonly seed: number;
  readonly steps: number;
  readonly best: number;
  readonly meanLast: number;
  readonly final: number;
  readonly hours: number;
  readonly evals: { totalSteps: number; mean: number; std: number }[];
}
const groups = new Map<string, { algo: string; env: string; runs: RunSummary[] }>();
const fmt = (m: { mean: number; std: number }) => `${m.mean.toFixed(1)} ± ${m.std.toFixed(1)}`;
const slug = (algo: string, env: string) => `${algo}_${env.replace(/-v\d+$/, "").toLowerCase()}`;

for (const dir of positionals) {
  try {
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    const evals = rows(await Deno.readTextFile(`${dir}/evals.csv`));
    const timing = rows(await Deno.readTextFile(`${dir}/timing.csv`));
    const best = evals.reduce((b, e) => (e[1] > b[1] ? e : b));
    const last10 = evals.slice(-10);
    const meanLast = last10.reduce((s, e) => s + e[1], 0) / last10.length;
    const final = evals.at(-1)!;
    const hours = (timing.at(-1)?.[1] ?? NaN) / 3600;
    const ref = REFERENCES[config.algo]?.[config.env] ?? {};
    console.log(
      `| ${config.env} | ${config.algo.toUpperCase()} | ${config.seed} | ${final[0]} | ${
        best[1].toFixed(1)
      } (${best[0]}) | ` +
        `${meanLast.toFixed(1)} | ${final[1].toFixed(1)} ± ${final[2].toFixed(1)} | ${
          hours.toFixed(2)
        } h | ` +
        `${ref.paper ?? "–"} | ${ref.cleanrl ?? "–"} | ${ref.zoo ?? "–"} |`,
    );
    const key = `${config.algo} ${config.env}`;
    if (!groups.has(key)) groups.set(key, { algo: config.algo, env: config.env, runs: [] });
    groups.get(key)!.runs.push({
      seed: config.seed,
      steps: final[0],
      best: best[1],
      meanLast,
      final: final[1],
      hours,
      evals: evals.map(([totalSteps, mean, std]) => ({ totalSteps, mean, std })),
    });
    if (values.curves !== undefined) {
      const name = `${slug(config.algo, config.env)}_seed${config.seed}.svg`;
      try {
        await Deno.copyFile(`${dir}/learning_curve.svg`, `${values.curves}/${name}`);
      } catch (e) {
        // A kept record (docs/runs/) holds no curve of its own: its curve is already in docs/.
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        console.error(`${dir} has no learning_curve.svg: ${name} not written`);
      }
    }
  } catch (e) {
    console.error(`error: ${dir}: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}

/** Mean ± sample standard deviation over the runs of the evaluation means, at the steps they share. */
function spread(runs: readonly RunSummary[]) {
  return aggregateEvals(runs.map((r) => r.evals)).map(({ totalSteps }) => {
    const { mean, std } = meanStd(runs.map((r) => r.evals.find((e) => e.totalSteps === totalSteps)!.mean));
    return { totalSteps, mean, low: mean - std, high: mean + std };
  });
}

for (const { algo, env, runs } of groups.values()) {
  if (runs.length < 2) continue;
  const seeds = runs.map((r) => r.seed).join(", ");
  const steps = runs.every((r) => r.steps === runs[0].steps) ? String(runs[0].steps) : "mixed";
  const ref = REFERENCES[algo]?.[env] ?? {};
  const hours = meanStd(runs.map((r) => r.hours)).mean;
  const peak = bestOfMeanCurve(runs.map((r) => r.evals));
  const paperWay = peak === undefined ? "no shared step" : `${fmt(peak)} (${peak.totalSteps})`;
  console.log(
    `| ${env} | ${algo.toUpperCase()} | ${seeds} | ${steps} | mean curve ${paperWay}; ` +
      `each seed's ${fmt(meanStd(runs.map((r) => r.best)))} | ` +
      `${fmt(meanStd(runs.map((r) => r.meanLast)))} | ${fmt(meanStd(runs.map((r) => r.final)))} | ` +
      `${hours.toFixed(2)} h (mean) | ${ref.paper ?? "–"} | ${ref.cleanrl ?? "–"} | ${ref.zoo ?? "–"} |`,
  );
  if (values.curves !== undefined) {
    const line = (r: RunSummary) => r.evals.map((e) => ({ ...e, low: e.mean, high: e.mean }));
    const paper = ref.paper ?? ref.zoo;
    const svg = learningCurveSvg({
      title: `${algo.toUpperCase()} on ${env}: evaluation means of seeds ${seeds}`,
      bands: [
        { label: `mean ± std of ${runs.length} seeds`, points: spread(runs) },
        ...runs.map((r) => ({ label: `seed ${r.seed}`, points: line(r) })),
      ],
      reference: paper === undefined ? undefined : {
        value: Number(paper.split(" ")[0]),
        label: `${ref.paper ? "TD3 paper (v1)" : "SB3 zoo (v3)"} ${paper}`,
      },
    });
    await Deno.writeTextFile(`${values.curves}/${slug(algo, env)}_seeds.svg`, svg);
  }
}
