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

Deno.test("one trainer per run folder: a resume or --force beside a running trainer is refused; after kill -9 it resumes", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const args = RUN.map((a, i) => RUN[i - 1] === "--checkpoint-every" ? "200" : a);
    const first = startTrain([...args, "--steps", "20000", "--out", "run"], cwd);
    await first.waitFor(/episode 3 \|/); // checkpoints at 200, 400 and 600 exist
    const resume = await runTrain(["--resume", "run"], cwd);
    assert.equal(resume.code, 2, resume.stderr);
    assert.match(resume.stderr, /^error: run is in use by another training \(pid \d+\); wait for it/);
    assert.equal(resume.stderr.trim().split("\n").length, 1, resume.stderr);
    const force = await runTrain([...args, "--steps", "600", "--out", "run", "--force"], cwd);
    assert.equal(force.code, 2, force.stderr);
    assert.match(force.stderr, /in use by another training/);
    assert.ok((await Deno.stat(`${cwd}/run/checkpoint.safetensors`)).isFile, "--force removed a live run");
    first.process.kill("SIGKILL");
    await first.done;
    // The operating system released the lock with the process: the folder resumes at once.
    const after = startTrain(["--resume", "run"], cwd);
    await after.waitFor(/training td3 .* from step \d+/);
    after.process.kill("SIGKILL");
    await after.done;
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("two trainings started at once with the same --out: one trains, the other is refused with one line", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const args = [...RUN, "--steps", "400", "--out", "same"];
    const results = await Promise.all([startTrain(args, cwd).done, startTrain(args, cwd).done]);
    const codes = results.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 2], results.map((r) => r.stderr).join("\n"));
    const refused = results.find((r) => r.code === 2)!;
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(refused.stderr, /already exists|in use by another training/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
