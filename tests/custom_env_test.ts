import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname;

Deno.test("the custom-environment example trains TD3 and SAC on its own env (tiny budget)", async () => {
  const out = await Deno.makeTempDir();
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", `${root}examples/custom_env.ts`, "--steps", "700", "--out", out],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(r.stdout);
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.match(stdout, /^td3: evaluation return -?[\d.]+ at step 700 → -?[\d.]+ ± [\d.]+ at step 700$/m);
  assert.match(stdout, /^sac: evaluation return -?[\d.]+ at step 700 → -?[\d.]+ ± [\d.]+ at step 700$/m);
  // Each policy file loads without Reach being registered and acts as the run's last evaluation did.
  for (
    const [, algo, mine, theirs] of stdout.matchAll(
      /^(\w+): the reloaded policy returns (\S+) \(last evaluation (\S+)\)$/gm,
    )
  ) {
    assert.equal(mine, theirs, algo);
  }
  assert.equal([...stdout.matchAll(/reloaded policy returns/g)].length, 2, stdout);
  for (const algo of ["td3", "sac"]) {
    const config = JSON.parse(await Deno.readTextFile(`${out}/${algo}/config.json`));
    assert.equal(config.env, "Reach-v0");
    const episodes = (await Deno.readTextFile(`${out}/${algo}/episodes.csv`)).trim().split("\n");
    assert.equal(episodes.length, 1 + 7, "seven 100-step episodes");
    assert.ok((await Deno.stat(`${out}/${algo}/policy.safetensors`)).size > 0);
  }
  await Deno.remove(out, { recursive: true });
});
