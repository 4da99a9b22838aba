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

Deno.test("--seeds 0-3 stopped before seeds 2 and 3 started: --resume trains all four, each as if never stopped", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const args = RUN.map((a, i) => RUN[i - 1] === "--checkpoint-every" ? "200" : a);
    const all = [...args, "--steps", "1200"];
    const child = startTrain([...all, "--seeds", "0-3", "--out", "many"], cwd);
    await child.waitFor(/\[seed 1\] episode 2 \|/);
    child.process.kill("SIGINT");
    assert.equal((await child.done).code, 130);
    assert.equal(
      await Deno.stat(`${cwd}/many/seed-3`).then(() => true, () => false),
      false,
      "seed 3 had started",
    );
    const resumed = await runTrain(["--resume", "many"], cwd);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /resuming seeds 0, 1, 2, 3 .*\(seeds 2, 3 from the start: no checkpoint\)/);
    assert.match(await Deno.readTextFile(`${cwd}/many/learning_curve_mean.svg`), /mean of 4 seeds/);
    for (const seed of [1, 3]) {
      assert.equal((await runTrain([...all, "--seed", String(seed), "--out", `alone-${seed}`], cwd)).code, 0);
      for (const name of FILES) {
        const [a, b] = [`${cwd}/alone-${seed}/${name}`, `${cwd}/many/seed-${seed}/${name}`];
        assert.deepEqual(await Deno.readFile(a), await Deno.readFile(b), `seed ${seed}: ${name}`);
      }
    }
    // A seed whose checkpoint is lost trains again from the start, and the aggregate still counts all four.
    const aggregate = await Deno.readFile(`${cwd}/many/evals_mean.csv`);
    await Deno.remove(`${cwd}/many/seed-2/checkpoint.safetensors`);
    const again = await runTrain(["--resume", "many"], cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\(seeds 2 from the start: no checkpoint\)/);
    assert.deepEqual(await Deno.readFile(`${cwd}/many/evals_mean.csv`), aggregate);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("the interrupt hint quotes a folder with spaces, and the printed command resumes it", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const child = startTrain([...RUN, "--steps", "20000", "--out", "my run's folder"], cwd);
    await child.waitFor(/episode 2 \|/);
    child.process.kill("SIGINT");
    const cut = await child.done;
    assert.equal(cut.code, 130, cut.stderr);
    const command = /continue with: (deno task train --resume .*)$/.exec(cut.stderr.trim())?.[1];
    assert.equal(command, `deno task train --resume 'my run'\\''s folder'`);
    // What a shell makes of the printed arguments is the folder itself.
    const words = await new Deno.Command("sh", {
      args: ["-c", `printf '%s\\n' ${command!.slice("deno task train ".length)}`],
      stdout: "piped",
    }).output();
    assert.deepEqual(new TextDecoder().decode(words.stdout).trim().split("\n"), [
      "--resume",
      "my run's folder",
    ]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

/** Every file a run writes, with its bytes (timing.csv holds wall-clock times and is left out). */
async function runFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of [...FILES, "learning_curve.svg"]) files.set(name, await Deno.readFile(`${dir}/${name}`));
  return files;
}

