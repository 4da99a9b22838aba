/**
 * `deno task train`: parse flags, pick the backend, make the run folder, train, and report errors as one
 * line with a non-zero exit code (2 for bad input). Never overwrites an existing run folder.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { parseTrainArgs, USAGE } from "./args.ts";
import { gemmProvider, useBackend } from "../runtime/backend.ts";
import { train } from "../runtime/train.ts";
import { trainSeeds } from "../runtime/train_seeds.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function freshRunFolder(base: string): Promise<string> {
  for (let i = 1;; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!(await exists(candidate))) return candidate;
  }
}

function fail(message: string, code: number): never {
  console.error(`error: ${message}`);
  Deno.exit(code);
}

/**
 * Run the train command.
 *
 * @param args command-line arguments
 */
export async function main(args: readonly string[]): Promise<void> {
  const parsed = parseTrainArgs(args);
  if (E.isLeft(parsed)) fail(`${parsed.left} (see --help)`, 2);
  const command = parsed.right;
  if (command.kind === "help") {
    console.log(USAGE);
    return;
  }
  const { config } = command;
  if (command.out !== undefined && await exists(command.out)) {
    fail(`--out ${command.out} already exists; choose a new folder (nothing was written)`, 2);
  }
  const backend = await useBackend(config.backend);
  if (E.isLeft(backend)) fail(backend.left, 2);

  if (command.seeds !== undefined) {
    const seeds = command.seeds;
    const spec = seeds.length > 1 && seeds.every((s, i) => s === seeds[0] + i)
      ? `${seeds[0]}-${seeds.at(-1)}`
      : seeds.join(",");
    const out = command.out ?? await freshRunFolder(`runs/${config.algo}-${config.env}-seeds${spec}`);
    await Deno.mkdir(out, { recursive: true });
    console.log(
      `training ${config.algo} on ${config.env} for ${config.steps} steps, seeds ${spec}, in parallel ` +
        `workers (preset ${config.preset}, backend ${config.backend}) into ${out}`,
    );
    const summary = await trainSeeds(config, { seeds, out, log: (line) => console.log(line) });
    console.log(
      `done in ${summary.wallSeconds.toFixed(1)} s (${summary.stepsPerSecond.toFixed(0)} environment ` +
        `steps/s over all seeds); per-seed runs and learning_curve_mean.svg in ${out}`,
    );
    return;
  }
  const out = command.out ?? await freshRunFolder(`runs/${config.algo}-${config.env}-seed${config.seed}`);
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/config.json`, JSON.stringify(config, null, 2) + "\n");
  const tty = Deno.stdout.isTerminal();
  const encoder = new TextEncoder();
  let lastDraw = 0;
  console.log(
    `training ${config.algo} on ${config.env} for ${config.steps} steps (seed ${config.seed}, ` +
      `preset ${config.preset}, backend ${config.backend}` +
      (config.backend === "wasm" ? `, matrix products by ${gemmProvider()}` : "") + `) into ${out}`,
  );
  const summary = await train(config, {
    out,
    log: (line) => {
      if (tty) Deno.stdout.writeSync(encoder.encode("\r\x1b[K"));
      console.log(line);
    },
    progress: (p) => {
      const now = performance.now();
      if (!tty || (now - lastDraw < 200 && p.totalSteps !== p.steps)) return;
      lastDraw = now;
      const last = p.lastReturn === undefined ? "–" : p.lastReturn.toFixed(1);
      Deno.stdout.writeSync(
        encoder.encode(
          `\r\x1b[Kstep ${p.totalSteps}/${p.steps} | last return ${last} | ${
            p.stepsPerSecond.toFixed(0)
          } steps/s`,
        ),
      );
    },
  });
  if (tty) Deno.stdout.writeSync(encoder.encode("\r\x1b[K"));
  const last = summary.evals.at(-1);
  console.log(
    `done in ${summary.wallSeconds.toFixed(1)} s: final eval ${last?.mean.toFixed(1)} ± ${
      last?.std.toFixed(1)
    }; ` +
      `files in ${out}`,
  );
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e), 1);
  }
}
