/**
 * Flags of `deno task train`, parsed by a pure function into a validated configuration (fp-ts `Either`).
 * Built on `node:util` `parseArgs` (Deno's built-in; `jsr:@std/cli` is not reachable from our CI).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import {
  type Algo,
  ALGOS,
  hyperparameterNames,
  kebab,
  type Preset,
  PRESETS,
  type TrainConfig,
} from "../config/train_config.ts";
import { type BackendName, BACKENDS } from "../config/backends.ts";
import { DEFAULTS } from "../config/presets.ts";
import { configFor } from "../config/run_config.ts";

/** What the command line asks for: help, a new run, or more steps of an existing one. */
export type Command =
  | { readonly kind: "help" }
  | {
    readonly kind: "train";
    readonly config: TrainConfig;
    readonly out?: string;
    /** Several seeds to train in parallel workers (`--seeds`), instead of `config.seed` alone. */
    readonly seeds?: readonly number[];
    /** Replace an existing run folder at `out` (`--force`). */
    readonly force: boolean;
  }
  | {
    readonly kind: "resume";
    /** The run folder to continue. */
    readonly dir: string;
    /** Total environment steps to reach, if given. */
    readonly steps?: number;
    /** The backend to continue on, if given (an implementation choice: the results stay comparable). */
    readonly backend?: BackendName;
  };

const NUMERIC = [
  "seed",
  "steps",
  "batchSize",
  "bufferSize",
  "actorLr",
  "criticLr",
  "alphaLr",
  "valueLr",
  "gamma",
  "tau",
  "alpha",
  "policyReg",
  "explorationNoise",
  "policyNoise",
  "noiseClip",
  "policyDelay",
  "randomSteps",
  "learningStarts",
  "evalEvery",
  "evalEpisodes",
  "checkpointEvery",
] as const;

const STRINGS = [
  "algo",
  "env",
  "preset",
  "backend",
  "out",
  "hidden",
  "lr",
  "init",
  "seeds",
  "resume",
  "noiseType",
] as const;

const BOOLEANS = ["saveBuffer", "force"] as const;

/** The usage text printed by `--help`. */
export const USAGE = `Train TD3, SAC or the lecture's value-network SAC on a continuous-control environment.

Usage: deno task train [flags]

  --algo NAME               td3 | sac | sac-v (default td3)
  --env ID                  Pendulum-v1 (default) | MountainCarContinuous-v0 |
                            LunarLanderContinuous-v3 | BipedalWalker-v3 | HalfCheetah-v5 |
                            Hopper-v5 | Walker2d-v5 | Ant-v5 | Humanoid-v5 | InvertedPendulum-v5 |
                            InvertedDoublePendulum-v5 | Reacher-v5
  --seed N                  seed of every random draw (default 0)
  --seeds A-B | A,B,…       train several seeds in parallel (one worker per core) into OUT/seed-N, plus
                            an aggregate curve with a 95% band (default OUT: runs/ALGO-ENV-seedsA-B)
  --steps N                 environment steps (default 20000; MountainCar 60000, LunarLander 300000,
                            BipedalWalker and MuJoCo 1000000)
  --out DIR                 run folder; must not exist (default runs/ALGO-ENV-seedN, made unique)
  --force                   replace the run folder at --out (only a folder holding nothing but run files)
  --resume DIR              continue the run in DIR from its checkpoint (a --seeds folder: every seed);
                            only --steps, the new total, and --backend may be given too
  --preset NAME             lecture | tuned (default tuned); the flags below override it
  --backend NAME            engine | wasm | cpu | tensorflow (default engine: the fused CPU engine;
                            the others run the tfjs reference agents on that tfjs backend)
  --eval-every N            evaluate every N steps (default 5000)
  --eval-episodes N         episodes per evaluation (default 10)
  --checkpoint-every N      write checkpoint.safetensors every N steps, replacing the previous one
                            (default 5000; 0: only at the end and when interrupted)
  --save-buffer             store the replay buffer in the checkpoint, so that --resume continues exactly

 every algorithm:
  --hidden W1,W2            hidden layer widths (1 to 8 layers of at most 8192; at most 10 million
                            weights between hidden layers, e.g. 2048,2048)
  --batch-size N            minibatch size
  --buffer-size N           replay capacity
  --lr X                    every Adam learning rate of the algorithm
  --actor-lr X, --critic-lr X
  --gamma X                 discount
  --tau X                   soft target update rate
  --random-steps N          uniformly random actions for the first N steps
  --learning-starts N       updates (one per step) begin after N steps
 td3, sac:
  --noise-type NAME         exploration noise added to the action: gaussian (per step; td3's default) |
                            ou (Ornstein-Uhlenbeck, θ 0.15, dt 0.01) | none (sac's default)
  --exploration-noise X     its σ, fraction of the action half-range (sac: needs gaussian or ou)
 td3:
  --policy-noise X          target smoothing σ, fraction of the action half-range
  --noise-clip X            target smoothing clip, fraction of the action half-range
  --policy-delay N          critic updates per actor update
 sac, sac-v:
  --alpha X                 temperature α: initial (sac, then learned toward entropy −|A|) or fixed (sac-v)
  --init NAME               torch | xavier weight initialization
  --alpha-lr X              Adam learning rate of log α (sac)
  --value-lr X              Adam learning rate of the value network (sac-v)
  --policy-reg X            weight of the lecture's policy penalty on mean² + log σ² (sac-v, default 0)

  -h, --help                this text
`;

