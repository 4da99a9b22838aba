/**
 * Fault injection: `kill -9` at seeded random moments of `deno task train`, then `--resume` of the folder,
 * to count how many folders come back to the result of a run that was never interrupted, how many are
 * refused cleanly (exit 2 and one stderr line starting `error:`) and how many are lost (anything else).
 *
 *     deno run -A bench/fault_injection.ts [--kills 100] [--seed 0] [--json FILE]
 *
 * The kills go round-robin over three phases, each on small `--save-buffer` runs of 1500 steps:
 *
 * - a: during a fresh train (32-32 nets), at a uniform moment of its life, start-up included;
 * - b: during a `--resume`, alternately of a folder itself cut by `kill -9` after its first checkpoint,
 *   and of a finished 600-step run resumed with `--steps 1500`;
 * - c: inside a checkpoint write of 256-256 nets (a 3.3 MB checkpoint): after the log line that precedes
 *   the checkpoint of a chosen step (fresh runs at steps 400, 1000, 1200 and the last, 1500; the first
 *   checkpoint of a 600-step run resumed to 1500, which also rewrites `config.json`), at a uniform delay
 *   inside that target's write window.
 *
 * After each kill, `--resume run --steps 1500` runs to the end. The folder then counts as resumed exactly
 * when the resume exits 0 without a stack trace, the folder holds the same file names as the uninterrupted
 * run's (no `*.tmp` left) and the same bytes in every file but `timing.csv` (wall-clock seconds); as
 * refused cleanly when the resume exits 2 with one `error:` line; as lost otherwise, or whenever a sentinel
 * file beside the run folder changed (bytes or mtime) or anything else appeared beside it. Each kill runs
 * in its own temporary folder under /tmp, removed afterwards; the uninterrupted references are trained once
 * per configuration.
 *
 * Every random choice comes from `foldIn(keyFromSeed(seed), kill)`: a rerun with the same seed schedules
 * the same delays. The delays are measured from the spawn (phases a, b) or from the arrival of the trigger
 * line (phase c); the ranges below were measured on the project's machine (2 cores) on 2026-12-02, and the
 * bench prints what it measures again (run times, and the write windows seen through a file watcher) so
 * that they can be checked. A kill that finds the process already gone is counted as missed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { bits, foldIn, keyFromSeed, split, uniform } from "../src/core/rng.ts";

const root = new URL("..", import.meta.url).pathname;
const TRAIN = `${root}src/cli/train.ts`;
const STEPS = 1500;
/** Steps of the finished runs that phase b and the resume target of phase c continue. */
const BASE_STEPS = 600;
const RUN = "run";
const SENTINEL = "sentinel.bin";
/** Files compared byte for byte with the uninterrupted run (timing.csv holds wall-clock seconds). */
const COMPARED = [
  "episodes.csv",
  "evals.csv",
  "checkpoint.safetensors",
  "policy.safetensors",
  "config.json",
  "learning_curve.svg",
];

/** The flags of tests/crash_test.ts, checkpointing every 200 steps (each Pendulum episode is 200 steps). */
function flags(hidden: string): string[] {
  return [
    ...["--random-steps", "200", "--learning-starts", "200", "--hidden", hidden, "--batch-size", "32"],
    ...["--eval-every", "300", "--eval-episodes", "2", "--checkpoint-every", "200", "--save-buffer"],
  ];
}
const SMALL = flags("32,32");
const BIG = flags("256,256");

/** Kill-delay ranges in ms: phases a and b from the spawn (small runs take about 450 ms in all). */
const FRESH_MS = 420;
const PREP_MS = 100;
const RESUME_INTERRUPTED_MS = 260;
const RESUME_FINISHED_MS = 330;

/** A phase-c target: the checkpoint written after `line`, killed `lo`–`hi` ms after that line arrives. */
interface Target {
  readonly name: string;
  readonly step: number;
  readonly line: RegExp;
  readonly resume: boolean;
  readonly lo: number;
  readonly hi: number;
}
const TARGETS: readonly Target[] = [
  { name: "checkpoint 400", step: 400, line: /^episode 2 \| step 400 \|/, resume: false, lo: 8, hi: 35 },
  { name: "checkpoint 1000", step: 1000, line: /^episode 5 \| step 1000 \|/, resume: false, lo: 4, hi: 30 },
  { name: "checkpoint 1200", step: 1200, line: /^eval at step 1200:/, resume: false, lo: 4, hi: 25 },
  { name: "last checkpoint 1500", step: 1500, line: /^eval at step 1500:/, resume: false, lo: 3, hi: 30 },
  { name: "resume's first, 800", step: 800, line: /^episode 4 \| step 800 \|/, resume: true, lo: 15, hi: 50 },
];

