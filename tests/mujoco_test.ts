/**
 * MuJoCo tasks through the command line: `deno task train --env HalfCheetah-v5` writes the usual run folder,
 * and a run stopped in the middle of an episode and resumed with `--save-buffer` is byte-identical to one
 * never stopped (the episode's MuJoCo state travels in the checkpoint).
 */
import assert from "node:assert/strict";
import { flags, runEval, runTrain } from "./_train_cli.ts";

const SMALL = flags({
  env: "HalfCheetah-v5",
  randomSteps: 200,
  learningStarts: 200,
  hidden: "32,32",
  batchSize: 32,
  evalEvery: 300,
  evalEpisodes: 1,
  checkpointEvery: 200,
});
const FILES = ["episodes.csv", "evals.csv", "checkpoint.safetensors", "policy.safetensors", "config.json"];

Deno.test("HalfCheetah-v5: 1200 steps equal 500 steps (mid-episode) resumed to 1200 with --save-buffer, byte for byte", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const straight = await runTrain([...SMALL, "--save-buffer", "--steps", "1200", "--out", "straight"], cwd);
    assert.equal(straight.code, 0, straight.stderr);
    assert.match(straight.stdout, /training td3 on HalfCheetah-v5 for 1200 steps/);
    // One 1000-step episode finished; the second is in progress at 500 and at 1200.
    const episodes = (await Deno.readTextFile(`${cwd}/straight/episodes.csv`)).trim().split("\n");
    assert.deepEqual(episodes.slice(1).map((l) => l.split(",").slice(0, 2).join()), ["1,1000"]);
    const half = await runTrain([...SMALL, "--save-buffer", "--steps", "500", "--out", "split"], cwd);
    assert.equal(half.code, 0, half.stderr);
    const resumed = await runTrain(["--resume", "split", "--steps", "1200"], cwd);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /from step 500/);
    for (const name of FILES) {
      assert.deepEqual(
        await Deno.readFile(`${cwd}/split/${name}`),
        await Deno.readFile(`${cwd}/straight/${name}`),
        name,
      );
    }
    // The policy evaluates from the folder as the run's last evaluation did.
    const evals = (await Deno.readTextFile(`${cwd}/straight/evals.csv`)).trim().split("\n");
    const last = Number(evals.at(-1)!.split(",")[1]);
    const evaluated = await runEval(["straight", "--episodes", "1"], cwd);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, new RegExp(`^mean return ${last.toFixed(2)} ± 0.00 over 1 episodes`));
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
