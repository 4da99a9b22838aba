import assert from "node:assert/strict";
import { KERNEL_MODULES } from "../tools/build_kernels.ts";

const KERNELS = new URL("../src/engine/kernels/", import.meta.url);

Deno.test("the committed kernels are what tools/build_kernels.ts builds from assembly/ (byte for byte)", async () => {
  const out = await Deno.makeTempDir();
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
    const files = KERNEL_MODULES.flatMap((k) => [k.wasm, ...(k.base64 === undefined ? [] : [k.base64.file])]);
    assert.deepEqual(files, ["gemm.wasm", "elementwise.wasm", "_elementwise_wasm.ts"]);
    for (const file of files) {
      const rebuilt = await Deno.readFile(`${out}/${file}`);
      const committed = await Deno.readFile(new URL(file, KERNELS));
      assert.equal(rebuilt.byteLength, committed.byteLength, file);
      assert(
        rebuilt.every((x, i) => x === committed[i]),
        `the rebuilt ${file} differs from the committed one`,
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