/** Exit status and output of a finished train command. */
interface Finished {
  readonly code: number;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the spawn to the exit. */
  readonly ms: number;
  /** Each stdout line with its arrival time (`performance.now()`). */
  readonly lines: readonly (readonly [number, string])[];
}

/** A train command running in the background, its stdout lines timed as they arrive. */
interface Running {
  readonly process: Deno.ChildProcess;
  /** `performance.now()` just before the spawn. */
  readonly started: number;
  /** The arrival time of the first line matching `pattern` (waiting for it), or undefined if it exits first. */
  lineAt(pattern: RegExp): Promise<number | undefined>;
  readonly done: Promise<Finished>;
}

/** Start `deno run … src/cli/train.ts ARGS` in `cwd`, as tests/_train_cli.ts does (no `deno task` shell). */
function start(args: readonly string[], cwd: string): Running {
  const started = performance.now();
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", `${root}deno.json`, "-A", TRAIN, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: [number, string][] = [];
  const waiters: { pattern: RegExp; resolve: (t: number | undefined) => void }[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of process.stdout) {
      const now = performance.now();
      const parts = (pending + decoder.decode(chunk, { stream: true })).split("\n");
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push([now, line]);
        for (const w of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(now);
        }
      }
    }
    if (pending !== "") lines.push([performance.now(), pending]);
  })();
  const stderr = new Response(process.stderr).text();
  const done = (async () => {
    const status = await process.status;
    const ms = performance.now() - started;
    await reading;
    waiters.splice(0).forEach((w) => w.resolve(undefined));
    const stdout = lines.map(([, l]) => l).join("\n");
    return { code: status.code, signal: status.signal, stdout, stderr: await stderr, ms, lines };
  })();
  const lineAt = (pattern: RegExp) =>
    new Promise<number | undefined>((resolve) => {
      const seen = lines.find(([, l]) => pattern.test(l));
      if (seen !== undefined) return resolve(seen[0]);
      waiters.push({ pattern, resolve });
    });
  return { process, started, lineAt, done };
}

/** Run a train command to its end. */
function run(args: readonly string[], cwd: string): Promise<Finished> {
  return start(args, cwd).done;
}

/** Send SIGKILL at `at` (a `performance.now()` time); true when the process died of it, false if it had exited. */
async function killAt(child: Running, at: number): Promise<boolean> {
  const exited = await Promise.race([
    child.done.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(0, at - performance.now()))),
  ]);
  if (exited) return false;
  try {
    child.process.kill("SIGKILL");
  } catch {
    // it exited between the timer and the kill
  }
  return (await child.done).signal === "SIGKILL";
}

/** Every file of a folder, by name (empty when there is no folder). */
async function readFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile) files.set(e.name, await Deno.readFile(`${dir}/${e.name}`));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return files;
}

