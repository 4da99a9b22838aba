/**
 * Your own environment, trained with TD3 and SAC through the library API. "Reach" is a cart on a rail
 * that must be brought to the origin and held there: a pure `Env` (state record in, state record out, the
 * reset drawn from a key), about thirty lines. Each algorithm's run folder gets the usual files; its
 * `policy.safetensors` is then loaded back (it stores the spaces it acts in, so Reach need not be
 * registered anywhere) and evaluated on the run's own evaluation episodes.
 *
 *     deno run -A examples/custom_env.ts [--steps 3000] [--out runs/reach]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  DEFAULTS,
  type Env,
  evaluate,
  evaluationKeys,
  loadPolicy,
  SAC_PRESETS,
  TD3_PRESETS,
  train,
  type TrainConfig,
  uniform,
  useBackend,
} from "../mod.ts";

/** The cart's position x, velocity v, and the steps taken in the episode. */
type Cart = { readonly x: number; readonly v: number; readonly steps: number };

const reach: Env<Cart> = {
  id: "Reach-v0",
  observationSize: 2,
  actionSize: 1,
  actionLow: [-1],
  actionHigh: [1],
  maxEpisodeSteps: 100,
  reset: (key) => {
    const [x, v] = uniform(key, 2, { low: -1, high: 1 });
    const state = { x, v: 0.1 * v, steps: 0 };
    return { state, observation: Float32Array.of(state.x, state.v) };
  },
  step: (s, action) => {
    const force = Math.max(-1, Math.min(1, action[0]));
    const v = 0.9 * s.v + 0.05 * force; // friction and a bounded push
    const x = Math.max(-2, Math.min(2, s.x + v));
    const steps = s.steps + 1;
    return {
      state: { x, v, steps },
      observation: Float32Array.of(x, v),
      reward: -(x * x) - 0.01 * force * force,
      terminated: false,
      truncated: steps >= reach.maxEpisodeSteps,
    };
  },
};

const { values } = parseArgs({ options: { steps: { type: "string" }, out: { type: "string" } } });
const steps = Number(values.steps ?? 3000);
const out = values.out ?? "runs/reach";
await useBackend("wasm");

const common = { ...DEFAULTS, env: reach.id, steps, evalEvery: 1000 };
const configs: TrainConfig[] = [
  { ...common, ...TD3_PRESETS.tuned, algo: "td3", hidden: [64, 64] },
  { ...common, ...SAC_PRESETS.tuned, algo: "sac", hidden: [64, 64] },
];
for (const config of configs) {
  const folder = `${out}/${config.algo}`;
  await Deno.mkdir(folder, { recursive: true });
  const { evals } = await train(config, { out: folder, env: reach });
  const [first, last] = [evals[0], evals[evals.length - 1]];
  console.log(
    `${config.algo}: evaluation return ${first.mean.toFixed(1)} at step ${first.totalSteps} → ` +
      `${last.mean.toFixed(1)} ± ${last.std.toFixed(1)} at step ${last.totalSteps}`,
  );
  const policy = await loadPolicy(`${folder}/policy.safetensors`);
  const keys = evaluationKeys(config.seed, config.evalEpisodes);
  const reloaded = evaluate((o) => policy.actBatch(o), { env: reach, keys });
  policy.dispose();
  console.log(
    `${config.algo}: the reloaded policy returns ${reloaded.mean.toFixed(4)} (last evaluation ${
      last.mean.toFixed(4)
    })`,
  );
}
