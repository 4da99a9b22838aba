/**
 * Across-seed summaries of evaluation curves: the mean of the evaluation means at each step with a 95%
 * Student-t confidence interval, and the first step at which a run reaches a threshold.
 *
 * @module
 */
import type { EvalRow } from "../formats/run_files.ts";

/** One point of an aggregate curve. */
export interface AggregatePoint {
  /** Environment steps. */
  readonly totalSteps: number;
  /** Mean over seeds of the evaluation means. */
  readonly mean: number;
  /** Lower end of the 95% confidence interval of that mean. */
  readonly low: number;
  /** Upper end of the 95% confidence interval of that mean. */
  readonly high: number;
}

/** Two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/**
 * Mean and 95% confidence interval across runs at each evaluation step they all share.
 *
 * @param runs the evaluation rows of each run
 * @returns one point per shared step, in step order
 */
export function aggregateEvals(runs: readonly (readonly EvalRow[])[]): AggregatePoint[] {
  if (runs.length === 0) return [];
  const shared = runs[0].map((r) => r.totalSteps).filter((t) =>
    runs.every((rs) => rs.some((r) => r.totalSteps === t))
  );
  return shared.map((t) => {
    const ms = runs.map((rs) => rs.find((r) => r.totalSteps === t)!.mean);
    const n = ms.length;
    const mean = ms.reduce((a, b) => a + b, 0) / n;
    if (n < 2) return { totalSteps: t, mean, low: mean, high: mean };
    const sd = Math.sqrt(ms.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = (T975[n - 2] ?? 1.96) * sd / Math.sqrt(n);
    return { totalSteps: t, mean, low: mean - half, high: mean + half };
  });
}

/**
 * The first evaluation step whose mean reaches a threshold.
 *
 * @param evals a run's evaluation rows
 * @param threshold the return to reach
 * @returns the step, or `undefined` if never reached
 */
export function firstReaching(evals: readonly EvalRow[], threshold: number): number | undefined {
  return evals.find((r) => r.mean >= threshold)?.totalSteps;
}

/** Mean and sample standard deviation (n − 1) of a set of values. */
export interface MeanStd {
  /** Arithmetic mean. */
  readonly mean: number;
  /** Sample standard deviation; 0 for a single value. */
  readonly std: number;
}

/**
 * Mean and sample standard deviation (n − 1 in the denominator) of some values, e.g. one metric over seeds.
 *
 * @param values at least one value
 * @returns their mean and sample standard deviation
 */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new RangeError("meanStd needs at least one value");
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) };
}

/** The TD3 paper's Table 1 statistic over several runs. */
export interface BestOfMeanCurve {
  /** Environment steps of the evaluation where the mean curve peaks (the first such, on ties). */
  readonly totalSteps: number;
  /** The mean over runs of their evaluation means there: the mean curve's maximum. */
  readonly mean: number;
  /** Standard deviation over runs at that evaluation, over n (not n − 1), as the paper's ± is. */
  readonly std: number;
}

/**
 * The maximum over evaluations of the mean curve across runs, and the spread across runs there: how the
 * TD3 paper's Table 1 is computed from its trials (Fujimoto et al. 2018; the learning curves they publish
 * give its numbers this way). It is never above the mean of each run's own maximum.
 *
 * @param runs the evaluation rows of each run; only the steps all of them share count
 * @returns the peak of the mean curve, or `undefined` when the runs share no step
 */
export function bestOfMeanCurve(runs: readonly (readonly EvalRow[])[]): BestOfMeanCurve | undefined {
  let best: BestOfMeanCurve | undefined;
  for (const { totalSteps, mean } of aggregateEvals(runs)) {
    if (best !== undefined && mean <= best.mean) continue;
    const ms = runs.map((rs) => rs.find((r) => r.totalSteps === totalSteps)!.mean);
    const std = Math.sqrt(ms.reduce((a, b) => a + (b - mean) ** 2, 0) / ms.length);
    best = { totalSteps, mean, std };
  }
  return best;
}
