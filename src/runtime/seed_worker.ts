/**
 * A Deno module worker that trains one seed: it picks its own tfjs backend, runs {@link train} and reports
 * log lines and the result by message. Started by `trainSeeds`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as E from "fp-ts/lib/Either.js";
import type { TrainConfig } from "../config/train_config.ts";
import { useBackend } from "./backend.ts";
import { train } from "./train.ts";

/** What the worker is asked to train. */
export interface SeedJob {
  /** The run configuration, seed included. */
  readonly config: TrainConfig;
  /** The run folder (exists; the worker writes every file in it). */
  readonly out: string;
}

/** What the worker is told: train a seed, or stop early (write the checkpoint and report). */
export type SeedRequest = ({ readonly kind: "train" } & SeedJob) | { readonly kind: "stop" };

/** What the worker reports. */
export type SeedMessage =
  | { readonly kind: "log"; readonly line: string }
  | { readonly kind: "done"; readonly wallSeconds: number; readonly interrupted: boolean }
  | { readonly kind: "error"; readonly message: string };

let stopRequested = false;

self.onmessage = async (event: MessageEvent<SeedRequest>) => {
  if (event.data.kind === "stop") {
    stopRequested = true;
    return;
  }
  const { config, out } = event.data;
  const post = (m: SeedMessage) => self.postMessage(m);
  const backend = await useBackend(config.backend);
  if (E.isLeft(backend)) {
    post({ kind: "error", message: backend.left });
    return;
  }
  try {
    const summary = await train(config, {
      out,
      log: (line) => post({ kind: "log", line }),
      shouldStop: () => stopRequested,
    });
    post({ kind: "done", wallSeconds: summary.wallSeconds, interrupted: summary.interrupted });
  } catch (e) {
    post({ kind: "error", message: (e instanceof Error ? e.message : String(e)).split("\n")[0] });
  }
};
