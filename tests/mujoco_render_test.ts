/**
 * `deno task eval RUN --render FILE` on a MuJoCo run: a short HalfCheetah-v5 training, then an animated SVG
 * of its first evaluation episode, written as the other renderers write theirs.
 */
import assert from "node:assert/strict";
import { assertWellFormed, frameGroups, parseLabel, textOf } from "../src/report/_svg_testing.ts";
import { flags, runEval, runTrain } from "./_train_cli.ts";

const SMALL = flags({
  env: "HalfCheetah-v5",
  steps: 300,
  randomSteps: 200,
  learningStarts: 200,
  hidden: "32,32",
  batchSize: 32,
  evalEvery: 300,
  evalEpisodes: 1,
  checkpointEvery: 300,
});

Deno.test("eval CLI: --render draws a HalfCheetah-v5 episode of a 300-step run as an animated SVG", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const trained = await runTrain([...SMALL, "--out", "run"], cwd);
    assert.equal(trained.code, 0, trained.stderr);
    const r = await runEval(["run", "--render", "x.svg", "--episodes", "1"], cwd);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(
      lines[0],
      /^mean return -?[\d.]+ ± 0\.00 over 1 episodes \(deterministic policy of td3 on HalfCheetah-v5/,
    );
    const written = /^animation of the first episode \(return (-?[\d.]+)\) written to x\.svg$/.exec(lines[1]);
    assert.ok(written, r.stdout);
    const svg = await Deno.readTextFile(`${cwd}/x.svg`);
    assertWellFormed(svg);
    assert.equal(frameGroups(svg).length, 1001, "the reset state and 1000 steps");
    assert.match(svg, /dur="50\.05s"/, "1001 frames of the task's 0.05 s");
    assert.ok(svg.includes(`TD3 on HalfCheetah-v5, seed 0: return ${written[1]}`), "the caption");
    const last = parseLabel(textOf(frameGroups(svg).at(-1)!, "return").replace("return ", ""));
    assert.equal(last, Number(written[1]), "the last frame shows the return");
    // The mean over one episode is that episode's return.
    const mean = Number(/mean return (-?[\d.]+)/.exec(lines[0])![1]);
    assert.ok(Math.abs(mean - Number(written[1])) <= 0.055, `${mean} vs ${written[1]}`);
    const again = await runEval(["run", "--render", "x.svg", "--episodes", "1"], cwd);
    assert.equal(again.code, 2, "an existing file is not overwritten");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
