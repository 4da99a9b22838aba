import assert from "node:assert/strict";
import { coreTypeFor, openBlasCoreName, openBlasLibrary } from "./_openblas.ts";

const cpuinfo = (vendor: string, flags: string) =>
  `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: 26\nflags\t\t: ${flags}\n\nprocessor\t: 1\n`;
const AVX512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl";

Deno.test("coreTypeFor: SkylakeX kernels for an AMD processor with AVX-512, and only when the user set none", () => {
  assert.equal(coreTypeFor(cpuinfo("AuthenticAMD", AVX512), undefined), "SkylakeX");
  assert.equal(coreTypeFor(cpuinfo("AuthenticAMD", AVX512), "Haswell"), undefined, "the user's choice stays");
  assert.equal(coreTypeFor(cpuinfo("AuthenticAMD", "fpu sse2 avx avx2 fma"), undefined), undefined, "Zen 3");
  assert.equal(
    coreTypeFor(cpuinfo("AuthenticAMD", AVX512.replace(" avx512vl", "")), undefined),
    undefined,
    "every AVX-512 subset the kernels use is needed",
  );
  assert.equal(coreTypeFor(cpuinfo("GenuineIntel", AVX512), undefined), undefined, "OpenBLAS knows Intel's");
  assert.equal(coreTypeFor("", undefined), undefined);
});

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
