/**
 * The backends a run can ask for, as names only: choosing and loading one is the runtime's job
 * (`src/runtime/backend.ts`), so that validating a configuration loads no backend code.
 *
 * @module
 */

/**
 * The backends a user can ask for: `engine` (the fused CPU update engine, the default), and the tfjs
 * reference on `wasm` (XNNPACK), `cpu` (plain JavaScript) or `tensorflow` (native).
 */
export const BACKENDS = ["engine", "wasm", "cpu", "tensorflow"] as const;

/** One of {@link BACKENDS}. */
export type BackendName = typeof BACKENDS[number];
