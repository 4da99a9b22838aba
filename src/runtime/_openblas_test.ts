import assert from "node:assert/strict";
import { openBlasCoreName, openBlasLibrary } from "./_openblas.ts";

/** The environment as the test process got it, before any test loaded the library (which may change it). */
const startEnv = Deno.env.toObject();

Deno.test("openBlasCoreName names the loaded kernels (skipped without OpenBLAS)", () => {
  const library = openBlasLibrary({ openblas_set_num_threads: { parameters: ["i32"], result: "void" } });
  if (library === undefined) {
    console.log("OpenBLAS is not installed: skipped");
    return;
  }
  assert.match(openBlasCoreName() ?? "", /^[A-Za-z0-9]+$/);
  const wanted = Deno.env.get("OPENBLAS_CORETYPE");
  if (wanted !== undefined) assert.equal(openBlasCoreName()!.toLowerCase(), wanted.toLowerCase());
  library.close();
});

Deno.test("the same kernels under deno task's permissions as under --allow-all (skipped without OpenBLAS)", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  const module = new URL("./_openblas.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { openBlasCoreName, openBlasLibrary } from "${module}";\n` +
      `const l = openBlasLibrary({ openblas_set_num_threads: { parameters: ["i32"], result: "void" } });\n` +
      `console.log(l === undefined ? "none" : openBlasCoreName());\n`,
  );
  const kernels = async (permissions: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...permissions, script],
      env: startEnv,
      clearEnv: true,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  try {
    // The flags of `deno task train` (deno.json), and all of them.
    const task = await kernels([
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-ffi",
    ]);
    const all = await kernels(["--allow-all"]);
    assert.equal(task, all);
  } finally {
    await Deno.remove(script);
  }
});
