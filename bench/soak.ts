/**
 * Soak test of the training runtime: many updates of a real agent (Pendulum-v1, tuned preset, built and
 * stepped through its `AgentRuntime` as `deno task train` does: the fused engine by default, tfjs on another
 * backend) on batches from a filled replay buffer, with acting and exploring every 1000 updates, while
 * printing the live tensor count and the process RSS. A runtime that frees (or recycles) what it allocates
 * keeps the tensor count exactly constant and the RSS flat.
 *
 *     deno run -A bench/soak.ts [--algo td3|sac|sac-v] [--updates 100000] [--every 5000] [--backend engine]
 *       [--hidden 256,256] [--batch-size 256]
 *
 * (the preset's sizes unless given; at 256-256 and batch 256 the engine puts its second critic on a helper
 * thread, as training does on 2 cores)
 *
 * With `--buffer-memory N` it instead measures the memory of a full Pendulum replay buffer of capacity N
 * (RSS before and after filling it, after a warm-up with as many adds into a small buffer) next to the
 * analytic size of its float32 storage:
 *
 *     deno run -A bench/soak.ts --buffer-memory 1000000
 *
 * RSS follows V8's garbage-collection sawtooth. Run with `--v8-flags=--expose-gc` to collect garbage before
 * each report, which steadies the RSS readings and adds the live JS heap to each line.
 *
 * Every random number comes from keys derived from seed 0. MB here is 10^6 bytes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { parseArgs } from "node:util";
import { type Algo, ALGOS, type TrainConfig, validateConfig } from "../src/config/train_config.ts";
import { DEFAULTS, presetFor } from "../src/config/presets.ts";
import { type Key, keyFromSeed, split, uniform } from "../src/core/rng.ts";
import type { Env } from "../src/envs/env.ts";
import { makeEnv } from "../src/envs/registry.ts";
import { ReplayBuffer } from "../src/replay/buffer.ts";
import { agentRuntime } from "../src/runtime/agent_runtime.ts";
import { type BackendName, BACKENDS, useBackend } from "../src/runtime/backend.ts";

/** Transitions in the replay buffer the updates sample from. */
const FILL = 10_000;
/** Updates between two rounds of acting and exploring. */
const ACT_EVERY = 1000;
const MB = 1e6;

