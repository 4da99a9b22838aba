import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { decodeCheckpoint, encodeCheckpoint, POLICY_FORMAT } from "../src/runtime/checkpoint.ts";
import { disposeTree } from "../src/runtime/memory.ts";
import { flags, runEval, runTrain } from "./_train_cli.ts";
import { DEFAULTS, presetFor } from "../src/config/presets.ts";
import type { TrainConfig } from "../src/config/train_config.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import { makeAgent } from "../src/core/agents/make_agent.ts";
import { makeEnv } from "../src/envs/registry.ts";
import { encodePolicy } from "../src/runtime/policy.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

/** One small finished run, copied for every case. */
const fixture = await Deno.makeTempDir();
const made = await runTrain(
  flags({
    steps: 300,
    hidden: "16,16",
    batchSize: 16,
    randomSteps: 100,
    learningStarts: 100,
    evalEvery: 300,
    evalEpisodes: 2,
    out: "run",
  }),
  fixture,
);
assert.equal(made.code, 0, made.stderr);

/** Every file under a folder with its bytes, to show that nothing changed. */
async function snapshot(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else files.set(p.slice(dir.length), await Deno.readFile(p));
    }
  };
  await walk(dir);
  return files;
}

async function copyRun(): Promise<string> {
  const cwd = await Deno.makeTempDir();
  await Deno.mkdir(`${cwd}/run`);
  for await (const e of Deno.readDir(`${fixture}/run`)) {
    await Deno.copyFile(`${fixture}/run/${e.name}`, `${cwd}/run/${e.name}`);
  }
  return cwd;
}

type Damage = (cwd: string) => Promise<void>;

/** Re-encode the checkpoint with a changed loop record (the tensors and configuration stay). */
const withLoop = (change: (loop: Record<string, unknown>) => unknown): Damage => async (cwd) => {
  const path = `${cwd}/run/checkpoint.safetensors`;
  const decoded = decodeCheckpoint(await Deno.readFile(path));
  const loop = change(decoded.loop as Record<string, unknown>);
  await Deno.writeFile(path, encodeCheckpoint(decoded.state, decoded.config, { loop }));
  disposeTree(decoded.state);
};

const noDamage: Damage = () => Promise.resolve();

/** Replace the run's policy with a fresh one whose configuration is `change` of the run's (hidden 16,16). */
async function writeOtherPolicy(cwd: string, change: (run: TrainConfig) => TrainConfig): Promise<void> {
  const config = change(JSON.parse(await Deno.readTextFile(`${cwd}/run/config.json`)));
  const spaces = makeEnv("Pendulum-v1");
  const state = makeAgent(config, spaces).init(keyFromSeed(1)) as { actor: unknown };
  await Deno.writeFile(`${cwd}/run/policy.safetensors`, encodePolicy(state.actor, config, spaces));
  disposeTree(state);
}

/** The run's configuration as SAC with its tuned hyperparameters. */
const asSac = (run: TrainConfig): TrainConfig => {
  const settings = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, run[k as keyof TrainConfig]]));
  return { ...settings, ...presetFor("sac", "tuned"), algo: "sac", hidden: run.hidden } as TrainConfig;
};

/** Re-encode the checkpoint with a changed configuration (the tensors stay as they are). */
const withConfig = (change: Record<string, unknown>): Damage => async (cwd) => {
  const path = `${cwd}/run/checkpoint.safetensors`;
  const decoded = decodeCheckpoint(await Deno.readFile(path));
  const config = { ...(decoded.config as Record<string, unknown>), ...change };
  await Deno.writeFile(path, encodeCheckpoint(decoded.state, config, { loop: decoded.loop }));
  disposeTree(decoded.state);
};

