/**
 * Independent seeds in parallel: one Deno module worker per seed (at most one per core at a time), each
 * with its own tfjs backend, writing `OUT/seed-N/` exactly as a single-seed run would; then an aggregate
 * learning curve (mean of the evaluation means with a 95% confidence band) and `evals_mean.csv` in `OUT/`.
 * `OUT/seeds.json` records the seeds and the configuration first, so that a resume continues every seed,
 * including those that had not started (or whose checkpoint is gone) when the run stopped.
 *
 * @module
 */
import type { BackendName } from "../config/backends.ts";
import type { TrainConfig } from "../config/train_config.ts";
import { aggregateEvals } from "../report/aggregate.ts";
import { writeFileAtomic } from "../runtime/checkpoint.ts";
import { learningCurveSvg } from "../report/plot.ts";
import type { EvalRow } from "../formats/run_files.ts";
import type { SeedJob, SeedMessage } from "./seed_worker.ts";

/** Options of {@link trainSeeds}. */
export interface TrainSeedsOptions {
  /** The seeds to train. */
  readonly seeds: readonly number[];
  /** The folder for the per-seed runs and the aggregate files; must exist. */
  readonly out: string;
  /** Workers at once, default the number of cores. */
  readonly parallel?: number;
  /** Receives log lines, prefixed with the seed. */
  readonly log?: (line: string) => void;
  /**
   * Continue each `OUT/seed-N` from its checkpoint (to `steps` in total, or each run's own total), on
   * `backend` if given.
   */
  readonly resume?: { readonly steps?: number; readonly backend?: BackendName };
  /**
   * With `resume`: the seeds that have no checkpoint to continue from and start from scratch instead, with
   * the resume's `steps` and `backend` (their folders must be absent or empty).
   */
  readonly fresh?: readonly number[];
  /** Asked now and then; when true, every running seed writes its checkpoint and stops, and no new one starts. */
  readonly shouldStop?: () => boolean;
}

/** The file in a `--seeds` folder that lists its seeds and configuration. */
export const SEEDS_FILE = "seeds.json";

/** What {@link SEEDS_FILE} holds. */
export interface SeedsRecord {
  /** Every seed of the run, in order. */
  readonly seeds: readonly number[];
  /** The configuration every seed runs with (its `seed` field aside). */
  readonly config: TrainConfig;
}

/** What a multi-seed run reports. */
export interface TrainSeedsSummary {
  /** Wall-clock seconds for all seeds. */
  readonly wallSeconds: number;
  /** Environment steps per second summed over the seeds (total steps / wall time). */
  readonly stepsPerSecond: number;
  /** Whether `shouldStop` ended the runs early (no aggregate is written then). */
  readonly interrupted: boolean;
}

/** Train one seed in a worker; resolves with whether it was stopped early and the steps it took. */
function runWorker(
  job: SeedJob,
  log: (line: string) => void,
  shouldStop: () => boolean,
): Promise<{ interrupted: boolean; steps: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./seed_worker.ts", import.meta.url).href, { type: "module" });
    const poll = setInterval(() => {
      if (shouldStop()) {
        worker.postMessage({ kind: "stop" });
        clearInterval(poll);
      }
    }, 50);
    const finish = () => {
      clearInterval(poll);
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<SeedMessage>) => {
      const m = event.data;
      if (m.kind === "log") log(m.line);
      else {
        finish();
        if (m.kind === "done") resolve({ interrupted: m.interrupted, steps: m.steps });
        else reject(new Error(`seed ${job.config.seed}: ${m.message}`));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish();
      reject(new Error(`seed ${job.config.seed}: ${e.message}`));
    };
    worker.postMessage({ kind: "train", ...job });
  });
}

async function readEvals(path: string): Promise<EvalRow[]> {
  const lines = (await Deno.readTextFile(path)).trim().split("\n").slice(1);
  return lines.map((l) => l.split(",").map(Number)).map(([totalSteps, mean, std]) => ({
    totalSteps,
    mean,
    std,
  }));
}

/**
 * Train `config` once per seed, in parallel workers, and write the aggregate curve.
 *
 * @param config the configuration (its `seed` is replaced by each seed)
 * @param options seeds, output folder, parallelism and logging
 * @returns wall time and aggregate throughput
 */
export async function trainSeeds(
  config: TrainConfig,
  options: TrainSeedsOptions,
): Promise<TrainSeedsSummary> {
  const { seeds, out } = options;
  const log = options.log ?? (() => {});
  const parallel = Math.max(1, Math.min(options.parallel ?? navigator.hardwareConcurrency, seeds.length));
  const shouldStop = options.shouldStop ?? (() => false);
  // Each seed gets the cores left over: one each when the seeds fill them.
  const threads = Math.max(1, Math.floor(navigator.hardwareConcurrency / parallel));
  const started = performance.now();
  const record: SeedsRecord = {
    seeds: [...seeds],
    config: { ...config, ...options.resume },
  };
  await writeFileAtomic(`${out}/${SEEDS_FILE}`, JSON.stringify(record, null, 2) + "\n");
  const queue = [...seeds];
  let interrupted = false;
  let steps = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let seed = queue.shift(); seed !== undefined && !shouldStop(); seed = queue.shift()) {
      const dir = `${out}/seed-${seed}`;
      const fresh = options.resume === undefined || (options.fresh ?? []).includes(seed);
      const seedConfig = { ...config, seed, ...(fresh ? options.resume : {}) };
      if (fresh) await Deno.mkdir(dir, { recursive: options.resume !== undefined });
      const stopped = await runWorker(
        {
          config: seedConfig,
          out: dir,
          threads,
          ...(fresh ? {} : { resume: options.resume }),
        },
        (line) => log(`[seed ${seed}] ${line}`),
        shouldStop,
      );
      interrupted ||= stopped.interrupted;
      steps += stopped.steps;
    }
  }));
  const wallSeconds = (performance.now() - started) / 1000;
  if (interrupted || queue.length > 0) {
    return { wallSeconds, stepsPerSecond: 0, interrupted: true };
  }

  const runs = await Promise.all(seeds.map((s) => readEvals(`${out}/seed-${s}/evals.csv`)));
  const points = aggregateEvals(runs);
  await writeFileAtomic(
    `${out}/evals_mean.csv`,
    [
      "total_steps,mean_return,ci95_low,ci95_high",
      ...points.map((p) => `${p.totalSteps},${p.mean.toFixed(4)},${p.low.toFixed(4)},${p.high.toFixed(4)}`),
    ]
      .join("\n") + "\n",
  );
  await writeFileAtomic(
    `${out}/learning_curve_mean.svg`,
    learningCurveSvg({
      title: `${config.algo.toUpperCase()} on ${config.env} (${config.preset}): mean of seeds ${
        seeds.join(", ")
      }`,
      bands: [{ label: `mean of ${seeds.length} seeds ± 95% CI`, points }],
    }),
  );
  return { wallSeconds, stepsPerSecond: steps / wallSeconds, interrupted: false };
}
