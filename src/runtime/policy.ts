/**
 * A trained policy on its own: the actor's weights and the run configuration (`policy.safetensors`,
 * written beside every checkpoint), loaded into an object that maps observations to the deterministic
 * action, as evaluation uses it. The loaded weights are tensors owned by the policy until `dispose()`.
 *
 * @example Act with a trained policy
 * ```ts
 * import { loadPolicy, useBackend } from "./mod.ts";
 * await useBackend("wasm");
 * const policy = await loadPolicy("runs/td3-Pendulum-v1-seed0/policy.safetensors");
 * const action = policy.act([1, 0, 0]); // Float32Array [torque]
 * policy.dispose();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { type TrainConfig, validateConfig } from "../config/train_config.ts";
import { keyFromSeed } from "../core/rng.ts";
import { type AgentSpaces, makeAgent } from "../core/agents/make_agent.ts";
import type { Gemm } from "../engine/gemm.ts";
import { makeEngineLearner } from "../engine/learners.ts";
import { ALL_ENV_IDS } from "../config/env_ids.ts";
import { envSpec } from "../envs/open_env.ts";
import {
  decodeCheckpoint,
  type DecodedCheckpoint,
  encodeCheckpoint,
  POLICY_FORMAT,
  structureMismatch,
  toHostTree,
} from "./checkpoint.ts";
import { disposeTree, readTensor } from "./memory.ts";
import type { Either } from "../core/either.ts";

/** A loaded policy: deterministic actions for observations. */
export interface Policy {
  /** The configuration of the run that trained it. */
  readonly config: TrainConfig;
  /** Observation length it expects. */
  readonly observationSize: number;
  /** Action length it returns. */
  readonly actionSize: number;
  /** The spaces it was trained on (sizes and action bounds), as its file stores them. */
  readonly spaces: AgentSpaces;
  /**
   * The deterministic action (TD3: μ(s); SAC: tanh of the Gaussian mean), inside the action bounds.
   *
   * @param observation one observation
   * @returns its action
   */
  act(observation: ArrayLike<number>): Float32Array;
  /**
   * Actions for `n` observations at once.
   *
   * @param observations `n × observationSize` values, row-major
   * @returns `n × actionSize` actions, row-major
   */
  actBatch(observations: ArrayLike<number>): Float32Array;
  /** Free the weights; the policy cannot act afterwards. */
  dispose(): void;
}

/**
 * Encode a policy file: the actor's tensors under `actor.*`, the run configuration and the environment's
 * spaces, which is all acting needs (the environment itself need not be known to the reader).
 *
 * @param actor the actor parameters of an agent state
 * @param config the run configuration
 * @param spaces the spaces of the environment it was trained on (an `EnvSpec` qualifies)
 * @returns the file bytes
 */
export function encodePolicy(actor: unknown, config: TrainConfig, spaces: AgentSpaces): Uint8Array {
  return encodeCheckpoint({ actor }, config, { format: POLICY_FORMAT, spaces });
}

/** The largest observation and action a policy file may describe (checked before a network is built). */
const MAX_SPACE = 1_000_000;

/** The stored spaces, checked: whole sizes in range, one finite bound pair per action with low < high. */
function checkedSpaces(stored: unknown): Either<string, AgentSpaces> {
  const s = stored as Partial<Record<keyof AgentSpaces, unknown>> | null;
  if (typeof s !== "object" || s === null || Array.isArray(s)) return E.left("its spaces are not a record");
  const size = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SPACE;
  if (!size(s.observationSize) || !size(s.actionSize)) {
    return E.left(`its spaces' sizes must be integers in [1, ${MAX_SPACE}]`);
  }
  const a = s.actionSize as number;
  const bounds = (v: unknown) => Array.isArray(v) && v.length === a && v.every(Number.isFinite);
  if (!bounds(s.actionLow) || !bounds(s.actionHigh)) {
    return E.left(`its action bounds must be ${a} finite numbers each`);
  }
  const low = s.actionLow as number[];
  const high = s.actionHigh as number[];
  if (low.some((l, i) => !(l < high[i]))) return E.left("its action bounds must have low < high");
  return E.right({
    observationSize: s.observationSize as number,
    actionSize: a,
    actionLow: low,
    actionHigh: high,
  });
}

/**
 * The spaces a policy acts in: those its file stores (checked against the built-in environment of the
 * same name, if any), or, for a file written before spaces were stored, the built-in environment's.
 */
function policySpaces(stored: unknown, config: TrainConfig): Either<string, AgentSpaces> {
  const builtIn = ALL_ENV_IDS.includes(config.env) ? envSpec(config.env) : undefined;
  if (stored === undefined) {
    return builtIn === undefined
      ? E.left(`it was trained on "${config.env}", which is not built in, and does not store its spaces`)
      : E.right(builtIn);
  }
  const spaces = checkedSpaces(stored);
  if (E.isLeft(spaces) || builtIn === undefined) return spaces;
  const same = (x: AgentSpaces) =>
    JSON.stringify([x.observationSize, x.actionSize, x.actionLow, x.actionHigh]);
  return same(spaces.right) === same(builtIn)
    ? spaces
    : E.left(`its spaces ${same(spaces.right)} are not those of ${config.env} ${same(builtIn)}`);
}