const CASES: readonly [string, Damage, "train" | "eval", string[], RegExp][] = [
  [
    "an existing run as --out",
    noDamage,
    "train",
    ["--out", "run", "--steps", "10"],
    /--out run already exists/,
  ],
  [
    "--force on a folder holding other files",
    async (cwd) => await Deno.writeTextFile(`${cwd}/run/notes.txt`, "mine"),
    "train",
    ["--out", "run", "--force", "--steps", "10"],
    /--force refuses: run\/notes.txt is not a file a run writes/,
  ],
  [
    "--steps below what the run has done",
    noDamage,
    "train",
    ["--resume", "run", "--steps", "100"],
    /fewer than the 300/,
  ],
  [
    "a missing checkpoint",
    async (cwd) => await Deno.remove(`${cwd}/run/checkpoint.safetensors`),
    "train",
    ["--resume", "run", "--steps", "600"],
    /has no checkpoint.safetensors/,
  ],
  [
    "a checkpoint whose episode log has a row without its fields",
    withLoop((loop) => ({ ...loop, episodes: [{ episode: 1 }] })),
    "train",
    ["--resume", "run", "--steps", "600"],
    /cannot be resumed: its episode log is malformed at row 1/,
  ],
  [
    "a checkpoint whose evaluation log has a non-numeric mean",
    withLoop((loop) => ({ ...loop, evals: [{ totalSteps: 300, mean: "high", std: 1 }] })),
    "train",
    ["--resume", "run", "--steps", "600"],
    /cannot be resumed: its evaluation log is malformed at row 1/,
  ],
  [
    "a checkpoint with a NaN weight",
    async (cwd) => {
      const path = `${cwd}/run/checkpoint.safetensors`;
      const decoded = decodeCheckpoint(await Deno.readFile(path));
      const state = decoded.state as { actor: { w: tf.Tensor }[] };
      const w = state.actor[0].w;
      const values = w.dataSync().slice();
      values[3] = NaN;
      state.actor[0].w = tf.tensor(values, w.shape);
      w.dispose();
      await Deno.writeFile(path, encodeCheckpoint(decoded.state, decoded.config, { loop: decoded.loop }));
      disposeTree(decoded.state);
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /checkpoint.safetensors holds a non-finite parameter \(actor\.0\.w\)/,
  ],
  [
    "a deleted config.json",
    async (cwd) => await Deno.remove(`${cwd}/run/config.json`),
    "train",
    ["--resume", "run", "--steps", "600"],
    /run\/config.json is missing/,
  ],
  [
    "a truncated checkpoint",
    async (cwd) => {
      const path = `${cwd}/run/checkpoint.safetensors`;
      const bytes = await Deno.readFile(path);
      await Deno.writeFile(path, bytes.slice(0, bytes.length - 100));
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /checkpoint.safetensors is not a valid checkpoint/,
  ],
  [
    "a corrupt checkpoint header",
    async (cwd) => {
      const path = `${cwd}/run/checkpoint.safetensors`;
      const bytes = await Deno.readFile(path);
      bytes[12] = 0x7b; // a "{" inside the JSON header
      await Deno.writeFile(path, bytes);
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /not a valid checkpoint/,
  ],
  [
    "a checkpoint whose networks do not fit its configuration",
    withConfig({ hidden: [32, 32] }),
    "train",
    ["--resume", "run", "--steps", "600"],
    /does not fit its configuration .*has shape \[16\], expected \[32\]/,
  ],
  [
    "a checkpoint whose configuration names another algorithm than its networks",
    withConfig({
      algo: "sac",
      noiseType: undefined,
      explorationNoise: undefined,
      policyNoise: undefined,
      noiseClip: undefined,
      policyDelay: undefined,
      init: "torch",
      alpha: 1,
      alphaLr: 1e-3,
    }),
    "train",
    ["--resume", "run", "--steps", "600"],
    /does not fit its configuration \(sac on Pendulum-v1/,
  ],
  [
    "a config.json naming another environment than the checkpoint",
    async (cwd) => {
      const path = `${cwd}/run/config.json`;
      const config = JSON.parse(await Deno.readTextFile(path));
      await Deno.writeTextFile(path, JSON.stringify({ ...config, env: "MountainCar" }));
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /config.json and the checkpoint disagree on env "MountainCar" against "Pendulum-v1"/,
  ],
  [
    "a checkpoint without the training loop's state",
    async (cwd) => {
      const path = `${cwd}/run/checkpoint.safetensors`;
      const decoded = decodeCheckpoint(await Deno.readFile(path));
      await Deno.writeFile(path, encodeCheckpoint(decoded.state, decoded.config));
      disposeTree(decoded.state);
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /cannot be resumed: it holds no training-loop state/,
  ],
  [
    "an existing --render file",
    async (cwd) => await Deno.writeTextFile(`${cwd}/run/movie.svg`, "mine"),
    "eval",
    ["run", "--render", "run/movie.svg"],
    /--render run\/movie.svg already exists/,
  ],
  [
    "a truncated policy file",
    async (cwd) => {
      const path = `${cwd}/run/policy.safetensors`;
      await Deno.writeFile(path, (await Deno.readFile(path)).slice(0, 50));
    },
    "eval",
    ["run"],
    /policy.safetensors is not a valid policy file/,
  ],
  [
    "a policy whose configuration asks for networks of 8192,8192 (refused before any allocation)",
    async (cwd) => {
      const path = `${cwd}/run/policy.safetensors`;
      const decoded = decodeCheckpoint(await Deno.readFile(path), POLICY_FORMAT);
      const config = { ...(decoded.config as Record<string, unknown>), hidden: [8192, 8192] };
      await Deno.writeFile(path, encodeCheckpoint(decoded.state, config, { format: POLICY_FORMAT }));
      disposeTree(decoded.state);
    },
    "eval",
    ["run"],
    /invalid configuration: --hidden 8192,8192 has 67108864 weights between its hidden layers/,
  ],
  [
    "a policy file padded past any real policy's size (refused before it is read)",
    async (cwd) => await Deno.truncate(`${cwd}/run/policy.safetensors`, 129 * 2 ** 20),
    "eval",
    ["run"],
    /larger than any policy this library writes/,
  ],
  [
    "a truncated episodes.csv (refused, not silently rewritten)",
    async (cwd) => {
      const path = `${cwd}/run/episodes.csv`;
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.slice(0, text.length - 9));
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /run\/episodes.csv disagrees with the checkpoint at line \d+ \(cut short, edited, or older than the checkpoint\); move it away/,
  ],
  [
    "an episodes.csv that is a folder",
    async (cwd) => {
      await Deno.remove(`${cwd}/run/episodes.csv`);
      await Deno.mkdir(`${cwd}/run/episodes.csv`);
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /run\/episodes.csv is a folder, not a log file/,
  ],
  [
    "an edited evals.csv",
    async (cwd) => {
      const path = `${cwd}/run/evals.csv`;
      await Deno.writeTextFile(path, (await Deno.readTextFile(path)).replace(/\n300,/, "\n301,"));
    },
    "train",
    ["--resume", "run", "--steps", "600"],
    /run\/evals.csv disagrees with the checkpoint at line 2/,
  ],
  [
    "a SAC policy file in a TD3 run folder",
    (cwd) => writeOtherPolicy(cwd, asSac),
    "eval",
    ["run"],
    /policy.safetensors: it is not this run's policy: it and config.json disagree on algo "sac" against "td3"/,
  ],
  [
    "a policy of another seed in a run folder",
    (cwd) => writeOtherPolicy(cwd, (run) => ({ ...run, seed: 7 })),
    "eval",
    ["run"],
    /disagree on seed 7 against 0/,
  ],
  [
    "a policy trained on an environment of one's own (eval needs the environment)",
    async (cwd) => {
      await writeOtherPolicy(cwd, (run) => ({ ...run, env: "Cart-v0" }));
      await Deno.remove(`${cwd}/run/config.json`);
    },
    "eval",
    ["run"],
    /was trained on "Cart-v0", which is not built in; load it with loadPolicy/,
  ],
  ["eval of a missing run", noDamage, "eval", ["elsewhere"], /no run folder or policy file at elsewhere/],
  ["an unknown eval flag", noDamage, "eval", ["run", "--fast"], /fast/],
  ["a bad --episodes", noDamage, "eval", ["run", "--episodes", "-2"], /--episodes/],
];

for (const [what, damage, command, args, pattern] of CASES) {
  Deno.test(`${command} CLI: ${what} → one-line error, exit 2, every file untouched`, async () => {
    const cwd = await copyRun();
    await damage(cwd);
    const before = await snapshot(cwd);
    const r = command === "train" ? await runTrain(args, cwd) : await runEval(args, cwd);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
    assert.deepEqual(await snapshot(cwd), before);
    await Deno.remove(cwd, { recursive: true });
  });
}

Deno.test("train CLI: --force replaces a folder that holds only run files", async () => {
  const cwd = await copyRun();
  const r = await runTrain(["--out", "run", "--force", "--steps", "50", "--hidden", "8"], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(await Deno.readTextFile(`${cwd}/run/config.json`)).steps, 50);
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("eval CLI: the same command twice gives the same mean, equal to the run's own last evaluation", async () => {
  const cwd = await copyRun();
  const a = await runEval(["run", "--episodes", "2"], cwd);
  const b = await runEval(["run", "--episodes", "2"], cwd);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const [, mean, std] = (await Deno.readTextFile(`${cwd}/run/evals.csv`)).trim().split("\n").at(-1)!.split(
    ",",
  );
  const printed = /mean return (-?[\d.]+) ± ([\d.]+) over 2 episodes/.exec(a.stdout);
  assert.ok(printed, a.stdout);
  assert.equal(printed[1], Number(mean).toFixed(2));
  assert.equal(printed[2], Number(std).toFixed(2));
  const other = await runEval(["run", "--episodes", "2", "--seed", "7"], cwd);
  assert.notEqual(other.stdout, a.stdout);
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("eval CLI: --render writes an animated SVG of one 200-step Pendulum episode", async () => {
  const cwd = await copyRun();
  const r = await runEval(["run", "--episodes", "1", "--render", "swing.svg"], cwd);
  assert.equal(r.code, 0, r.stderr);
  const svg = await Deno.readTextFile(`${cwd}/swing.svg`);
  assert.match(svg, /^<\?xml[^>]*\?>\s*<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const rotate = /<animateTransform[^>]*type="rotate"[^>]*>/.exec(svg)?.[0] ?? "";
  const values = /values="([^"]*)"/.exec(rotate)?.[1].split(";") ?? [];
  assert.equal(values.length, 201, "reset state plus 200 steps");
  assert.match(rotate, /dur="10.05s"/); // 201 frames of 0.05 s
  assert.equal(svg.match(/class="frame"/g)?.length, 201);
  const total = /return (-?[\d.]+)\)/.exec(r.stdout)?.[1];
  assert.ok(svg.includes(`return ${total}`), "the caption states the episode's return");
  await Deno.remove(cwd, { recursive: true });
});

Deno.test({
  name: "run folder fixture cleanup",
  fn: async () => await Deno.remove(fixture, { recursive: true }),
});
