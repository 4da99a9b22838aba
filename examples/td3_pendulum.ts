/**
 * TD3 on Pendulum-v1, top to bottom, with the library's pieces and no hidden loop: the environment, the
 * replay buffer, the pure reducer and the keys are all in view. `deno task train` does the same with
 * logging, evaluation and files.
 *
 *     deno run -A examples/td3_pendulum.ts [steps]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  disposeTree,
  evaluate,
  keyFromSeed,
  makeEnv,
  makeExploration,
  makeTd3,
  readTensor,
  ReplayBuffer,
  split,
  step,
  type Td3State,
  uniform,
  useBackend,
} from "../mod.ts";

const steps = Number(Deno.args[0] ?? 8000);
await useBackend("wasm");

// 1. Environment and agent. Everything random below comes from this one seed.
const env = makeEnv("Pendulum-v1");
const bounds = { low: env.actionLow, high: env.actionHigh };
const agent = makeTd3({
  observationSize: env.observationSize,
  actionSize: env.actionSize,
  bounds,
  hidden: [128, 128],
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.98,
  tau: 0.005,
  policyNoise: 0.2,
  noiseClip: 0.5,
  policyDelay: 2,
});
// Exploration: μ(s) + N(0, 0.1·2) per step, clipped to ±2 (TD3's Gaussian noise).
const noise = makeExploration({
  kind: "gaussian",
  sigma: 0.1,
  actionLow: env.actionLow,
  actionHigh: env.actionHigh,
});
const [initKey, resetKey, evalKey, firstLoopKey] = split(keyFromSeed(0), 4);
let loopKey = firstLoopKey;
let state = tf.tidy(() => agent.init(initKey) as unknown as tf.TensorContainer) as unknown as Td3State;
const buffer = new ReplayBuffer({ capacity: steps, observationSize: 3, actionSize: 1 });

// 2. The loop: act, store, update once per step after 500 random steps.
let { state: envState, observation } = env.reset(resetKey);
let episodeReturn = 0;
for (let t = 1; t <= steps; t++) {
  let stepKey;
  [loopKey, stepKey] = split(loopKey);
  const [actKey, sampleKey, nextResetKey] = split(stepKey, 3);
  // Uniform random actions first, then μ(s) plus the exploration noise; the noise comes from actKey.
  const action = t <= 500 ? uniform(actKey, 1, { low: -2, high: 2 }) : noise.sample(
    undefined,
    readTensor(() => agent.act(state, tf.tensor2d(observation, [1, 3]))),
    actKey,
  )[1];
  const r = env.step(envState, action);
  buffer.add({
    observation,
    action,
    reward: r.reward,
    nextObservation: r.observation,
    terminated: r.terminated,
  });
  episodeReturn += r.reward;
  if (r.terminated || r.truncated) {
    console.log(`step ${t}: episode return ${episodeReturn.toFixed(1)}`);
    ({ state: envState, observation } = env.reset(nextResetKey));
    episodeReturn = 0;
  } else {
    ({ state: envState, observation } = r);
  }
  if (t > 500) {
    const [next, metrics] = step(agent.update, state, buffer.sample(sampleKey, 128));
    disposeTree(metrics);
    state = next;
  }
}

// 3. Deterministic evaluation on ten fixed start states.
const act = (o: Float32Array, n: number) => readTensor(() => agent.act(state, tf.tensor2d(o, [n, 3])));
const result = evaluate(act, { env, keys: split(evalKey, 10) });
console.log(`evaluation: ${result.mean.toFixed(1)} ± ${result.std.toFixed(1)}`);
