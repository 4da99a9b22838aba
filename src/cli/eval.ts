/**
 * `deno task eval RUN`: load a run's policy, print the mean ± std return of the deterministic policy over
 * evaluation episodes (by default the very episodes the run's own evaluations used), and optionally write
 * an animation of the first episode. Bad input is one line and exit code 2; nothing is overwritten.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { configDifference, type TrainConfig, upgradeConfig, validateConfig } from "../config/train_config.ts";
import { ALL_ENV_IDS } from "../config/env_ids.ts";
import { engineGemm, useBackend } from "../runtime/backend.ts";
import { POLICY_FILE, POLICY_FORMAT, writeFileAtomic } from "../runtime/checkpoint.ts";
import { openEnv, prepareEnv } from "../envs/open_env.ts";
import { evaluate } from "../train/evaluate.ts";
import { decodePolicy, MAX_POLICY_BYTES, policyTooLarge } from "../runtime/policy.ts";
import { hasRenderer, renderedEnvs, renderEpisode, rollout } from "../report/render.ts";
import { decodeSafetensors } from "../formats/safetensors.ts";
import { evaluationKeys } from "../train/train.ts";
import { EVAL_USAGE, parseEvalArgs } from "./eval_args.ts";
import { exists, namesNothing } from "./run_folder.ts";

function fail(message: string, code: number): never {
  console.error(`error: ${message}`);
  Deno.exit(code);
}

/** A policy file's bytes and, when `run` is a run folder, the folder's `config.json` text (if it has one). */
interface PolicySource {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly configJson?: string;
}

async function readPolicyBytes(run: string): Promise<PolicySource> {
  let path = run;
  let folder = false;
  try {
    folder = (await Deno.stat(run)).isDirectory;
    if (folder) path = `${run}/${POLICY_FILE}`;
  } catch (e) {
    if (namesNothing(e)) fail(`no run folder or policy file at ${run}`, 2);
    throw e;
  }
  let bytes: Uint8Array;
  try {
    const size = (await Deno.stat(path)).size;
    if (size > MAX_POLICY_BYTES) fail(`${path}: ${policyTooLarge(size)}`, 2);
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (namesNothing(e)) fail(`${run} has no ${POLICY_FILE} (has it trained to a checkpoint?)`, 2);
    if (e instanceof Deno.errors.IsADirectory) fail(`${path} is a folder, not a policy file`, 2);
    throw e;
  }
  if (!folder) return { path, bytes };
  try {
    return { path, bytes, configJson: await Deno.readTextFile(`${run}/config.json`) };
  } catch (e) {
    if (namesNothing(e)) return { path, bytes };
    throw e;
  }
}

/**
 * Why a run folder's policy is not that run's, if it is not: its configuration must be the folder's
 * `config.json` but for the budget and the backend, which a resume may change (and a crash between the
 * policy's write and `config.json`'s may leave one behind the other).
 */
function foreignPolicy(source: PolicySource, config: TrainConfig): string | undefined {
  if (source.configJson === undefined) return undefined;
  let onDisk: Record<string, unknown>;
  try {
    onDisk = JSON.parse(source.configJson);
  } catch {
    return `its folder's config.json is not valid JSON`;
  }
  if (typeof onDisk !== "object" || onDisk === null) return `its folder's config.json is not a record`;
  const { backend: _b, steps: _s, ...folder } = upgradeConfig(onDisk);
  const { backend: _pb, steps: _ps, ...policy } = config as unknown as Record<string, unknown>;
  const difference = configDifference(policy, folder);
  return difference === undefined
    ? undefined
    : `it is not this run's policy: it and config.json disagree on ${difference}`;
}

/**
 * Run the eval command.
 *
 * @param args command-line arguments
 */
export async function main(args: readonly string[]): Promise<void> {
  const parsed = parseEvalArgs(args);
  if (E.isLeft(parsed)) fail(`${parsed.left} (see --help)`, 2);
  const command = parsed.right;
  if (command.kind === "help") {
    console.log(EVAL_USAGE);
    return;
  }
  if (command.render !== undefined && await exists(command.render)) {
    fail(`--render ${command.render} already exists; choose a new file name (nothing was written)`, 2);
  }
  const source = await readPolicyBytes(command.run);
  const { path, bytes } = source;
  // The backend comes first (from the file's configuration), then the tensors.
  let config: TrainConfig;
  try {
    const { metadata } = decodeSafetensors(bytes);
    if (metadata.format !== POLICY_FORMAT) throw new Error(`not a ${POLICY_FORMAT} file`);
    const valid = validateConfig(JSON.parse(metadata.config), { anyEnv: true });
    if (E.isLeft(valid)) throw new Error(`invalid configuration: ${valid.left}`);
    config = valid.right;
  } catch (e) {
    fail(`${path} is not a valid policy file: ${e instanceof Error ? e.message : e}`, 2);
  }
  const foreign = foreignPolicy(source, config);
  if (foreign !== undefined) fail(`${path}: ${foreign}`, 2);
  if (!ALL_ENV_IDS.includes(config.env)) {
    fail(
      `${path} was trained on "${config.env}", which is not built in; load it with loadPolicy and ` +
        `evaluate it with evaluate (mod.ts), giving your environment`,
      2,
    );
  }
  if (command.render !== undefined && !hasRenderer(config.env)) {
    fail(
      `--render: no animation for ${config.env} yet (only ${renderedEnvs().join(", ")}); nothing was written`,
      2,
    );
  }
  const backend = await useBackend(command.backend ?? config.backend);
  if (E.isLeft(backend)) fail(backend.left, 2);
  const engine = (command.backend ?? config.backend) === "engine" ? await engineGemm() : undefined;
  const decoded = decodePolicy(bytes, engine === undefined ? {} : { engine });
  if (E.isLeft(decoded)) fail(`${path}: ${decoded.left}`, 2);
  const policy = decoded.right;

  await prepareEnv(config.env);
  const env = openEnv(config.env);
  const seed = command.seed ?? config.seed;
  const keys = evaluationKeys(seed, command.episodes);
  const result = evaluate((o) => policy.actBatch(o), { env, keys });
  console.log(
    `mean return ${result.mean.toFixed(2)} ± ${result.std.toFixed(2)} over ${command.episodes} episodes ` +
      `(deterministic policy of ${config.algo} on ${config.env}, seed ${seed}, ${path})`,
  );
  if (command.render !== undefined) {
    const episode = rollout(env, (o) => policy.act(o), keys[0]);
    const total = episode.rewards.reduce((x: number, y: number) => x + y, 0);
    const svg = renderEpisode(
      config.env,
      episode,
      `${config.algo.toUpperCase()} on ${config.env}, seed ${seed}: return ${total.toFixed(1)}`,
    );
    if (E.isLeft(svg)) fail(svg.left, 2);
    await writeFileAtomic(command.render, svg.right);
    console.log(`animation of the first episode (return ${total.toFixed(1)}) written to ${command.render}`);
  }
  policy.dispose();
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e), 1);
  }
}
