/**
 * What the host offers, asked without assuming Deno: the same runtime code runs under Deno (the CLI) and in
 * a browser's Web Worker (the web app), where there is no `Deno` namespace, no environment variables and
 * no FFI.
 *
 * @module
 */

/** Whether the code runs under Deno (a browser has no `Deno` global). */
const underDeno = typeof Deno !== "undefined";

/**
 * An environment variable of the host process.
 *
 * @example
 * ```ts
 * import { hostEnv } from "./host.ts";
 *
 * const threads = hostEnv("TD3SAC_THREADS") ?? "default";
 * ```
 *
 * @param name the variable
 * @returns its value; `undefined` when unset, outside Deno, or without `--allow-env` for it
 */
export function hostEnv(name: string): string | undefined {
  try {
    return underDeno ? Deno.env.get(name) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether foreign functions can be loaded (Deno with `--allow-ffi`).
 *
 * @returns false outside Deno or without the permission
 */
export function hasFfi(): boolean {
  try {
    return underDeno && Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}
