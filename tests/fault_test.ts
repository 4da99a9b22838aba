/**
 * Fault injection on run folders (issue 13): a disk that fills in the middle of a run, and kill -9 at
 * random points of checkpoint writes. After either, the folder resumes to the files of a run that was never
 * interrupted (with `--save-buffer`), or it is refused with one line and exit 2; nothing outside it changes.
 * The full-disk test mounts a tiny tmpfs and is skipped, with one line saying why, where that is not allowed.
 */
import assert from "node:assert/strict";
import { keyFromSeed, split, uniform } from "../src/core/rng.ts";
import { decodeSafetensors } from "../src/formats/safetensors.ts";
import { type CliResult, flags, type RunningTrain, runTrain, startTrain } from "./_train_cli.ts";

/** The files an interrupted and resumed run must share byte for byte with an uninterrupted one. */
const FILES = ["episodes.csv", "evals.csv", "checkpoint.safetensors", "policy.safetensors", "config.json"];

/** Every file a finished or failed run may leave in its folder (the lock file goes with its process). */
const RUN_FILES = [...FILES, "timing.csv", "learning_curve.svg"];

async function sameFiles(dir: string, reference: string): Promise<void> {
  for (const name of FILES) {
    assert.deepEqual(
      await Deno.readFile(`${dir}/${name}`),
      await Deno.readFile(`${reference}/${name}`),
      `${dir}/${name} differs from ${reference}/${name}`,
    );
  }
}

/** The bytes of each of {@link FILES} in `dir` that exists, by name. */
async function contents(dir: string): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for (const name of FILES) {
    const bytes = await Deno.readFile(`${dir}/${name}`).catch(() => undefined);
    if (bytes !== undefined) found.set(name, bytes);
  }
  return found;
}

/** Names in a folder, sorted. */
async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

/** The temporary files (`NAME.PID-N.tmp`) in a folder. */
async function temporaries(dir: string): Promise<string[]> {
  return (await names(dir)).filter((name) => name.endsWith(".tmp"));
}

