/**
 * A run folder after a crash (kill -9, out of memory, a full disk) either resumes to the result of an
 * uninterrupted run or is refused with one line: never left unresumable.
 */
import assert from "node:assert/strict";
import { flags, runTrain, startTrain } from "./_train_cli.ts";

/** Small complete runs, checkpointed only at the end (and when stopped), buffer saved for exact resumes. */
const RUN = [
  ...flags({
    randomSteps: 200,
    learningStarts: 200,
    hidden: "32,32",
    batchSize: 32,
    evalEvery: 300,
    evalEpisodes: 2,
    checkpointEvery: 0,
  }),
  "--save-buffer",
];
const FILES = ["episodes.csv", "evals.csv", "checkpoint.safetensors", "policy.safetensors", "config.json"];

Deno.test("kill -9 early in a resume that raises --steps leaves the folder resumable, to the straight result", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    assert.equal((await runTrain([...RUN, "--steps", "600", "--out", "run"], cwd)).code, 0);
    // Resume towards 3000 steps and kill it hard before its first checkpoint (there is none until 3000).
    const child = startTrain(["--resume", "run", "--steps", "3000"], cwd);
    await child.waitFor(/episode 5 \|/);
    child.process.kill("SIGKILL");
    await child.done;
    // The folder still says 600 steps in both config.json and the checkpoint: nothing to do, no refusal.
    const plain = await runTrain(["--resume", "run"], cwd);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /has trained 600 of 600 steps; nothing to do/);
    // And it continues to any budget exactly as a run that was never interrupted.
    const resumed = await runTrain(["--resume", "run", "--steps", "1200"], cwd);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await runTrain([...RUN, "--steps", "1200", "--out", "straight"], cwd)).code, 0);
    for (const name of FILES) {
      assert.deepEqual(
        await Deno.readFile(`${cwd}/run/${name}`),
        await Deno.readFile(`${cwd}/straight/${name}`),
        name,
      );
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
