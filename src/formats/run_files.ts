/**
 * The text files of a run folder, as pure formatters: `episodes.csv`, `evals.csv`, `timing.csv`.
 * Everything but `timing.csv` depends only on the configuration, so two runs of one command write the
 * same bytes.
 *
 * @module
 */

/** One finished training episode. */
export interface EpisodeRow {
  /** 1-based episode number. */
  readonly episode: number;
  /** Environment steps taken when the episode ended. */
  readonly totalSteps: number;
  /** Undiscounted return. */
  readonly ret: number;
  /** Steps in the episode. */
  readonly length: number;
}

/** One evaluation. */
export interface EvalRow {
  /** Environment steps taken when the evaluation ran. */
  readonly totalSteps: number;
  /** Mean return over the evaluation episodes. */
  readonly mean: number;
  /** Standard deviation of those returns. */
  readonly std: number;
}

/** Wall-clock progress at an evaluation (never byte-stable, hence its own file). */
export interface TimingRow {
  /** Environment steps taken. */
  readonly totalSteps: number;
  /** Seconds since training started. */
  readonly wallSeconds: number;
  /** Environment steps per second since the previous row. */
  readonly stepsPerSecond: number;
}

/**
 * `episodes.csv`: `episode,total_steps,return,length`.
 *
 * @param rows the episodes
 * @returns the file contents
 */
export function episodesCsv(rows: readonly EpisodeRow[]): string {
  return [
    "episode,total_steps,return,length",
    ...rows.map((r) => `${r.episode},${r.totalSteps},${r.ret.toFixed(4)},${r.length}`),
  ]
    .join("\n") + "\n";
}

/**
 * `evals.csv`: `total_steps,mean_return,std_return`.
 *
 * @param rows the evaluations
 * @returns the file contents
 */
export function evalsCsv(rows: readonly EvalRow[]): string {
  return [
    "total_steps,mean_return,std_return",
    ...rows.map((r) => `${r.totalSteps},${r.mean.toFixed(4)},${r.std.toFixed(4)}`),
  ]
    .join("\n") + "\n";
}

/**
 * `timing.csv`: `total_steps,wall_seconds,steps_per_second`.
 *
 * @param rows the timings
 * @returns the file contents
 */
export function timingCsv(rows: readonly TimingRow[]): string {
  return [
    "total_steps,wall_seconds,steps_per_second",
    ...rows.map((r) => `${r.totalSteps},${r.wallSeconds.toFixed(2)},${r.stepsPerSecond.toFixed(1)}`),
  ]
    .join("\n") + "\n";
}
