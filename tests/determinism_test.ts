import assert from "node:assert/strict";
import { flags, runTrain } from "./_train_cli.ts";

const BYTE_STABLE = [
  "episodes.csv",
  "evals.csv",
  "checkpoint.safetensors",
  "policy.safetensors",
  "config.json",
  "learning_curve.svg",
];
const RUN_FILES = [...BYTE_STABLE, "timing.csv"].sort();

/** A short but complete training run through the real command line. */
async function trainCli(cwd: string, out: string, seed: number, algo = "td3"): Promise<void> {
  const args = flags({
    algo,
    seed,
    steps: 700,
    randomSteps: 200,
    learningStarts: 200,
    hidden: "32,32",
    batchSize: 32,
    evalEvery: 350,
    evalEpisodes: 2,
    out,
  });
  const r = await runTrain(args, cwd);
  assert.equal(r.code, 0, r.stderr);
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

for (const algo of ["td3", "sac", "sac-v"]) {
  Deno.test(`${algo}: the same train command twice writes byte-identical run files; another seed does not`, async () => {
    const cwd = await Deno.makeTempDir();
    await trainCli(cwd, "a", 0, algo);
    await trainCli(cwd, "b", 0, algo);
    await trainCli(cwd, "c", 1, algo);
    assert.deepEqual(await files(`${cwd}/a`), RUN_FILES);
    for (const name of BYTE_STABLE) {
      const a = await Deno.readFile(`${cwd}/a/${name}`);
      const b = await Deno.readFile(`${cwd}/b/${name}`);
      assert.ok(a.length > 0, `${name} is empty`);
      assert.deepEqual(a, b, `${name} differs between two runs of one command`);
    }
    for (const name of ["episodes.csv", "evals.csv", "checkpoint.safetensors"]) {
      const a = await Deno.readFile(`${cwd}/a/${name}`);
      const c = await Deno.readFile(`${cwd}/c/${name}`);
      assert.notDeepEqual(a, c, `${name} does not depend on the seed`);
    }
    // 700 steps of 200-step episodes: 3 finished episodes; evaluations at 350 and 700.
    const episodes = (await Deno.readTextFile(`${cwd}/a/episodes.csv`)).trim().split("\n");
    assert.equal(episodes[0], "episode,total_steps,return,length");
    assert.deepEqual(episodes.slice(1).map((l) => l.split(",")[1]), ["200", "400", "600"]);
    const evals = (await Deno.readTextFile(`${cwd}/a/evals.csv`)).trim().split("\n");
    assert.deepEqual(evals.slice(1).map((l) => l.split(",")[0]), ["350", "700"]);
    await Deno.remove(cwd, { recursive: true });
  });
}
