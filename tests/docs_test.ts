import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname;

/** The `ts` code blocks of a page that import `./mod.ts` (the ones a reader can paste and run). */
async function snippets(page: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${root}${page}`);
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) =>
    code.includes('"./mod.ts"')
  );
}

/** Run a snippet as if it were a file at the repository root; returns its standard output. */
async function run(code: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/snippet.ts`;
    await Deno.writeTextFile(file, code.replaceAll('"./mod.ts"', JSON.stringify(`${root}mod.ts`)));
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "-A", "--config", `${root}deno.json`, file],
      cwd: dir,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    return new TextDecoder().decode(r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("README: the reducer snippet runs and prints what the text says", async () => {
  const [code] = await snippets("README.md");
  assert.ok(code.includes("agent.update(state, batch)"), "the README shows the reducer");
  const lines = (await run(code)).trim().split("\n");
  assert.match(lines[0], /^0 1 0\.606\d*$/);
  assert.match(lines[1], /^1000 1\.99999\d*$/);
});

Deno.test("docs/design.md: the hand-driven loop prints the episodes `deno task train --steps 1000` logs", async () => {
  const code = (await snippets("docs/design.md")).find((c) => c.includes("loopStep"));
  assert.ok(code !== undefined, "design.md shows the loop step driven by hand");
  const printed = (await run(code)).trim().split("\n");
  const out = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "train", "--steps", "1000", "--out", `${out}/run`],
      cwd: root,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const rows = (await Deno.readTextFile(`${out}/run/episodes.csv`)).trim().split("\n").slice(1);
    // episodes.csv rounds returns to 4 decimals; the snippet prints them in full.
    const expected = rows.map((row) => row.split(",")).map(([n, , ret]) => [Number(n), Number(ret)]);
    const got = printed.map((line) => line.match(/^episode (\d+): (-?[\d.e+-]+)$/)!.slice(1).map(Number));
    assert.equal(got.length, expected.length);
    got.forEach(([n, ret], i) => {
      assert.equal(n, expected[i][0]);
      assert.ok(Math.abs(ret - expected[i][1]) < 1e-4, `episode ${n}: ${ret} against ${expected[i][1]}`);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
