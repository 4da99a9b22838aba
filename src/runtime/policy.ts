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
import { makeAgent } from "../core/agents/make_agent.ts";
import type { Gemm } from "../engine/gemm.ts";
import { makeEngineLearner } from "../engine/learners.ts";
import { openEnv } from "../envs/open_env.ts";
import {
  decodeCheckpoint,
  type DecodedCheckpoint,
  encodeCheckpoint,
  POLICY_FORMAT,
  structureMismatch,
  toHostTree,
} from "./checkpoint.ts";
import { disposeTree, readTensor } from "./memory.ts";

/** A loaded policy: deterministic actions for observations. */
export interface Policy {
  /** The configuration of the run that trained it. */
  readonly config: TrainConfig;
  /** Observation length it expects. */
  readonly observationSize: number;
  /** Action length it returns. */
  readonly actionSize: number;
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
 * Encode a policy file: the actor's tensors under `actor.*` and the run configuration.
 *
 * @param actor the actor parameters of an agent state
 * @param config the run configuration
 * @returns the file bytes
 */
export function encodePolicy(actor: unknown, config: TrainConfig): Uint8Array {
  return encodeCheckpoint({ actor }, config, { format: POLICY_FORMAT });
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
export function decodePolicy(bytes: Uint8Array, options: DecodePolicyOptions = {}): E.Either<string, Policy> {
  let decoded: DecodedCheckpoint;
  try {
    decoded = decodeCheckpoint(bytes, POLICY_FORMAT);
  } catch (e) {
    return E.left(`not a valid policy file: ${e instanceof Error ? e.message : e}`);
  }
  const free = () => disposeTree(decoded.state);
  const checked = validateConfig(decoded.config as TrainConfig);
  if (E.isLeft(checked)) {
    free();
    return E.left(`the policy file holds an invalid configuration: ${checked.left}`);
  }
  const config = checked.right;
  const env = openEnv(config.env);
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
