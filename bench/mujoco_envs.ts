/**
 * Environment steps per second of each MuJoCo task alone (random actions, resets at episode ends), on this
 * library's pure environments over the WebAssembly engine, beside Gymnasium's Python environments on the
 * same machine when a Python with `gymnasium[mujoco]` is found (`$PYTHON`, else `python3`); without one
 * that column says so and the bench still runs.
 *
 *     deno run -A bench/mujoco_envs.ts [--steps 20000] [--json FILE]
 *
 * Ours is measured as the training loop steps: each step continues from the record the last one returned
 * (the engine's data already holds it), and separately as evaluation and a resumed run step: every record
 * loaded into the engine first (`mj_setState`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { foldIn, keyFromSeed, uniform } from "../src/core/rng.ts";
import { loadMujocoEngine } from "../src/envs/mujoco/engine.ts";
import { mujocoEnv, type MujocoState } from "../src/envs/mujoco/mujoco_env.ts";
import { MUJOCO_TASKS } from "../src/envs/mujoco/tasks.ts";

const { values } = parseArgs({ options: { steps: { type: "string" }, json: { type: "string" } } });
const STEPS = Number(values.steps ?? 20_000);
if (!Number.isSafeInteger(STEPS) || STEPS < 100) {
  console.error("error: --steps must be an integer ≥ 100");
  Deno.exit(2);
}

const mj = await loadMujocoEngine();

/** Steps per second of `steps` random steps; `reload` copies each record (so the engine loads it). */
function ours(task: (typeof MUJOCO_TASKS)[number], steps: number, reload: boolean): number {
  const env = mujocoEnv(mj, task);
  const a = env.actionSize;
  const actions = uniform(keyFromSeed(7), 1000 * a);
  const action = new Float32Array(a);
  let state: MujocoState = env.reset(keyFromSeed(0)).state;
  let episode = 0;
  const started = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < a; i++) {
      const u = actions[(t % 1000) * a + i];
      action[i] = env.actionLow[i] + u * (env.actionHigh[i] - env.actionLow[i]);
    }
    const r = env.step(reload ? { ...state } : state, action);
    state = r.terminated || r.truncated ? env.reset(foldIn(keyFromSeed(0), ++episode)).state : r.state;
  }
  const seconds = (performance.now() - started) / 1000;
  env.dispose();
  return steps / seconds;
}

/** Gymnasium's steps per second for every task, from one Python process, or why there are none. */
async function gymnasium(ids: readonly string[], steps: number): Promise<Record<string, number> | string> {
  const python = Deno.env.get("PYTHON") ?? "python3";
  const script = `
import json, sys, time
import gymnasium as gym, mujoco
out = {"versions": [gym.__version__, mujoco.__version__]}
for task in sys.argv[2:]:
    env = gym.make(task)
    env.reset(seed=0)
    env.action_space.seed(7)
    actions = [env.action_space.sample() for _ in range(1000)]
    start = time.perf_counter()
    for t in range(int(sys.argv[1])):
        _, _, terminated, truncated, _ = env.step(actions[t % 1000])
        if terminated or truncated:
            env.reset()
    out[task] = int(sys.argv[1]) / (time.perf_counter() - start)
    env.close()
print(json.dumps(out))
`;
  try {
    const r = await new Deno.Command(python, { args: ["-c", script, String(steps), ...ids], stderr: "piped" })
      .output();
    if (r.code !== 0) {
      const last = new TextDecoder().decode(r.stderr).trim().split("\n").at(-1);
      return `not measured: ${python} could not run Gymnasium (${last})`;
    }
    const out = JSON.parse(new TextDecoder().decode(r.stdout));
    const [g, m] = out.versions;
    if (g !== "1.3.0" || m !== "3.14.0") {
      return `not measured: gymnasium ${g} with mujoco ${m}, not 1.3.0 with 3.14.0`;
    }
    return out;
  } catch (e) {
    return `not measured: no ${python} (${e instanceof Error ? e.message : e})`;
  }
}

const ids = MUJOCO_TASKS.map((t) => t.id);
const peer = await gymnasium(ids, STEPS);
const rows = MUJOCO_TASKS.map((task) => {
  const loop = ours(task, STEPS, false);
  const loaded = ours(task, STEPS, true);
  const theirs = typeof peer === "string" ? undefined : peer[task.id];
  return { task: task.id, loop, loaded, gymnasium: theirs };
});
const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => "")).match(/model name\s*:\s*(.*)/)?.[1];
console.log(`${STEPS} random steps per task; ${new Date().toISOString()}; ${cpu ?? "unknown CPU"}`);
console.log(
  "| task | ours, as the loop steps | ours, each record loaded | Gymnasium (Python) | ours / Gymnasium |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const g = r.gymnasium === undefined ? "–" : r.gymnasium.toFixed(0);
  const ratio = r.gymnasium === undefined ? "–" : `${(r.loop / r.gymnasium).toFixed(2)}×`;
  console.log(`| ${r.task} | ${r.loop.toFixed(0)} | ${r.loaded.toFixed(0)} | ${g} | ${ratio} |`);
}
if (typeof peer === "string") console.log(`Gymnasium: ${peer}`);
if (values.json !== undefined) {
  await Deno.writeTextFile(values.json, JSON.stringify({ steps: STEPS, rows }, null, 2));
}
