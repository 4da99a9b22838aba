/**
 * Flags of `deno task eval`, parsed by a pure function (fp-ts `Either`) on `node:util` `parseArgs`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { type BackendName, BACKENDS } from "../config/backends.ts";

/** What `deno task eval` is asked to do. */
export type EvalCommand =
  | { readonly kind: "help" }
  | {
    readonly kind: "eval";
    /** The run folder (or a policy file). */
    readonly run: string;
    /** Episodes to evaluate. */
    readonly episodes: number;
    /** Seed of the episodes' initial states; the run's own seed when absent. */
    readonly seed?: number;
    /** Write an animation of the first episode here. */
    readonly render?: string;
    /** Backend, the run's own when absent. */
    readonly backend?: BackendName;
  };

/** The usage text printed by `deno task eval --help`. */
export const EVAL_USAGE = `Evaluate a trained policy: mean ± std return of the deterministic policy.

Usage: deno task eval RUN [flags]

  RUN                       a run folder (its policy.safetensors) or a policy file
  --episodes N              episodes (default 10)
  --seed S                  seed of the episodes' initial states (default: the run's seed, so that the
                            run's own evaluations are reproduced)
  --render FILE             write an animated SVG of the first episode (must not exist yet)
  --backend NAME            engine | wasm | cpu | tensorflow (default: the run's)
  -h, --help                this text
`;

function integer(flag: string, text: string | undefined, min: number, max: number): E.Either<string, number> {
  const v = Number(text);
  return text !== undefined && /^\d+$/.test(text.trim()) && v >= min && v <= max
    ? E.right(v)
    : E.left(`--${flag} must be an integer in [${min}, ${max}], got ${text}`);
}

/**
 * Parse the arguments of `deno task eval`.
 *
 * @param args the arguments after the script name
 * @returns the command, or a one-line error
 */
export function parseEvalArgs(args: readonly string[]): E.Either<string, EvalCommand> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        help: { type: "boolean", short: "h" },
        episodes: { type: "string" },
        seed: { type: "string" },
        render: { type: "string" },
        backend: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    return E.left((e instanceof Error ? e.message : String(e)).split("\n")[0]);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return E.right({ kind: "help" });
  if (positionals.length !== 1) {
    return E.left(
      `expected one run folder, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`,
    );
  }
  const episodes = integer("episodes", (values.episodes as string | undefined) ?? "10", 1, 10_000);
  if (E.isLeft(episodes)) return episodes;
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const s = integer("seed", values.seed as string, 0, Number.MAX_SAFE_INTEGER);
    if (E.isLeft(s)) return s;
    seed = s.right;
  }
  const render = values.render as string | undefined;
  if (render !== undefined && render.trim() === "") return E.left("--render expects a file name");
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    return E.left(`unknown --backend "${backend}" (known: ${BACKENDS.join(", ")})`);
  }
  return E.right({
    kind: "eval",
    run: positionals[0],
    episodes: episodes.right,
    ...(seed === undefined ? {} : { seed }),
    ...(render === undefined ? {} : { render }),
    ...(backend === undefined ? {} : { backend: backend as BackendName }),
  });
}
