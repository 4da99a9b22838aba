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
 * Run the train command with `args` in the folder `cwd`.
 *
 * @param args command-line flags
 * @param cwd working directory (relative `--out` paths land here)
 * @returns exit code and output
 */
export async function runTrain(args: readonly string[], cwd: string): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", `${root}deno.json`, "-A", `${root}src/cli/train.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