/** A decimal number as people write them: `3`, `-0.5`, `.5`, `3e-4`, `1E6`; not `0x10`, `0b1`, `Infinity`. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(flag: string, text: string): E.Either<string, number> {
  const v = Number(text);
  return DECIMAL.test(text.trim()) && Number.isFinite(v)
    ? E.right(v)
    : E.left(`--${flag} expects a decimal number, got "${text}"`);
}

/**
 * Parse `--seeds`: a range `0-4` or a list `0,3,7` of distinct non-negative integers (at most 64).
 *
 * @param text the flag's value
 * @returns the seeds or a one-line error
 */
export function parseSeeds(text: string): E.Either<string, number[]> {
  const range = /^(\d+)-(\d+)$/.exec(text.trim());
  const seeds = range
    ? Array.from(
      { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
      (_, i) => Number(range[1]) + i,
    )
    : text.split(",").map((p) => (/^\d+$/.test(p.trim()) ? Number(p) : NaN));
  const ok = seeds.length >= 1 && seeds.length <= 64 && seeds.every(Number.isSafeInteger) &&
    new Set(seeds).size === seeds.length;
  return ok ? E.right(seeds) : E.left(
    `--seeds expects a range such as 0-4 or distinct seeds such as 0,3,7 (at most 64), got "${text}"`,
  );
}

function parseHidden(text: string): E.Either<string, number[]> {
  const parts = text.split(",").map((p) => p.trim());
  const widths = parts.map(Number);
  return parts.every((p) => /^\d+$/.test(p)) && widths.length > 0
    ? E.right(widths)
    : E.left(`--hidden expects comma-separated positive integers such as 400,300, got "${text}"`);
}

/**
 * Parse command-line arguments into a command.
 *
 * @param args the arguments after the script name
 * @returns the command, or a one-line error message
 */
export function parseTrainArgs(args: readonly string[]): E.Either<string, Command> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const name of [...NUMERIC, ...STRINGS]) options[kebab(name)] = { type: "string" };
  for (const name of BOOLEANS) options[kebab(name)] = { type: "boolean" };
  // `--steps -3` would read as two flags; join a negative number to its flag so range checks report it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i].startsWith("--") && !args[i].includes("=") && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joined, options, strict: true, allowPositionals: false }));
  } catch (e) {
    return E.left((e instanceof Error ? e.message : String(e)).split("\n")[0]);
  }
  if (values.help === true) return E.right({ kind: "help" });
  const get = (name: string) => values[kebab(name)] as string | undefined;

  const resume = get("resume");
  if (resume !== undefined) {
    if (resume.trim() === "") return E.left("--resume expects a run folder");
    const allowed = ["resume", "steps", "backend"];
    const other = Object.keys(values).find((k) => !allowed.includes(k) && values[k] !== undefined);
    if (other !== undefined) {
      return E.left(
        `--${other} cannot be combined with --resume: the run's checkpoint holds its configuration ` +
          `(only --steps, the new total, and --backend can be given)`,
      );
    }
    const backendText = get("backend");
    if (backendText !== undefined && !(BACKENDS as readonly string[]).includes(backendText)) {
      return E.left(`unknown --backend "${backendText}" (known: ${BACKENDS.join(", ")})`);
    }
    const backend = backendText === undefined ? {} : { backend: backendText as BackendName };
    const stepsText = get("steps");
    if (stepsText === undefined) return E.right({ kind: "resume", dir: resume, ...backend });
    // As for a new run: any decimal form of an integer (`20000`, `2e4`).
    const steps = DECIMAL.test(stepsText.trim()) ? Number(stepsText) : NaN;
    return Number.isSafeInteger(steps) && steps >= 1 && steps <= 1e9
      ? E.right({ kind: "resume", dir: resume, steps, ...backend })
      : E.left(`--steps must be an integer in [1, 1000000000], got ${stepsText}`);
  }

  const algo = (get("algo") ?? DEFAULTS.algo) as Algo;
  if (!(ALGOS as readonly string[]).includes(algo)) {
    return E.left(`unknown --algo "${algo}" (known: ${ALGOS.join(", ")})`);
  }
  const preset = (get("preset") ?? DEFAULTS.preset) as Preset;
  if (!(PRESETS as readonly string[]).includes(preset)) {
    return E.left(`unknown --preset "${preset}" (known: ${PRESETS.join(", ")})`);
  }
  const overrides: Record<string, unknown> = {};
  for (const name of NUMERIC) {
    const text = get(name);
    if (text === undefined) continue;
    const parsed = parseNumber(kebab(name), text);
    if (E.isLeft(parsed)) return parsed;
    overrides[name] = parsed.right;
  }
  const lr = get("lr");
  if (lr !== undefined) {
    const parsed = parseNumber("lr", lr);
    if (E.isLeft(parsed)) return parsed;
    const rates = ["actorLr", "criticLr", "alphaLr", "valueLr"].filter((k) =>
      hyperparameterNames(algo).includes(k)
    );
    for (const k of rates) overrides[k] ??= parsed.right;
  }
  const hidden = get("hidden");
  if (hidden !== undefined) {
    const parsed = parseHidden(hidden);
    if (E.isLeft(parsed)) return parsed;
    overrides.hidden = parsed.right;
  }
  for (const name of ["env", "backend", "init", "noiseType"] as const) {
    const text = get(name);
    if (text !== undefined) overrides[name] = text;
  }
  if (values["save-buffer"] === true) overrides.saveBuffer = true;
  const out = get("out");
  if (out !== undefined && out.trim() === "") return E.left("--out must not be empty");
  if (values.force === true && out === undefined) {
    return E.left("--force needs --out (the folder to replace)");
  }
  const seedsText = get("seeds");
  let seeds: number[] | undefined;
  if (seedsText !== undefined) {
    if (get("seed") !== undefined) return E.left("--seed and --seeds conflict: give one of them");
    const parsed = parseSeeds(seedsText);
    if (E.isLeft(parsed)) return parsed;
    seeds = parsed.right;
    overrides.seed = seeds[0];
  }
  const env = get("env") ?? DEFAULTS.env;
  return pipe(
    configFor({ algo, env, preset, overrides }),
    E.map((c): Command => ({
      kind: "train",
      config: c,
      ...(out === undefined ? {} : { out }),
      ...(seeds === undefined ? {} : { seeds }),
      force: values.force === true,
    })),
  );
}
