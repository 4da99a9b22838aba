import assert from "node:assert/strict";
import { runTrain } from "./_train_cli.ts";

const TINY = ["--steps", "600", "--random-steps", "200", "--learning-starts", "200", "--hidden", "32,32"];
TINY.push("--batch-size", "32", "--eval-every", "300", "--eval-episodes", "2");

async function trainCli(cwd: string, args: string[]): Promise<void> {
  const r = await runTrain([...TINY, ...args], cwd);
  assert.equal(r.code, 0, r.stderr);
}

Deno.test("--seeds trains each seed in a worker exactly as a single-seed run, plus the aggregate curve", async () => {
  const cwd = await Deno.makeTempDir();
  await trainCli(cwd, ["--algo", "sac", "--seeds", "0-1", "--out", "many"]);
  await trainCli(cwd, ["--algo", "sac", "--seed", "1", "--out", "one"]);
  for (const name of ["episodes.csv", "evals.csv", "checkpoint.safetensors", "config.json"]) {
    assert.deepEqual(
      await Deno.readFile(`${cwd}/many/seed-1/${name}`),
      await Deno.readFile(`${cwd}/one/${name}`),
      `${name} of seed 1 differs between --seeds and --seed`,
    );
  }
  const mean = (await Deno.readTextFile(`${cwd}/many/evals_mean.csv`)).trim().split("\n");
  assert.deepEqual(mean[0], "total_steps,mean_return,ci95_low,ci95_high");
  assert.deepEqual(mean.slice(1).map((l) => l.split(",")[0]), ["300", "600"]);
  const [, m, lo, hi] = mean[1].split(",").map(Number);
  assert.ok(lo <= m && m <= hi);
  assert.match(await Deno.readTextFile(`${cwd}/many/learning_curve_mean.svg`), /mean of 2 seeds/);
  await Deno.remove(cwd, { recursive: true });
});
