import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { parseTrainArgs } from "../src/cli/args.ts";
import { upgradeConfig, validateConfig } from "../src/config/train_config.ts";
import { TD3_PRESETS } from "../src/config/presets.ts";
import { runEval, runTrain } from "./_train_cli.ts";
import { shellQuote } from "../src/cli/run_folder.ts";

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

const BAD: readonly [string, string[], RegExp][] = [
  ["unknown flag", ["--nope", "1"], /nope/],
  ["negative steps", ["--steps", "-3"], /--steps/],
  ["non-numeric steps", ["--steps", "ten"], /--steps/],
  ["unknown algo", ["--algo", "nope"], /--algo "nope"/],
  ["unknown env", ["--env", "Nope-v0"], /--env "Nope-v0"/],
  ["unknown preset", ["--preset", "fast"], /--preset "fast"/],
  ["gamma out of range", ["--gamma", "2"], /--gamma/],
  ["malformed hidden", ["--hidden", "64,x"], /--hidden/],
  [
    "a TD3 flag with --algo sac",
    ["--algo", "sac", "--policy-noise", "0.3"],
    /--policy-noise does not apply to --algo sac/,
  ],
  ["a SAC flag with --algo td3", ["--alpha", "0.1"], /--alpha does not apply to --algo td3/],
  [
    "--noise-type with --algo sac-v",
    ["--algo", "sac-v", "--noise-type", "ou"],
    /--noise-type does not apply/,
  ],
  [
    "SAC noise without a σ",
    ["--algo", "sac", "--noise-type", "ou"],
    /--noise-type ou needs --exploration-noise/,
  ],
  [
    "a SAC σ without a noise type",
    ["--algo", "sac", "--exploration-noise", "0.3"],
    /--exploration-noise applies to sac only with --noise-type gaussian or ou/,
  ],
  ["unknown init", ["--algo", "sac-v", "--init", "he"], /--init "he"/],
  ["--seed with --seeds", ["--seeds", "0-1", "--seed", "3"], /--seed and --seeds conflict/],
  ["an empty --seeds range", ["--seeds", "3-1"], /--seeds expects/],
  ["repeated seeds", ["--seeds", "1,1"], /--seeds expects/],
  ["absent tensorflow backend", ["--backend", "tensorflow", "--steps", "10"], /tensorflow.*install/],
  ["negative --checkpoint-every", ["--checkpoint-every", "-1"], /--checkpoint-every must be an integer/],
  ["a value for --save-buffer", ["--save-buffer=yes"], /save-buffer/],
  ["--force without --out", ["--force"], /--force needs --out/],
  ["fractional --steps", ["--steps", "1.5"], /--steps must be an integer/],
  [
    "--resume with a configuration flag",
    ["--resume", "x", "--algo", "sac"],
    /--algo cannot be combined with --resume/,
  ],
  ["--resume of a missing folder", ["--resume", "nowhere"], /no run folder at nowhere/],
  ["--resume with a bad --steps", ["--resume", "x", "--steps", "0"], /--steps must be an integer/],
];

for (const [what, args, pattern] of BAD) {
  Deno.test(`train CLI: ${what} → one-line error, exit 2, nothing written`, async () => {
    const cwd = await Deno.makeTempDir();
    const { code, stderr, stdout } = await runTrain(args, cwd);
    assert.equal(code, 2, stderr);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(stderr + stdout, /\n\s+at /);
    assert.deepEqual(await listing(cwd), []);
    await Deno.remove(cwd, { recursive: true });
  });
}