/** The states a kill -9 can leave between the writes of one checkpoint, each made by hand from real runs. */
Deno.test("what a kill between a checkpoint's writes leaves resumes to the straight result: logs ahead, config.json behind, temporaries", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const train = async (steps: number, out: string) =>
      assert.equal((await runTrain([...RUN, "--steps", String(steps), "--out", out], cwd)).code, 0);
    await train(300, "short");
    await train(600, "straight");
    // Killed after the logs of step 600 and before its checkpoint: the logs are ahead of the checkpoint
    // (of step 300), config.json already says 600.
    await Deno.mkdir(`${cwd}/ahead`);
    for (const name of FILES) await Deno.copyFile(`${cwd}/straight/${name}`, `${cwd}/ahead/${name}`);
    await Deno.copyFile(`${cwd}/short/checkpoint.safetensors`, `${cwd}/ahead/checkpoint.safetensors`);
    // Killed after a resume's first checkpoint and before it rewrote config.json (still 300 steps), with
    // the temporary files of writes cut short beside them.
    await Deno.mkdir(`${cwd}/behind`);
    for (const name of FILES) await Deno.copyFile(`${cwd}/straight/${name}`, `${cwd}/behind/${name}`);
    await Deno.copyFile(`${cwd}/short/config.json`, `${cwd}/behind/config.json`);
    await Deno.writeTextFile(`${cwd}/behind/checkpoint.safetensors.999999-0.tmp`, "half a checkpoint");
    await Deno.writeTextFile(`${cwd}/behind/evals.csv.999999-3.tmp`, "total_steps,mean");
    await Deno.writeTextFile(`${cwd}/behind/notes.txt.999999-3.tmp`, "mine");
    const ahead = await runTrain(["--resume", "ahead", "--steps", "600"], cwd);
    assert.equal(ahead.code, 0, ahead.stderr);
    const behind = await runTrain(["--resume", "behind"], cwd);
    assert.equal(behind.code, 0, behind.stderr);
    assert.match(behind.stdout, /removed 2 temporary file\(s\) left in behind by an interrupted write/);
    assert.match(
      behind.stdout,
      /has trained 600 of 600 steps; nothing to do .*; writing .*config.json again/,
    );
    const expected = await runFiles(`${cwd}/straight`);
    assert.deepEqual(await runFiles(`${cwd}/ahead`), expected);
    assert.deepEqual(await runFiles(`${cwd}/behind`), expected);
    const left = [...Deno.readDirSync(`${cwd}/behind`)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(left, ["notes.txt.999999-3.tmp"], "only the run's own temporaries are removed");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a finished run whose logs were moved away writes them again, its off-grid last evaluation included", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    // 700 steps with evaluations every 300: the last one, at 700, is off the grid.
    assert.equal((await runTrain([...RUN, "--steps", "700", "--out", "run"], cwd)).code, 0);
    const expected = await runFiles(`${cwd}/run`);
    assert.match(new TextDecoder().decode(expected.get("evals.csv")), /\n700,/);
    for (const name of ["episodes.csv", "evals.csv", "learning_curve.svg"]) {
      await Deno.remove(`${cwd}/run/${name}`);
    }
    const r = await runTrain(["--resume", "run"], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to do .*; writing episodes.csv, evals.csv, learning_curve.svg again/);
    assert.deepEqual(await runFiles(`${cwd}/run`), expected);
    // With everything in place there is nothing to write.
    const again = await runTrain(["--resume", "run"], cwd);
    assert.match(again.stdout, /nothing to do \(--steps N trains on to N\)\n?$/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a log write that fails stops the run with one line; the checkpoint is still the one before, so it resumes to the straight result", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const args = [...RUN, "--steps", "3000"].map((a, i, all) =>
      all[i - 1] === "--checkpoint-every" || all[i - 1] === "--eval-every" ? "1500" : a
    );
    const child = startTrain([...args, "--out", "run"], cwd);
    await child.waitFor(/eval at step 1500:/);
    // The logs of step 1500 are written after its line is printed.
    while (!(await Deno.readTextFile(`${cwd}/run/evals.csv`).catch(() => "")).includes("\n1500,")) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // evals.csv becomes a folder that holds something: the atomic rename onto it fails at step 3000.
    await Deno.remove(`${cwd}/run/evals.csv`);
    await Deno.mkdir(`${cwd}/run/evals.csv/blocked`, { recursive: true });
    const failed = await child.done;
    assert.equal(failed.code, 1, failed.stdout);
    assert.equal(failed.stderr.trim().split("\n").length, 1, failed.stderr);
    assert.equal([...Deno.readDirSync(`${cwd}/run`)].filter((e) => e.name.endsWith(".tmp")).length, 0);
    await Deno.remove(`${cwd}/run/evals.csv`, { recursive: true });
    const resumed = await runTrain(["--resume", "run"], cwd);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /from step 1500/);
    assert.equal((await runTrain([...args, "--out", "straight"], cwd)).code, 0);
    assert.deepEqual(await runFiles(`${cwd}/run`), await runFiles(`${cwd}/straight`));
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
