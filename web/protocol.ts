/**
 * The messages between the page (`main.ts`) and the training worker (`worker.ts`). Everything in them is
 * structured-clonable: numbers, strings, plain objects, typed arrays.
 *
 * @module
 */
import type { RunChoice } from "../src/config/run_config.ts";
import type { Frame } from "./frames.ts";

/** What the page asks of the worker. */
export type Request =
  /** Build the configuration of a choice and train it. */
  | { readonly type: "start"; readonly choice: RunChoice }
  /** Hold the run between two steps, until `resume`. */
  | { readonly type: "pause" }
  /** Continue a paused run. */
  | { readonly type: "resume" }
  /** End the run (its files stay available until the next start). */
  | { readonly type: "stop" }
  /** The run's files so far, for download. */
  | { readonly type: "files" }
  /** An episode of the current policy to animate, when one can be rolled out. */
  | { readonly type: "next-episode" }
  /** Load a `policy.safetensors` (e.g. trained by the CLI) and animate it; `env` overrides the file's. */
  | { readonly type: "watch"; readonly bytes: Uint8Array; readonly seed: number };

/** One finished training episode, as `episodes.csv` has it. */
export interface EpisodePoint {
  /** Environment steps when it ended. */
  readonly step: number;
  /** Its return. */
  readonly ret: number;
}

/** One evaluation, as `evals.csv` has it. */
export interface EvalPoint {
  /** Environment steps when it ran. */
  readonly step: number;
  /** Mean return over the evaluation episodes. */
  readonly mean: number;
  /** Their standard deviation. */
  readonly std: number;
}

/** What the worker tells the page. */
export type Reply =
  /** The run started: its configuration and what computes its updates. */
  | {
    readonly type: "started";
    readonly config: Readonly<Record<string, unknown>>;
    readonly compute: string;
  }
  /** Progress since the last report (sent at most ~10 times a second). */
  | {
    readonly type: "progress";
    readonly step: number;
    readonly steps: number;
    readonly stepsPerSecond: number;
    readonly episodes: readonly EpisodePoint[];
    readonly evals: readonly EvalPoint[];
  }
  /** An episode of the current deterministic policy, to animate. */
  | {
    readonly type: "episode";
    readonly env: string;
    readonly step: number;
    readonly frames: readonly Frame[];
    readonly dt: number;
  }
  /** The run is paused (`true`) or running again (`false`). */
  | { readonly type: "paused"; readonly paused: boolean }
  /** The run ended: finished, or stopped. */
  | { readonly type: "done"; readonly steps: number; readonly seconds: number; readonly stopped: boolean }
  /** The run's files: name → contents. */
  | { readonly type: "files"; readonly files: Readonly<Record<string, Uint8Array | string>> }
  /** A loaded policy: what it is, and its evaluation. */
  | {
    readonly type: "watching";
    readonly env: string;
    readonly algo: string;
    readonly mean: number;
    readonly std: number;
  }
  /** Something went wrong: one line. */
  | { readonly type: "error"; readonly message: string };