Deno.test("train CLI: an existing --out is refused and left untouched", async () => {
  const cwd = await Deno.makeTempDir();
  await Deno.mkdir(`${cwd}/mine`);
  await Deno.writeTextFile(`${cwd}/mine/notes.txt`, "precious");
  const { code, stderr } = await runTrain(["--out", "mine", "--steps", "10"], cwd);
  assert.equal(code, 2);
  assert.match(stderr.trim(), /^error: --out mine already exists/);
  assert.deepEqual(await listing(`${cwd}/mine`), ["notes.txt"]);
  assert.equal(await Deno.readTextFile(`${cwd}/mine/notes.txt`), "precious");
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("train CLI: --help prints usage and exits 0", async () => {
  const cwd = await Deno.makeTempDir();
  const { code, stdout } = await runTrain(["--help"], cwd);
  assert.equal(code, 0);
  assert.match(stdout, /Usage: deno task train/);
  assert.deepEqual(await listing(cwd), []);
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("parseTrainArgs: defaults are TD3 on Pendulum-v1, seed 0, 20000 steps, tuned preset", () => {
  const parsed = parseTrainArgs([]);
  if (E.isLeft(parsed) || parsed.right.kind !== "train") throw new Error("expected a train command");
  const { config } = parsed.right;
  assert.equal(config.algo, "td3");
  assert.equal(config.env, "Pendulum-v1");
  assert.equal(config.seed, 0);
  assert.equal(config.steps, 20000);
  assert.equal(config.backend, "engine");
  assert.deepEqual(config.hidden, TD3_PRESETS.tuned.hidden);
});

Deno.test("parseTrainArgs: the lecture preset, and flags override it", () => {
  const parsed = parseTrainArgs([
    "--preset",
    "lecture",
    "--batch-size",
    "64",
    "--lr",
    "3e-4",
    "--critic-lr",
    "1e-3",
  ]);
  if (E.isLeft(parsed) || parsed.right.kind !== "train") throw new Error("expected a train command");
  const { config } = parsed.right;
  assert.deepEqual(config.hidden, [400, 300]);
  assert.equal(config.bufferSize, 50_000);
  assert.equal(config.batchSize, 64);
  assert.equal(config.actorLr, 3e-4);
  assert.equal(config.criticLr, 1e-3);
});

Deno.test("parseTrainArgs: SAC presets, --lr covers every learning rate of the algorithm", () => {
  const sac = parseTrainArgs(["--algo", "sac", "--preset", "lecture", "--lr", "1e-4"]);
  if (E.isLeft(sac) || sac.right.kind !== "train" || sac.right.config.algo !== "sac") {
    throw new Error("expected sac");
  }
  assert.deepEqual(sac.right.config.hidden, [256, 256]);
  assert.equal(sac.right.config.init, "xavier");
  assert.equal(sac.right.config.randomSteps, 10_000);
  assert.equal(sac.right.config.alpha, 0.2);
  assert.deepEqual([sac.right.config.actorLr, sac.right.config.criticLr, sac.right.config.alphaLr], [
    1e-4,
    1e-4,
    1e-4,
  ]);
  const sacV = parseTrainArgs(["--algo", "sac-v", "--lr", "2e-4", "--policy-reg", "0.001"]);
  if (E.isLeft(sacV) || sacV.right.kind !== "train" || sacV.right.config.algo !== "sac-v") {
    throw new Error("expected sac-v");
  }
  assert.equal(sacV.right.config.valueLr, 2e-4);
  assert.equal(sacV.right.config.policyReg, 0.001);
});

Deno.test("parseTrainArgs: SAC takes --noise-type and --exploration-noise; none is its default", () => {
  const plain = parseTrainArgs(["--algo", "sac"]);
  if (E.isLeft(plain) || plain.right.kind !== "train" || plain.right.config.algo !== "sac") {
    throw new Error("expected sac");
  }
  assert.equal(plain.right.config.noiseType, "none");
  assert.equal(plain.right.config.explorationNoise, 0);
  const ou = parseTrainArgs(["--algo", "sac", "--noise-type", "ou", "--exploration-noise", "0.5"]);
  if (E.isLeft(ou) || ou.right.kind !== "train" || ou.right.config.algo !== "sac") {
    throw new Error("expected sac");
  }
  assert.equal(ou.right.config.noiseType, "ou");
  assert.equal(ou.right.config.explorationNoise, 0.5);
});

Deno.test("a SAC configuration stored before SAC had exploration noise is upgraded to none, σ 0", () => {
  const parsed = parseTrainArgs(["--algo", "sac"]);
  if (E.isLeft(parsed) || parsed.right.kind !== "train") throw new Error("expected a config");
  const { noiseType: _, explorationNoise: __, ...old } = parsed.right.config as unknown as Record<
    string,
    unknown
  >;
  const upgraded = validateConfig(old as never);
  assert.deepEqual(upgraded, E.right(parsed.right.config));
  // TD3 configurations are never filled in: a missing field stays an error.
  const td3 = parseTrainArgs([]);
  if (E.isLeft(td3) || td3.right.kind !== "train") throw new Error("expected a config");
  const { noiseType: ___, ...td3Old } = td3.right.config as unknown as Record<string, unknown>;
  assert.equal(upgradeConfig(td3Old), td3Old);
  assert.deepEqual(validateConfig(td3Old as never), E.left(`config for td3 misses "noiseType"`));
});

Deno.test("docs/cli.md: its usage blocks are the --help texts of train and eval", async () => {
  const { USAGE } = await import("../src/cli/args.ts");
  const { EVAL_USAGE } = await import("../src/cli/eval_args.ts");
  const page = await Deno.readTextFile(new URL("../docs/cli.md", import.meta.url));
  for (const usage of [USAGE, EVAL_USAGE]) {
    const block = "```\n" + usage.trimEnd() + "\n```";
    assert.ok(page.includes(block), `docs/cli.md lacks the current --help text as a code block:\n${usage}`);
  }
});

Deno.test("parseTrainArgs: --env picks the environment's tuned preset and run length; lecture does not", () => {
  const config = (args: string[]) => {
    const parsed = parseTrainArgs(args);
    if (E.isLeft(parsed) || parsed.right.kind !== "train") throw new Error(`expected a config for ${args}`);
    return parsed.right.config as unknown as Record<string, unknown>;
  };
  const mcSac = config(["--algo", "sac", "--env", "MountainCarContinuous-v0"]);
  assert.deepEqual(
    [mcSac.hidden, mcSac.gamma, mcSac.noiseType, mcSac.explorationNoise, mcSac.randomSteps, mcSac.steps],
    [[64, 64], 0.99, "ou", 0.75, 0, 60_000],
  );
  const llSac = config(["--algo", "sac", "--env", "LunarLanderContinuous-v3"]);
  assert.deepEqual(
    [llSac.gamma, llSac.tau, llSac.actorLr, llSac.alphaLr, llSac.bufferSize, llSac.randomSteps, llSac.steps],
    [0.99, 0.01, 7.3e-4, 7.3e-4, 300_000, 10_000, 300_000],
  );
  assert.deepEqual([llSac.hidden, llSac.batchSize], [[256, 256], 256]);
  const bwSac = config(["--algo", "sac", "--env", "BipedalWalker-v3"]);
  assert.deepEqual([bwSac.gamma, bwSac.tau, bwSac.evalEvery, bwSac.steps], [0.98, 0.02, 20_000, 1_000_000]);
  const bwTd3 = config(["--env", "BipedalWalker-v3"]);
  assert.deepEqual([bwTd3.gamma, bwTd3.randomSteps, bwTd3.noiseType], [0.98, 10_000, "gaussian"]);
  // Flags still override the preset; the lecture preset and the value-network SAC ignore env presets.
  assert.equal(config(["--algo", "sac", "--env", "LunarLanderContinuous-v3", "--tau", "0.005"]).tau, 0.005);
  assert.equal(
    config(["--algo", "sac", "--env", "MountainCarContinuous-v0", "--preset", "lecture"]).noiseType,
    "none",
  );
  assert.deepEqual(config(["--algo", "sac-v", "--env", "MountainCarContinuous-v0"]).hidden, [128, 128]);
});

Deno.test("parseTrainArgs: numbers are decimal (no 0x, 0b, 0o, Infinity); 1e3 is 1000 for a run and a resume", () => {
  for (
    const [flag, text] of [["--gamma", "0x1"], ["--steps", "0x10"], ["--lr", "0b1"], ["--tau", "Infinity"]]
  ) {
    const parsed = parseTrainArgs([flag, text]);
    assert.ok(E.isLeft(parsed), `${flag} ${text} was accepted`);
    assert.match(parsed.left, new RegExp(`${flag}`));
  }
  const run = parseTrainArgs(["--steps", "1e3"]);
  assert.ok(E.isRight(run) && run.right.kind === "train" && run.right.config.steps === 1000);
  const resume = parseTrainArgs(["--resume", "somewhere", "--steps", "1e3"]);
  assert.ok(E.isRight(resume) && resume.right.kind === "resume" && resume.right.steps === 1000);
  assert.ok(E.isLeft(parseTrainArgs(["--resume", "somewhere", "--steps", "0x10"])));
  assert.ok(E.isLeft(parseTrainArgs(["--resume", "somewhere", "--steps", "2.5"])));
});

Deno.test("shellQuote: plain paths as they are, others in single quotes that a POSIX shell reads back", async () => {
  assert.equal(shellQuote("runs/td3-Pendulum-v1-seed0"), "runs/td3-Pendulum-v1-seed0");
  for (const path of ["my runs/a", "it's", "a;rm -rf b", "$HOME/x", "tab\there", ""]) {
    const quoted = shellQuote(path);
    const out = await new Deno.Command("sh", { args: ["-c", `printf %s ${quoted}`], stdout: "piped" })
      .output();
    assert.equal(new TextDecoder().decode(out.stdout), path, quoted);
  }
});

Deno.test("paths under a file, too long, or a folder where a file belongs: one line, exit 2, nothing written", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${cwd}/afile`, "x");
    await Deno.mkdir(`${cwd}/run/policy.safetensors`, { recursive: true });
    const long = "n".repeat(300);
    const cases: [string, Promise<{ code: number; stderr: string }>][] = [
      ["train --out under a file", runTrain(["--steps", "10", "--out", "afile/x"], cwd)],
      ["train --out too long", runTrain(["--steps", "10", "--out", long], cwd)],
      ["train --resume under a file", runTrain(["--resume", "afile/x"], cwd)],
      ["train --resume too long", runTrain(["--resume", long], cwd)],
      ["eval under a file", runEval(["afile/x"], cwd)],
      ["eval too long", runEval([long], cwd)],
      ["eval of a folder named like the policy", runEval(["run"], cwd)],
    ];
    for (const [what, running] of cases) {
      const r = await running;
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /^error: [^\n]+\n$/, what);
    }
    assert.deepEqual(await listing(cwd), ["afile", "run"]);
    assert.equal(await Deno.readTextFile(`${cwd}/afile`), "x");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("parseTrainArgs: --hidden is bounded by its weights before anything is allocated", () => {
  for (const ok of ["400,300", "2048,2048", "256,256,256,256,256,256,256,256"]) {
    assert.ok(E.isRight(parseTrainArgs(["--hidden", ok])), ok);
  }
  for (const bad of ["8192,8192", "4096,4096", "2048,2048,2048,2048"]) {
    const parsed = parseTrainArgs(["--hidden", bad]);
    assert.ok(E.isLeft(parsed) && /weights between its hidden layers/.test(parsed.left), bad);
  }
});
