/**
 * Runs `src/cli/train.ts` in a subprocess, as `deno task train` would, for the cross-module CLI tests.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;

/** Exit code and output of one run. */
export interface CliResult {
  /** Process exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/**
 * Command-line flags from a record of settings: `{ batchSize: 32, hidden: "32,32" }` →
 * `["--batch-size", "32", "--hidden", "32,32"]`.
 *
 * @param settings flag values by config field name
 * @returns the arguments
 */
export function flags(settings: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(settings).flatMap((
    [k, v],
  ) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]);
}

async function runCli(script: string, args: readonly string[], cwd: string): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", `${root}deno.json`, "-A", `${root}src/cli/${script}`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Run the train command with `args` in the folder `cwd`.
 *
 * @param args command-line flags
 * @param cwd working directory (relative `--out` paths land here)
 * @returns exit code and output
 */
export function runTrain(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCli("train.ts", args, cwd);
}

/** A train command running in the background, for signal tests. */
export interface RunningTrain {
  /** The child process. */
  readonly process: Deno.ChildProcess;
  /** Resolves once a line of standard output matches. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Exit code and all output, once it exits. */
  readonly done: Promise<CliResult>;
}

/**
 * Start the train command with `args` in `cwd` without waiting for it.
 *
 * @param args command-line flags
 * @param cwd working directory
 * @returns the running command
 */
export function startTrain(args: readonly string[], cwd: string): RunningTrain {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", `${root}deno.json`, "-A", `${root}src/cli/train.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of process.stdout) {
      stdout += decoder.decode(chunk, { stream: true });
      for (const w of waiters.filter((w) => w.pattern.test(stdout))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  const stderr = new Response(process.stderr).text();
  const done = (async () => {
    const status = await process.status;
    await reading;
    return { code: status.code, stdout, stderr: await stderr };
  })();
  return {
    process,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        done.then(() => reject(new Error(`exited before printing ${pattern}: ${stdout}`)));
      }),
    done,
  };
}

/**
 * Run the eval command with `args` in the folder `cwd`.
 *
 * @param args arguments
 * @param cwd working directory
 * @returns exit code and output
 */
export function runEval(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCli("eval.ts", args, cwd);
}