function fail(message: string): never {
  console.error(`error: ${message}`);
  Deno.exit(2);
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

const rssMb = () => Deno.memoryUsage().rss / MB;
/** V8's full collection, present only under `--v8-flags=--expose-gc`. */
const gc = (globalThis as { gc?: () => void }).gc;

/** Uniformly random action inside the environment's bounds. */
function randomAction(key: Key, env: Env<unknown>): Float32Array {
  const u = uniform(key, env.actionSize);
  return u.map((x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
}

/** A Pendulum-shaped replay buffer (obs 3, act 1) after `adds` transitions with values from their index. */
function filledBuffer(capacity: number, adds: number): ReplayBuffer {
  const buffer = new ReplayBuffer({ capacity, observationSize: 3, actionSize: 1 });
  // One reused transition: no per-step arrays that would blur the RSS reading.
  const observation = new Float32Array(3);
  const nextObservation = new Float32Array(3);
  const action = new Float32Array(1);
  for (let i = 0; i < adds; i++) {
    observation.fill(i % 1000);
    nextObservation.fill((i + 1) % 1000);
    action.fill((i % 4) - 2);
    buffer.add({ observation, action, reward: -(i % 17), nextObservation, terminated: false });
  }
  return buffer;
}

/**
 * Fill a Pendulum replay buffer of capacity `capacity` completely and report the RSS around it. The same
 * number of adds first goes through a 1000-transition buffer, so that the JIT and the young generation are
 * warm and the growth measured is the storage.
 */
function bufferMemory(capacity: number): void {
  const perTransition = (obs: number, act: number) => (2 * obs + act + 2) * 4;
  const start = rssMb();
  const warm = filledBuffer(1000, capacity);
  const before = rssMb();
  const buffer = filledBuffer(capacity, capacity);
  const after = rssMb();
  const analytic = (perTransition(3, 1) * capacity) / MB;
  console.log(
    `replay buffer of capacity ${capacity}, Pendulum-shaped (obs 3, act 1), filled: size ${buffer.size} ` +
      `(warm-up buffer: ${warm.size})`,
  );
  console.log(
    `rss at start ${start.toFixed(1)} MB | after warm-up ${before.toFixed(1)} MB | after filling ` +
      `${after.toFixed(1)} MB | growth ${(after - before).toFixed(1)} MB ` +
      `(${((after - before) / analytic).toFixed(2)}× the analytic size)`,
  );
  console.log("analytic float32 storage, (2*obs + act + 2) * 4 bytes per transition:");
  for (const [name, obs, act] of [["Pendulum (obs 3, act 1)", 3, 1], ["obs 24, act 4", 24, 4]] as const) {
    const bytes = perTransition(obs, act);
    console.log(
      `  ${name}: ${bytes} B per transition, ${(bytes * capacity / MB).toFixed(1)} MB for ${capacity}`,
    );
  }
}

/** One line of the soak report. */
interface Report {
  readonly updates: number;
  readonly numTensors: number;
  readonly rss: number;
  /** Live JS heap after a full collection, when `gc` is exposed. */
  readonly heap?: number;
}

/** Run `updates` updates of `algo` and print the tensor count and RSS every `every` updates. */
async function soak(
  algo: Algo,
  backend: BackendName,
  updates: number,
  every: number,
  sizes: { hidden?: number[]; batchSize?: number },
): Promise<void> {
  const config = validOrExit(
    validateConfig({ ...DEFAULTS, ...presetFor(algo, "tuned"), algo, backend, ...sizes } as TrainConfig),
  );
  const env = makeEnv(config.env) as Env<unknown>;
  const runtime = await agentRuntime(config, env);
  const learner = runtime.learner;
  const [initKey, fillKey, loopKey0] = split(keyFromSeed(0), 3);
  const buffer = new ReplayBuffer({
    capacity: FILL,
    observationSize: env.observationSize,
    actionSize: env.actionSize,
  });

  const [fillReset, fillSteps0] = split(fillKey);
  let fillSteps = fillSteps0;
  let { state: envState, observation } = env.reset(fillReset);
  /** Store one transition and advance (or reset) the environment. */
  const envStep = (action: Float32Array, resetKey: Key): void => {
    const result = env.step(envState, action);
    buffer.add({
      observation,
      action,
      reward: result.reward,
      nextObservation: result.observation,
      terminated: result.terminated,
    });
    if (result.terminated || result.truncated) ({ state: envState, observation } = env.reset(resetKey));
    else ({ state: envState, observation } = result);
  };
  for (let i = 0; i < FILL; i++) {
    const [next, stepKey] = split(fillSteps);
    fillSteps = next;
    const [actKey, resetKey] = split(stepKey);
    envStep(randomAction(actKey, env), resetKey);
  }

  let held = { agent: runtime.init(initKey) };
  const update = (s: typeof held, batch: ReturnType<ReplayBuffer["sample"]>) => {
    const [agent, metrics] = learner.update(s.agent, batch);
    return [{ agent }, metrics] as const;
  };
  let loopKey = loopKey0;
  let finite = true;
  const reports: Report[] = [];
  const started = performance.now();
  let last = { t: started, updates: 0 };
  const report = (u: number): void => {
    const now = performance.now();
    gc?.();
    const { numTensors, numBytes } = tf.memory();
    const rss = rssMb();
    const heap = gc === undefined ? undefined : Deno.memoryUsage().heapUsed / MB;
    reports.push({ updates: u, numTensors, rss, heap });
    const rate = u === 0 ? "–" : (((u - last.updates) * 1000) / (now - last.t)).toFixed(0);
    console.log(
      `updates ${String(u).padStart(String(updates).length)} | ${((now - started) / 1000).toFixed(1)} s | ` +
        `${rate} updates/s | tensors ${numTensors} | tensor MB ${(numBytes / MB).toFixed(2)} | ` +
        `rss MB ${rss.toFixed(1)}${heap === undefined ? "" : ` | js heap MB ${heap.toFixed(1)}`}`,
    );
    // Time spent collecting and printing is not charged to the next interval.
    last = { t: performance.now(), updates: u };
  };

  console.log(
    `soak: ${algo} (tuned: hidden ${config.hidden.join("x")}, batch ${config.batchSize}) on ${config.env}, ` +
      `${runtime.description}, ${runtime.threads} thread(s), ${updates} updates on a buffer of ${FILL} ` +
      `random-action transitions, ` +
      `act + sample every ${ACT_EVERY} updates`,
  );
  report(0);
  for (let u = 1; u <= updates; u++) {
    const [nextLoop, stepKey] = split(loopKey);
    loopKey = nextLoop;
    const [sampleKey, actKey, resetKey] = split(stepKey, 3);
    let metrics;
    [held, metrics] = runtime.step(update, held, buffer.sample(sampleKey, config.batchSize), (s) => s.agent);
    const reporting = u % every === 0 || u === updates;
    if (reporting) finite &&= Object.values(metrics).every(Number.isFinite);

    if (u % ACT_EVERY === 0) {
      const greedy = learner.act(held.agent, observation, 1);
      const action = learner.sample === undefined
        ? greedy
        : learner.sample(held.agent, observation, 1, actKey);
      finite &&= [...greedy, ...action].every(Number.isFinite);
      envStep(action, resetKey);
    }
    if (reporting) report(u);
  }
  runtime.dispose(held.agent);
  runtime.close();

  const periodic = reports.slice(1);
  const [first, final] = [periodic[0], periodic.at(-1)!];
  const flat = periodic.every((r) => r.numTensors === first.numTensors);
  const counts = [...new Set(periodic.map((r) => r.numTensors))].join(", ");
  const growth = final.rss - first.rss;
  const tensors = flat ? `stayed exactly ${first.numTensors}` : `changed (${counts})`;
  const sign = growth >= 0 ? "+" : "−";
  const [low, high] = [Math.min(...periodic.map((r) => r.rss)), Math.max(...periodic.map((r) => r.rss))];
  const rss =
    `${first.rss.toFixed(1)} → ${final.rss.toFixed(1)} MB, ${sign}${Math.abs(growth).toFixed(1)} MB ` +
    `(${sign}${Math.abs((100 * growth) / first.rss).toFixed(1)}%), range ${low.toFixed(1)}–${
      high.toFixed(1)
    } MB`;
  const heap = first.heap === undefined
    ? ""
    : `; js heap ${first.heap.toFixed(1)} → ${final.heap!.toFixed(1)} MB`;
  console.log(
    `verdict: live tensors ${tensors} from update ${first.updates} to ${final.updates}; rss ${rss}${heap}; ` +
      `metrics and actions ${finite ? "all finite" : "NOT all finite"}; ` +
      `${tf.memory().numTensors} tensors left after disposing the agent state`,
  );
}

/** The config when valid; otherwise a one-line error and exit 2. */
function validOrExit(checked: E.Either<string, TrainConfig>): TrainConfig {
  if (E.isLeft(checked)) fail(checked.left);
  return checked.right;
}

/** The parsed flags, or a one-line error and exit 2 on an unknown or malformed one. */
function flags() {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        algo: { type: "string", default: "td3" },
        updates: { type: "string", default: "100000" },
        every: { type: "string", default: "5000" },
        backend: { type: "string", default: "engine" },
        "buffer-memory": { type: "string" },
        hidden: { type: "string" },
        "batch-size": { type: "string" },
      },
    }).values;
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e));
  }
}

const values = flags();
if (values["buffer-memory"] !== undefined) {
  bufferMemory(positiveInt("buffer-memory", values["buffer-memory"]));
} else {
  const algo = values.algo as Algo;
  if (!ALGOS.includes(algo)) fail(`unknown --algo "${algo}" (known: ${ALGOS.join(", ")})`);
  const backend = values.backend as BackendName;
  if (!BACKENDS.includes(backend)) fail(`unknown --backend "${backend}" (known: ${BACKENDS.join(", ")})`);
  const updates = positiveInt("updates", values.updates);
  const every = positiveInt("every", values.every);
  const ready = await useBackend(backend);
  if (E.isLeft(ready)) fail(ready.left);
  const hidden = values.hidden?.split(",").map((h) => positiveInt("hidden", h));
  const batchSize = values["batch-size"] === undefined
    ? undefined
    : positiveInt("batch-size", values["batch-size"]);
  await soak(algo, backend, updates, every, {
    ...(hidden === undefined ? {} : { hidden }),
    ...(batchSize === undefined ? {} : { batchSize }),
  });
}