/** A failure reported as the train command promises: exit `code`, one line on stderr, `error: …`. */
function assertOneLineError(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit code ${result.code}, expected ${code}: ${result.stderr}`);
  assert.equal(result.stderr.trim().split("\n").length, 1, `more than one line: ${result.stderr}`);
  assert.match(result.stderr, /^error: /);
}

/** A resume that must give the uninterrupted run's files byte for byte. */
async function assertResumed(result: CliResult, dir: string, reference: string): Promise<void> {
  assert.equal(result.code, 0, `the resume failed (exit ${result.code}): ${result.stderr}`);
  await sameFiles(dir, reference);
}

/** The step a folder's checkpoint was written at: `none` without one, `unreadable` for a damaged one. */
async function checkpointStep(dir: string): Promise<number | "none" | "unreadable"> {
  const bytes = await Deno.readFile(`${dir}/checkpoint.safetensors`).catch(() => undefined);
  if (bytes === undefined) return "none";
  try {
    return JSON.parse(decodeSafetensors(bytes).metadata.loop).step;
  } catch {
    return "unreadable";
  }
}

/** A file outside the run folders, whose bytes and modification time must not change. */
async function sentinel(path: string): Promise<() => Promise<void>> {
  const text = `a file beside the run folders (${path})\n`;
  await Deno.writeTextFile(path, text);
  const mtime = (await Deno.stat(path)).mtime?.getTime();
  return async () => {
    assert.equal(await Deno.readTextFile(path), text, `${path} was changed`);
    assert.equal((await Deno.stat(path)).mtime?.getTime(), mtime, `${path} was touched`);
  };
}

/** Copy a run folder (flat: files only) to a new folder. */
async function copyFolder(from: string, to: string): Promise<void> {
  await Deno.mkdir(to);
  for await (const entry of Deno.readDir(from)) {
    assert.ok(entry.isFile, `${from}/${entry.name} is not a file`);
    await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Run a system command; a command that cannot be started counts as failed, with the reason as output. */
async function system(command: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const out = await new Deno.Command(command, { args: [...args], stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(out.stderr).trim() || new TextDecoder().decode(out.stdout).trim();
    return { ok: out.success, output: text.split("\n")[0] };
  } catch (e) {
    return { ok: false, output: e instanceof Error ? e.message.split("\n")[0] : String(e) };
  }
}

/** Why a tmpfs cannot be mounted here (the full-disk test is then skipped), or undefined when it can. */
async function tmpfsProblem(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return `tmpfs is Linux's, this is ${Deno.build.os}`;
  const dir = await Deno.makeTempDir();
  try {
    const mounted = await system("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (!mounted.ok) return `mount -t tmpfs failed: ${mounted.output}`;
    const unmounted = await system("umount", [dir]);
    return unmounted.ok ? undefined : `umount failed: ${unmounted.output}`;
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
}

const NO_TMPFS = await tmpfsProblem();
if (NO_TMPFS !== undefined) console.log(`fault_test.ts: the full-disk test is skipped: ${NO_TMPFS}`);

/** Small runs with a checkpoint every 200 steps that grows by its replay buffer (36 bytes a step). */
const GROWING = [
  ...flags({
    steps: 2400,
    randomSteps: 200,
    learningStarts: 200,
    hidden: "32,32",
    batchSize: 32,
    evalEvery: 200,
    evalEpisodes: 2,
    checkpointEvery: 200,
  }),
  "--save-buffer",
];

Deno.test({
  name: "a disk that fills mid-run: one line, no debris, the last good checkpoint kept; it resumes elsewhere",
  ignore: NO_TMPFS !== undefined,
  fn: async () => {
    const cwd = await Deno.makeTempDir();
    const disk = `${cwd}/disk`;
    let mounted = false;
    try {
      assert.equal((await runTrain([...GROWING, "--out", "straight"], cwd)).code, 0);
      // A checkpoint needs room for itself beside the previous one until the rename: 1.6 times the last
      // checkpoint's size holds two checkpoints of the run's middle, not two of its second half.
      const last = (await Deno.stat(`${cwd}/straight/checkpoint.safetensors`)).size;
      const size = Math.ceil((1.6 * last) / 4096) * 4;
      await Deno.mkdir(disk);
      const mount = await system("mount", ["-t", "tmpfs", "-o", `size=${size}k`, "tmpfs", disk]);
      assert.ok(mount.ok, mount.output);
      mounted = true;
      const untouched = [await sentinel(`${cwd}/sentinel.txt`), await sentinel(`${disk}/sentinel.txt`)];

      const filled = await runTrain([...GROWING, "--out", "disk/run"], cwd);
      assertOneLineError(filled, 1);
      assert.match(filled.stderr, /no space left on device/i);
      assert.deepEqual(await temporaries(`${disk}/run`), [], "a failed write left its temporary file");
      const unknown = (await names(`${disk}/run`)).filter((name) => !RUN_FILES.includes(name));
      assert.deepEqual(unknown, [], "files other than the run's");
      // What is left is the uninterrupted run's older state: a checkpoint of the run's middle that agrees
      // with config.json, a policy file of the same run, logs that the uninterrupted run's logs continue.
      const step = await checkpointStep(`${disk}/run`);
      assert.ok(
        typeof step === "number" && step > 0 && step < 2400 && step % 200 === 0,
        `checkpoint ${step}`,
      );
      const config = JSON.parse(await Deno.readTextFile(`${disk}/run/config.json`));
      assert.deepEqual(config, JSON.parse(await Deno.readTextFile(`${cwd}/straight/config.json`)));
      const policy = decodeSafetensors(await Deno.readFile(`${disk}/run/policy.safetensors`)).metadata;
      assert.equal(policy.format, "td3-sac-policy/1");
      assert.deepEqual(JSON.parse(policy.config), config);
      for (const name of ["episodes.csv", "evals.csv"]) {
        const left = await Deno.readTextFile(`${disk}/run/${name}`);
        assert.ok((await Deno.readTextFile(`${cwd}/straight/${name}`)).startsWith(left), name);
      }

      // On the still-full disk a resume, also one raising --steps, fails the same way and changes nothing.
      const kept = await contents(`${disk}/run`);
      for (const more of [[], ["--steps", "3000"]]) {
        const again = await runTrain(["--resume", "disk/run", ...more], cwd);
        assertOneLineError(again, 1);
        assert.deepEqual(await temporaries(`${disk}/run`), [], "a failed resume left its temporary file");
        assert.deepEqual(await contents(`${disk}/run`), kept, "a failed resume changed the folder");
      }

      // Copied to a roomy disk, or where it is once the disk has room again, it resumes to the straight run.
      await copyFolder(`${disk}/run`, `${cwd}/moved`);
      await assertResumed(await runTrain(["--resume", "moved"], cwd), `${cwd}/moved`, `${cwd}/straight`);
      const grown = await system("mount", ["-o", `remount,size=${4 * size}k`, disk]);
      assert.ok(grown.ok, grown.output);
      await assertResumed(await runTrain(["--resume", "disk/run"], cwd), `${disk}/run`, `${cwd}/straight`);
      assert.deepEqual(await temporaries(`${disk}/run`), []);
      for (const check of untouched) await check();
      assert.deepEqual(await names(cwd), ["disk", "moved", "sentinel.txt", "straight"]);
      assert.deepEqual(await names(disk), ["run", "sentinel.txt"]);
    } finally {
      if (mounted && !(await system("umount", [disk])).ok) await system("umount", ["-l", disk]);
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

/**
 * Runs whose checkpoints take tens of milliseconds to write (768-768 networks, about 28 MB with their Adam
 * states, targets and buffer): checkpoints at steps 100, 200 and 250, updates from step 160.
 */
const BIG = [
  ...flags({
    randomSteps: 160,
    learningStarts: 160,
    hidden: "768,768",
    batchSize: 32,
    evalEvery: 100,
    evalEpisodes: 1,
    checkpointEvery: 100,
  }),
  "--save-buffer",
];

/** Identity of a file, to see it replaced (a new inode) or rewritten in place (size, time). */
async function identity(path: string): Promise<string | undefined> {
  const info = await Deno.stat(path).catch(() => undefined);
  return info === undefined ? undefined : `${info.ino} ${info.size} ${info.mtime?.getTime()}`;
}

/** Poll once a millisecond until `ready` holds; false if the run ends first. */
async function until(run: RunningTrain, ready: () => Promise<boolean>): Promise<boolean> {
  let ended = false;
  run.done.then(() => ended = true);
  while (!ended) {
    if (await ready()) return true;
    await sleep(1);
  }
  return false;
}

/** The moments of a checkpoint write that kills are timed from. */
type Moment = "write starts" | "checkpoint renamed";

/**
 * Whether `moment` has come for the checkpoint write about to start in `dir`: its temporary file appears
 * (or, for a non-atomic write, the checkpoint itself changes), or the checkpoint is replaced.
 */
async function reached(dir: string, moment: Moment): Promise<() => Promise<boolean>> {
  const file = `${dir}/checkpoint.safetensors`;
  const before = await identity(file);
  const changed = async () => (await identity(file)) !== before;
  if (moment === "checkpoint renamed") return changed;
  return async () =>
    (await temporaries(dir)).some((name) => name.startsWith("checkpoint.safetensors.")) || await changed();
}

/** Milliseconds from the start of a checkpoint write until the checkpoint is renamed, then the policy. */
interface Window {
  readonly checkpoint: number;
  readonly policy: number;
}

/**
 * Time the checkpoint write about to start in `dir`, polling once a millisecond. What follows the policy
 * (config.json on a resume; the logs, before the checkpoint or after the policy) takes much less time.
 */
async function writeWindow(run: RunningTrain, dir: string): Promise<Window> {
  const [checkpoint, policy] = [`${dir}/checkpoint.safetensors`, `${dir}/policy.safetensors`];
  const before = await identity(policy);
  const renamed = await reached(dir, "checkpoint renamed");
  assert.ok(await until(run, await reached(dir, "write starts")), `no write of ${checkpoint} started`);
  const started = performance.now();
  assert.ok(await until(run, renamed), `${checkpoint} was not replaced`);
  const at = performance.now() - started;
  assert.ok(await until(run, async () => (await identity(policy)) !== before), `${policy} was not replaced`);
  return { checkpoint: at, policy: performance.now() - started };
}

/** Where kills land: in which checkpoint write, and counted from which moment of it. */
interface Kind {
  /** Names the kind in messages. */
  readonly what: string;
  /** How many kills. */
  readonly kills: number;
  /** The stdout line printed just before the checkpoint is encoded and written. */
  readonly line: RegExp;
  /** The moment the kill delays count from. */
  readonly from: Moment;
  /** The span the delays are spread over, from the reference run's write window. */
  readonly span: (w: Window) => number;
  /** Whether the killed command resumes the 150-step run to 250 steps instead of training afresh. */
  readonly resumes: boolean;
}

const KINDS: readonly Kind[] = [
  {
    what: "a fresh run's first checkpoint, being written",
    kills: 1,
    line: /eval at step 100:/,
    from: "write starts",
    span: (w) => w.checkpoint,
    resumes: false,
  },
  {
    what: "a fresh run's second checkpoint, being written",
    kills: 3,
    line: /eval at step 200:/,
    from: "write starts",
    span: (w) => w.checkpoint,
    resumes: false,
  },
  {
    what: "a fresh run's second checkpoint, renamed (the policy and logs being written)",
    kills: 2,
    line: /eval at step 200:/,
    from: "checkpoint renamed",
    span: (w) => 1.25 * (w.policy - w.checkpoint),
    resumes: false,
  },
  {
    what: "a resume's first checkpoint, being written",
    kills: 1,
    line: /eval at step 200:/,
    from: "write starts",
    span: (w) => w.checkpoint,
    resumes: true,
  },
  {
    what: "a resume's first checkpoint, renamed (the policy, then config.json with the new --steps)",
    kills: 2,
    line: /eval at step 200:/,
    from: "checkpoint renamed",
    span: (w) => 1.25 * (w.policy - w.checkpoint),
    resumes: true,
  },
];

Deno.test("kill -9 at random points of checkpoint writes: each folder resumes to the straight run (or, left without a checkpoint, is refused with one line)", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const untouched = await sentinel(`${cwd}/sentinel.txt`);
    const straight = startTrain([...BIG, "--steps", "250", "--out", "straight"], cwd);
    await straight.waitFor(/eval at step 200:/);
    const window = await writeWindow(straight, `${cwd}/straight`);
    assert.equal((await straight.done).code, 0);
    assert.equal((await runTrain([...BIG, "--steps", "150", "--out", "base"], cwd)).code, 0);

    // Delays from a fixed seed, stratified: kill i of n lands in the i-th n-th of its span.
    const keys = split(keyFromSeed(13), KINDS.length);
    const outcomes: string[] = [];
    for (const [k, kind] of KINDS.entries()) {
      const draws = uniform(keys[k], kind.kills);
      for (let i = 0; i < kind.kills; i++) {
        const delay = ((i + draws[i]) / kind.kills) * kind.span(window);
        const dir = `run-${k}-${i}`;
        const what = `${kind.what}, killed ${delay.toFixed(1)} ms after ${kind.from}`;
        const again = ["--resume", dir, ...(kind.resumes ? ["--steps", "250"] : [])];
        if (kind.resumes) await copyFolder(`${cwd}/base`, `${cwd}/${dir}`);
        const run = startTrain(kind.resumes ? again : [...BIG, "--steps", "250", "--out", dir], cwd);
        await run.waitFor(kind.line);
        assert.ok(await until(run, await reached(`${cwd}/${dir}`, kind.from)), `${what}: no checkpoint`);
        await sleep(delay);
        try {
          run.process.kill("SIGKILL");
        } catch {
          // it has already exited: said below
        }
        assert.notEqual((await run.done).code, 0, `${what}: the run ended before the kill`);
        const debris = await temporaries(`${cwd}/${dir}`);
        const at = await checkpointStep(`${cwd}/${dir}`);
        // What a user runs next: the command that was killed, as a resume. Only a folder left without any
        // checkpoint may be refused; once one is on disk, atomic writes keep it or put its successor in its
        // place (a checkpoint cut short, which a non-atomic write leaves, is refused, and fails here).
        const resumed = await runTrain(again, cwd);
        let outcome = "resumed";
        if (resumed.code === 0 || at !== "none") {
          await assertResumed(resumed, `${cwd}/${dir}`, `${cwd}/straight`).catch((e) => {
            throw new Error(`${what}, checkpoint ${at} left: ${e.message}`);
          });
        } else {
          assertOneLineError(resumed, 2);
          outcome = `refused (${resumed.stderr.trim().slice("error: ".length)})`;
        }
        assert.deepEqual(await temporaries(`${cwd}/${dir}`), [], `${what}: temporary files are left`);
        outcomes.push(`${what}: checkpoint ${at}, ${debris.length} .tmp, ${outcome}`);
        await Deno.remove(`${cwd}/${dir}`, { recursive: true });
      }
    }
    await untouched();
    assert.deepEqual(await names(cwd), ["base", "sentinel.txt", "straight"]);
    const timing = `checkpoint ${window.checkpoint.toFixed(0)} ms, policy ${window.policy.toFixed(0)} ms`;
    console.log(`renamed after the write starts: ${timing}\n${outcomes.join("\n")}`);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
