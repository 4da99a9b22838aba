/**
 * A Deno module worker that trains one seed: it picks its own tfjs backend, runs {@link train} and reports
 * log lines and the result by message. Started by `trainSeeds`.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { BackendName } from "../config/backends.ts";
import type { TrainConfig } from "../config/train_config.ts";
import { useBackend } from "../runtime/backend.ts";
import { loadRun } from "./resume.ts";
import { type ResumePoint, train } from "./train.ts";

/** What the worker is asked to train. */
export interface SeedJob {
  /** The run configuration, seed included. */
  readonly config: TrainConfig;
  /** The run folder (exists; the worker writes every file in it). */
  readonly out: string;
  /** Continue the run in `out` from its checkpoint (to `steps` in total, or its own total) instead. */
  readonly resume?: { readonly steps?: number; readonly backend?: BackendName };
  /** Threads this seed's updates may use (1 when the seeds fill the cores). */
  readonly threads: number;
}

/** What the worker is told: train a seed, or stop early (write the checkpoint and report). */
export type SeedRequest = ({ readonly kind: "train" } & SeedJob) | { readonly kind: "stop" };

/** What the worker reports. */
export type SeedMessage =
  | { readonly kind: "log"; readonly line: string }
  | {
    readonly kind: "done";
    readonly wallSeconds: number;
    readonly interrupted: boolean;
    /** Environment steps taken by this worker. */
    readonly steps: number;
  }
  | { readonly kind: "error"; readonly message: string };

let stopRequested = false;

/** This module's worker scope, typed here (a `lib` reference would change the globals of every module). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SeedRequest>) => void) | null;
  postMessage(message: SeedMessage): void;
};

scope.onmessage = async (event: MessageEvent<SeedRequest>) => {
  if (event.data.kind === "stop") {
    stopRequested = true;
    return;
  }
  const { out, resume: resuming } = event.data;
  let config = event.data.config;
  const post = (m: SeedMessage) => scope.postMessage(m);
  let resume: ResumePoint | undefined;
  if (resuming !== undefined) {
    const loaded = await loadRun(out, (c) => useBackend(resuming.backend ?? c.backend));
    if (E.isLeft(loaded)) return post({ kind: "error", message: loaded.left });
    resume = loaded.right.resume;
    const { steps, backend } = loaded.right.config;
    config = { ...loaded.right.config, steps: resuming.steps ?? steps, backend: resuming.backend ?? backend };
    if (config.steps < resume.loop.step) {
      return post({
        kind: "error",
        message: `--steps ${config.steps} is fewer than the ${resume.loop.step} done`,
      });
    }
  }
  const backend = resume === undefined ? await useBackend(config.backend) : E.right(undefined);
  if (E.isLeft(backend)) {
    post({ kind: "error", message: backend.left });
    return;
  }
  try {
    const summary = await train(config, {
      out,
      resume,
      log: (line) => post({ kind: "log", line }),
      shouldStop: () => stopRequested,
      threads: event.data.threads,
    });
    post({
      kind: "done",
      wallSeconds: summary.wallSeconds,
      interrupted: summary.interrupted,
      steps: summary.steps - (resume?.loop.step ?? 0),
    });
  } catch (e) {
    post({ kind: "error", message: (e instanceof Error ? e.message : String(e)).split("\n")[0] });
  }
};