async function copyFolder(from: string, to: string): Promise<void> {
  await Deno.mkdir(to);
  for await (const e of Deno.readDir(from)) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** The training step a checkpoint holds (from its header's `loop` record), or undefined when there is none. */
function checkpointStep(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined || bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return JSON.parse(header.__metadata__.loop).step;
}

/** The highest step named by the last rows of episodes.csv and evals.csv: how far the logs were written. */
function logsStep(files: Map<string, Uint8Array>): number {
  const last = (name: string) => {
    const text = new TextDecoder().decode(files.get(name) ?? new Uint8Array());
    const row = text.trim().split("\n").slice(1).at(-1);
    return row === undefined ? 0 : Number(row.split(",")[name === "episodes.csv" ? 1 : 0]);
  };
  return Math.max(last("episodes.csv"), last("evals.csv"));
}

/** What a kill left in the run folder: a cut write, and how far checkpoint, logs and config.json had got. */
function landing(files: Map<string, Uint8Array>, target?: Target): string {
  if (files.size === 0) return "no run folder yet";
  const tmp = [...files.keys()].filter((n) => n.endsWith(".tmp"));
  const step = checkpointStep(files.get("checkpoint.safetensors"));
  const where = step === undefined ? "no checkpoint" : `checkpoint ${step}, logs ${logsStep(files)}`;
  const cut = tmp.length === 0 ? "" : `cut ${tmp.map((n) => n.replace(/\.\d+-\d+\.tmp$/, "")).join(", ")}; `;
  if (target === undefined) return cut + where;
  const config = JSON.parse(new TextDecoder().decode(files.get("config.json"))).steps;
  const stage = tmp.length > 0
    ? "inside a write"
    : step! < target.step
    ? "before the checkpoint"
    : logsStep(files) < target.step || config !== STEPS
    ? "between the checkpoint and the logs or config.json"
    : "after the writes";
  return `${cut}${where}${target.resume ? `, config.json steps ${config}` : ""}: ${stage}`;
}

/** The outcome of one kill. */
type Outcome = "resumed" | "refused" | "lost";

/** One kill as scheduled, and what came of it. */
interface Trial {
  readonly index: number;
  readonly phase: "a" | "b" | "c";
  readonly kind: string;
  /** The kill's delay in ms, from the spawn (a, b) or from the trigger line (c). */
  readonly delayMs: number;
  /** Whether the SIGKILL found the process alive. */
  readonly landed: boolean;
  /** The preparatory kill of a b folder "itself interrupted": delay after `episode 2` and whether it landed. */
  readonly prep?: { readonly delayMs: number; readonly landed: boolean };
  readonly after: string;
  readonly outcome: Outcome;
  readonly detail: string;
  readonly resumeMs: number;
}

/** The uninterrupted runs' files, and the folders of the finished 600-step runs that are resumed. */
interface References {
  readonly small: Map<string, Uint8Array>;
  readonly big: Map<string, Uint8Array>;
  readonly smallBase: string;
  readonly bigBase: string;
}

/** Classify the folder after the final resume. */
function classify(
  final: Finished,
  files: Map<string, Uint8Array>,
  reference: Map<string, Uint8Array>,
): [Outcome, string] {
  const trace = /^\s+at |Uncaught|panicked/m.test(final.stderr);
  const errorLines = final.stderr.split("\n").filter((l) => l.trim() !== "");
  if (final.code === 2 && !trace && errorLines.length === 1 && errorLines[0].startsWith("error:")) {
    return ["refused", errorLines[0]];
  }
  if (final.code !== 0 || trace) {
    return [
      "lost",
      `resume exited ${final.code}${trace ? " with a stack trace" : ""}: ${final.stderr.trim()}`,
    ];
  }
  const problems: string[] = [];
  const names = [...files.keys()].sort();
  const expected = [...reference.keys()].sort();
  const extra = names.filter((n) => !reference.has(n));
  const missing = expected.filter((n) => !files.has(n));
  if (extra.length > 0) problems.push(`extra ${extra.join(", ")}`);
  if (missing.length > 0) problems.push(`missing ${missing.join(", ")}`);
  const differ = COMPARED.filter((n) => files.has(n) && !sameBytes(files.get(n), reference.get(n)));
  if (differ.length > 0) problems.push(`differs from the uninterrupted run: ${differ.join(", ")}`);
  const nothing = /nothing to do/.test(final.stdout) ? " (nothing to do)" : "";
  return problems.length === 0 ? ["resumed", `identical${nothing}`] : ["lost", problems.join("; ") + nothing];
}

/** What must be left alone beside the run folder: a sentinel file's bytes and mtime. */
async function placeSentinel(parent: string, bytes: Uint8Array): Promise<number> {
  await Deno.writeFile(`${parent}/${SENTINEL}`, bytes);
  return (await Deno.stat(`${parent}/${SENTINEL}`)).mtime!.getTime();
}

/** Problems outside the run folder: a changed sentinel, or any other new entry. */
async function outsideProblems(parent: string, bytes: Uint8Array, mtime: number): Promise<string[]> {
  const problems: string[] = [];
  const now = await Deno.readFile(`${parent}/${SENTINEL}`).catch(() => undefined);
  if (!sameBytes(now, bytes)) problems.push("the sentinel's bytes changed");
  const info = await Deno.stat(`${parent}/${SENTINEL}`).catch(() => undefined);
  if (info?.mtime?.getTime() !== mtime) problems.push("the sentinel's mtime changed");
  for await (const e of Deno.readDir(parent)) {
    if (e.name !== RUN && e.name !== SENTINEL) problems.push(`${e.name} appeared beside the run folder`);
  }
  return problems;
}

/** The schedule of kill `index`: its phase and turn in it, two uniform draws and the sentinel's bytes. */
function plan(seed: number, index: number) {
  const [drawKey, sentinelKey] = split(foldIn(keyFromSeed(seed), index));
  const [u, v] = uniform(drawKey, 2);
  const phase = (["a", "b", "c"] as const)[index % 3];
  const turn = Math.floor(index / 3);
  return { u, v, sentinel: new Uint8Array(bits(sentinelKey, 256).buffer), phase, turn };
}

async function trial(seed: number, index: number, refs: References): Promise<Trial> {
  const { u, v, sentinel, phase, turn } = plan(seed, index);
  const parent = await Deno.makeTempDir({ prefix: "fault_injection_" });
  const dir = `${parent}/${RUN}`;
  try {
    const mtime = await placeSentinel(parent, sentinel);
    let kind: string;
    let delayMs: number;
    let landed: boolean;
    let prep: Trial["prep"];
    let target: Target | undefined;
    let reference = refs.small;
    if (phase === "a") {
      kind = "fresh train";
      delayMs = u * FRESH_MS;
      const child = start([...SMALL, "--steps", String(STEPS), "--out", RUN], parent);
      landed = await killAt(child, child.started + delayMs);
    } else if (phase === "b" && turn % 2 === 0) {
      kind = "resume of a killed run";
      const first = start([...SMALL, "--steps", String(STEPS), "--out", RUN], parent);
      const line = await first.lineAt(/^episode 2 \|/);
      prep = { delayMs: v * PREP_MS, landed: line !== undefined && await killAt(first, line + v * PREP_MS) };
      await first.done;
      delayMs = u * RESUME_INTERRUPTED_MS;
      const child = start(["--resume", RUN, "--steps", String(STEPS)], parent);
      landed = await killAt(child, child.started + delayMs);
    } else if (phase === "b") {
      kind = `resume of a finished ${BASE_STEPS}`;
      await copyFolder(refs.smallBase, dir);
      delayMs = u * RESUME_FINISHED_MS;
      const child = start(["--resume", RUN, "--steps", String(STEPS)], parent);
      landed = await killAt(child, child.started + delayMs);
    } else {
      target = TARGETS[turn % TARGETS.length];
      kind = target.name;
      reference = refs.big;
      delayMs = target.lo + u * (target.hi - target.lo);
      if (target.resume) await copyFolder(refs.bigBase, dir);
      const args = target.resume
        ? ["--resume", RUN, "--steps", String(STEPS)]
        : [...BIG, "--steps", String(STEPS), "--out", RUN];
      const child = start(args, parent);
      const line = await child.lineAt(target.line);
      landed = line !== undefined && await killAt(child, line + delayMs);
      await child.done;
    }
    const killed = await readFolder(dir);
    const after = landing(killed, target);
    const final = await run(["--resume", RUN, "--steps", String(STEPS)], parent);
    const files = await readFolder(dir);
    let [outcome, detail] = classify(final, files, reference);
    if (outcome === "refused") {
      const changed = [...new Set([...killed.keys(), ...files.keys()])]
        .filter((n) => n !== ".lock" && !sameBytes(killed.get(n), files.get(n)));
      if (changed.length > 0) detail += ` [the refusal changed ${changed.join(", ")}]`;
    }
    const outside = await outsideProblems(parent, sentinel, mtime);
    if (outside.length > 0) [outcome, detail] = ["lost", `${outside.join("; ")}; ${detail}`];
    return { index, phase, kind, delayMs, landed, prep, after, outcome, detail, resumeMs: final.ms };
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

/** A run's checkpoint write windows: ms from each line to the checkpoint's first write and to the last rename. */
interface Window {
  readonly line: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Train with a file watcher on `cwd`, to see when each checkpoint's writes start and end after its line. */
async function watched(args: readonly string[], cwd: string): Promise<[Finished, Window[]]> {
  const events: [number, string][] = [];
  const watcher = Deno.watchFs(cwd, { recursive: true });
  const watching = (async () => {
    for await (const e of watcher) {
      const now = performance.now();
      for (const p of e.paths) events.push([now, `${e.kind} ${p.slice(p.lastIndexOf("/") + 1)}`]);
    }
  })();
  const finished = await run(args, cwd);
  const lines = finished.lines.map(([t, line]): [number, string] => [t, `LINE ${line}`]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  watcher.close();
  await watching;
  const windows: Window[] = [];
  let line: [number, string] | undefined;
  let begin: number | undefined;
  for (const [t, what] of [...events, ...lines].sort((a, b) => a[0] - b[0])) {
    if (what.startsWith("LINE ")) line = [t, what.slice(5)];
    else if (/^create checkpoint\.safetensors\..*\.tmp$/.test(what)) begin = t;
    else if (what === "rename learning_curve.svg" && begin !== undefined && line !== undefined) {
      windows.push({ line: line[1], startMs: begin - line[0], endMs: t - line[0] });
      begin = undefined;
    }
  }
  return [finished, windows];
}

/** Train the references once per configuration, checking each one's exit, and measure runs and windows. */
async function references(dir: string): Promise<[References, string[]]> {
  const notes: string[] = [];
  const must = (what: string, r: Finished) => {
    if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr}`);
    notes.push(`${what}: ${r.ms.toFixed(0)} ms`);
  };
  const label = (line: string) => line.replace(/(:| \|) (mean )?return.*$/, "");
  const window = (w: Window) => `${label(w.line)} ${w.startMs.toFixed(0)}–${w.endMs.toFixed(0)}`;
  const windowsOf = (ws: Window[]) => ws.map(window).join(", ");
  must("small, fresh 1500", await run([...SMALL, "--steps", String(STEPS), "--out", "small"], dir));
  must("small, fresh 600", await run([...SMALL, "--steps", String(BASE_STEPS), "--out", "small600"], dir));
  const [big, bigWindows] = await watched([...BIG, "--steps", String(STEPS), "--out", "big"], dir);
  must("big, fresh 1500", big);
  const meaning = "ms, line → first checkpoint write–last rename";
  notes.push(`  write windows after each line (${meaning}): ${windowsOf(bigWindows)}`);
  must("big, fresh 600", await run([...BIG, "--steps", String(BASE_STEPS), "--out", "big600"], dir));
  const refs = {
    small: await readFolder(`${dir}/small`),
    big: await readFolder(`${dir}/big`),
    smallBase: `${dir}/small600`,
    bigBase: `${dir}/big600`,
  };
  // The resumes the b and c phases cut, uninterrupted: they must reach the references too.
  const resumes = [["small", refs.smallBase, refs.small], ["big", refs.bigBase, refs.big]] as const;
  for (const [name, base, reference] of resumes) {
    await copyFolder(base, `${dir}/${name}-resumed`);
    const [resumed, windows] = await watched(["--resume", `${name}-resumed`, "--steps", String(STEPS)], dir);
    must(`${name}, ${BASE_STEPS} resumed to ${STEPS}`, resumed);
    const [outcome, detail] = classify(resumed, await readFolder(`${dir}/${name}-resumed`), reference);
    if (outcome !== "resumed") throw new Error(`${name}: an uninterrupted resume is not exact: ${detail}`);
    if (name === "big") notes.push(`  write windows (ms): ${windowsOf(windows)}`);
  }
  return [refs, notes];
}

function positiveInt(flag: string, value: string | undefined, fallback: number, min: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`error: --${flag} must be an integer ≥ ${min}, got "${value}"`);
    Deno.exit(2);
  }
  return n;
}

/** A lost folder whose only fault is a temporary file left by the killed write (the rest identical). */
const strayOnly = (t: Trial) => t.outcome === "lost" && /^extra [^;]*\.tmp$/.test(t.detail);

/** Counts per outcome of a set of trials, as table cells. */
function counts(trials: readonly Trial[]): string[] {
  const n = (keep: (t: Trial) => boolean) => String(trials.filter(keep).length);
  return [
    n(() => true),
    n((t) => t.outcome === "resumed"),
    n((t) => t.outcome === "refused"),
    n((t) => t.outcome === "lost"),
    n(strayOnly),
    n((t) => !t.landed),
  ];
}

function table(rows: readonly string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(" | ")} |`;
  const rule = `| ${widths.map((w, j) => (j === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ")} |`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}

/** The summary table: per phase and kind, then the total. */
function summary(trials: readonly Trial[]): string {
  const rows = [[
    "phase",
    "kills",
    "resumed exactly",
    "refused cleanly",
    "lost",
    "of which only a stray *.tmp",
    "missed (already exited)",
  ]];
  const names = { a: "a: during a fresh train", b: "b: during a --resume", c: "c: inside checkpoint writes" };
  for (const phase of ["a", "b", "c"] as const) {
    const of = trials.filter((t) => t.phase === phase);
    rows.push([names[phase], ...counts(of)]);
    const kinds = [...new Set(of.map((t) => t.kind))];
    if (kinds.length < 2) continue;
    for (const k of kinds) rows.push([`   ${k}`, ...counts(of.filter((t) => t.kind === k))]);
  }
  rows.push(["all", ...counts(trials)]);
  return table(rows);
}

/** Distinct details of the trials with an outcome, each with its count. */
function tally(trials: readonly Trial[], outcome: Outcome): string[] {
  const seen = new Map<string, number>();
  for (const t of trials.filter((t) => t.outcome === outcome)) {
    const detail = t.detail.replace(/pid \d+/g, "pid N").replace(/\.\d+-\d+\.tmp/g, ".PID-N.tmp");
    const key = `${t.phase} ${t.kind}: ${detail}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([d, n]) => `  ${n} × ${d}`);
}

/** The output of a git command in the repository, or `unknown` without git. */
async function git(args: readonly string[]): Promise<string> {
  try {
    const command = new Deno.Command("git", { args: ["-C", root, ...args], stdout: "piped", stderr: "null" });
    const out = await command.output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { kills: { type: "string" }, seed: { type: "string" }, json: { type: "string" } },
  });
  const kills = positiveInt("kills", values.kills, 100, 1);
  const seed = positiveInt("seed", values.seed, 0, 0);
  const revision = await git(["rev-parse", "--short", "HEAD"]);
  const edited = (await git(["status", "--porcelain", "src"])).split("\n").filter((l) => l !== "").length;
  const began = performance.now();
  const startedAt = new Date().toISOString();
  console.log(
    `fault injection: ${kills} kills, seed ${seed}, ${startedAt}, commit ${revision}` +
      `${edited > 0 ? ` with ${edited} uncommitted files in src/` : ""}, Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores`,
  );
  const refsDir = await Deno.makeTempDir({ prefix: "fault_injection_refs_" });
  const trials: Trial[] = [];
  try {
    const [refs, notes] = await references(refsDir);
    console.log(`references (spawn to exit):\n  ${notes.join("\n  ")}`);
    for (let i = 0; i < kills; i++) {
      const t = await trial(seed, i, refs);
      trials.push(t);
      const from = t.phase === "c" ? "after its line" : "after the spawn";
      const prep = t.prep === undefined
        ? ""
        : ` (first cut ${t.prep.delayMs.toFixed(1)} ms after episode 2${t.prep.landed ? "" : ", missed"})`;
      console.log(
        `[${String(i + 1).padStart(String(kills).length)}/${kills}] ${t.phase} ${t.kind}${prep}: kill ${
          t.delayMs.toFixed(1)
        } ms ${from}${
          t.landed ? "" : " MISSED (already exited)"
        } → ${t.after} → ${t.outcome}: ${t.detail} (resume ${(t.resumeMs / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    await Deno.remove(refsDir, { recursive: true });
  }
  const wallSeconds = (performance.now() - began) / 1000;
  const landed = trials.filter((t) => t.landed).length;
  const prepared = trials.filter((t) => t.prep?.landed).length;
  console.log(`\n${summary(trials)}\n`);
  const delivered = landed + prepared;
  console.log(
    `kill -9 delivered: ${delivered} (${landed} scheduled, and ${prepared} more that made phase b's ` +
      "interrupted folders before their resume was killed)",
  );
  for (const outcome of ["refused", "lost"] as const) {
    const lines = tally(trials, outcome);
    if (lines.length > 0) console.log(`${outcome}:\n${lines.join("\n")}`);
  }
  console.log(`wall time ${wallSeconds.toFixed(1)} s`);
  if (values.json !== undefined) {
    const cores = navigator.hardwareConcurrency;
    const record = { kills, seed, startedAt, revision, edited, wallSeconds, cores, trials };
    await Deno.writeTextFile(values.json, JSON.stringify(record, null, 2) + "\n");
  }
}

if (import.meta.main) await main();