/**
 * The largest policy file read: an actor within the configuration's limits (`MAX_HIDDEN_WEIGHTS` between
 * hidden layers, widths ≤ 8192) is well under 128 MiB, so a larger file is refused before it is read.
 */
export const MAX_POLICY_BYTES = 128 * 2 ** 20;

/**
 * The one-line refusal of a policy file of `size` bytes.
 *
 * @param size the file's size
 * @returns the message
 */
export function policyTooLarge(size: number): string {
  return `a policy file of ${size} bytes is larger than any policy this library writes (${MAX_POLICY_BYTES})`;
}

/** Options of {@link decodePolicy}. */
export interface DecodePolicyOptions {
  /** Act on the fused engine with these matrix products (as training on `--backend engine` does). */
  readonly engine?: Gemm;
}

/**
 * Decode and check policy bytes (format, configuration, weight shapes).
 *
 * @param bytes the contents of a policy file
 * @param options where to act: on the active tfjs backend (default) or on the engine
 * @returns the policy, or a one-line error
 */
export function decodePolicy(bytes: Uint8Array, options: DecodePolicyOptions = {}): Either<string, Policy> {
  let decoded: DecodedCheckpoint;
  try {
    decoded = decodeCheckpoint(bytes, POLICY_FORMAT);
  } catch (e) {
    return E.left(`not a valid policy file: ${e instanceof Error ? e.message : e}`);
  }
  const free = () => disposeTree(decoded.state);
  const checked = validateConfig(decoded.config as TrainConfig, { anyEnv: true });
  if (E.isLeft(checked)) {
    free();
    return E.left(`the policy file holds an invalid configuration: ${checked.left}`);
  }
  const config = checked.right;
  const spaces = policySpaces(decoded.spaces, config);
  if (E.isLeft(spaces)) {
    free();
    return E.left(`the policy file cannot act: ${spaces.left}`);
  }
  const env = spaces.right;
  // The network the configuration describes is built only if its input and output layers are no larger
  // than a policy file can be: the hidden layers are bounded by the configuration's own limits.
  const edge = env.observationSize * config.hidden[0] + 2 * env.actionSize * config.hidden.at(-1)!;
  if (edge > MAX_POLICY_BYTES / 4) {
    free();
    return E.left(`the policy's configuration describes a network larger than any policy file`);
  }
  const agent = makeAgent(config, env);
  const fresh = tf.tidy(() => agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer) as {
    actor: unknown;
  };
  const mismatch = structureMismatch(decoded.state, { actor: fresh.actor });
  disposeTree(fresh);
  if (mismatch !== undefined) {
    free();
    return E.left(
      `the policy's weights do not fit its configuration (${config.algo}, ${config.env}): ${mismatch}`,
    );
  }
  const state = decoded.state;
  const o = env.observationSize;
  const act = options.engine === undefined
    ? (rows: Float32Array, n: number) => readTensor(() => agent.act(state, tf.tensor2d(rows, [n, o])))
    : makeEngineLearner(config, env, config.batchSize, options.engine)
      .policy(toHostTree((state as { actor: unknown }).actor));
  const actBatch = (observations: ArrayLike<number>): Float32Array => {
    if (observations.length === 0 || observations.length % o !== 0) {
      throw new RangeError(`observations must be rows of ${o} values, got ${observations.length} values`);
    }
    return act(Float32Array.from(observations), observations.length / o);
  };
  return E.right({
    config,
    observationSize: o,
    actionSize: env.actionSize,
    spaces: {
      observationSize: env.observationSize,
      actionSize: env.actionSize,
      actionLow: [...env.actionLow],
      actionHigh: [...env.actionHigh],
    },
    act: actBatch,
    actBatch,
    dispose: free,
  });
}

/**
 * Read a policy file (`policy.safetensors` of a run folder).
 *
 * @param path the file
 * @param options where to act, as for {@link decodePolicy}
 * @returns the policy
 * @throws Error with a one-line message when the file is missing or not a valid policy
 */
export async function loadPolicy(path: string, options: DecodePolicyOptions = {}): Promise<Policy> {
  const size = (await Deno.stat(path)).size;
  if (size > MAX_POLICY_BYTES) throw new Error(`${path}: ${policyTooLarge(size)}`);
  const decoded = decodePolicy(await Deno.readFile(path), options);
  if (E.isLeft(decoded)) throw new Error(`${path}: ${decoded.left}`);
  return decoded.right;
}
