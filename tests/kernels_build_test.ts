import assert from "node:assert/strict";

Deno.test("gemm.wasm is what tools/build_kernels.ts builds from assembly/gemm.ts (byte for byte)", async () => {
  const out = await Deno.makeTempFile({ suffix: ".wasm" });
  try {
    const build = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        new URL("../tools/build_kernels.ts", import.meta.url).pathname,
        "--out",
        out,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stderr } = await build.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const rebuilt = await Deno.readFile(out);
    const committed = await Deno.readFile(new URL("../src/engine/kernels/gemm.wasm", import.meta.url));
    assert.equal(rebuilt.byteLength, committed.byteLength);
    assert(
      rebuilt.every((x, i) => x === committed[i]),
      "the rebuilt gemm.wasm differs from the committed one",
    );
  } finally {
    await Deno.remove(out);
  }
});
