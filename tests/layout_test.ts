/**
 * The import direction of `src/`: each folder is a layer and may import only the layers below it (the table
 * is in `_import_graph.ts`); config loads nothing heavy; runtime holds no pure file; nothing outside cli
 * imports cli, and nothing in src imports tests/, bench/ or examples/.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { EnvSpec } from "../src/envs/env.ts";
import {
  type Edge,
  type ImportGraph,
  parseImports,
  readGraph,
  resolveSpecifier,
  violations,
} from "./_import_graph.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

Deno.test("src/ imports follow the layer rules", async () => {
  const { graph, facts } = await readGraph(root);
  const edges = Object.values(graph).flat();
  // The reader does see the tree: files, type-only and tfjs imports, the FFI file.
  assert.ok(Object.keys(graph).length > 50, "src/ has its modules");
  assert.ok(edges.some((edge) => edge.typeOnly) && edges.some((edge) => !edge.typeOnly));
  assert.ok(edges.some((edge) => edge.resolved.startsWith("npm:@tensorflow/tfjs@")));
  assert.ok(Object.values(facts).some((fact) => fact.callsDlopen), "some file calls Deno.dlopen");
  const found = violations(graph, facts);
  assert.deepEqual(found, [], `layer violations:\n${found.join("\n")}`);
});

Deno.test("the import reader reads every import form, and no import in a comment", () => {
  const source = [
    '/** Example: import { fake } from "./in_jsdoc.ts"; */',
    'import * as tf from "@tensorflow/tfjs";',
    'import type { A } from "./a.ts";',
    "import {",
    "  type B,",
    "  type C,",
    '} from "./b.ts";',
    'import { type D, e } from "./d.ts";',
    'export { f } from "./f.ts";',
    'export type { G } from "./g.ts";',
    'export * from "./h.ts";',
    'import "./side_effect.ts";',
    'const quotes = /["\']/; // await import("./in_comment.ts");',
    'const s = "// not a comment"; await import("./lazy.ts");',
    'const folder = new URL("..", import.meta.url);',
    'new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });',
    'import data from "./data.json" with { type: "json" };',
  ].join("\n");
  const value = (specifier: string) => ({ specifier, typeOnly: false });
  const type = (specifier: string) => ({ specifier, typeOnly: true });
  assert.deepEqual(parseImports(source), [
    value("@tensorflow/tfjs"),
    type("./a.ts"),
    type("./b.ts"),
    value("./d.ts"),
    value("./f.ts"),
    type("./g.ts"),
    value("./h.ts"),
    value("./side_effect.ts"),
    value("./lazy.ts"),
    value("./worker.ts"),
    value("./data.json"),
  ]);
});

Deno.test("specifiers resolve against the importing file and through deno.json's import map", () => {
  const imports = { "@tensorflow/tfjs": "npm:@tensorflow/tfjs@4.22.0", "fp-ts/": "npm:/fp-ts@2.16.11/" };
  const resolve = (specifier: string) => resolveSpecifier("src/core/agents/td3.ts", specifier, imports);
  assert.equal(resolve("./agent.ts"), "src/core/agents/agent.ts");
  assert.equal(resolve("../../runtime/memory.ts"), "src/runtime/memory.ts");
  assert.equal(resolve("../../../tests/_train_cli.ts"), "tests/_train_cli.ts");
  assert.equal(resolve("@tensorflow/tfjs"), "npm:@tensorflow/tfjs@4.22.0");
  assert.equal(resolve("fp-ts/lib/Either.js"), "npm:/fp-ts@2.16.11/lib/Either.js");
  assert.equal(resolve("node:path"), "node:path");
});

Deno.test("violations() names every forbidden import, one line each", () => {
  const to = (resolved: string, typeOnly = false): Edge => ({ specifier: resolved, resolved, typeOnly });
  const tfjs: Edge = {
    specifier: "@tensorflow/tfjs",
    resolved: "npm:@tensorflow/tfjs@4.22.0",
    typeOnly: false,
  };
  const graph: ImportGraph = {
    "src/core/a.ts": [to("src/core/t.ts"), to("src/runtime/b.ts"), to("npm:planck@1.5.0")],
    "src/core/t.ts": [tfjs, to("node:path")],
    "src/envs/e.ts": [to("src/core/t.ts", true), to("src/report/r.ts", true)],
    "src/config/c.ts": [to("src/core/t.ts")],
    "src/config/d.ts": [to("src/core/t.ts", true), to("src/config/c.ts")],
    "src/config/g.ts": [to("src/runtime/ffi.ts")],
    "src/report/r.ts": [
      to("src/envs/e.ts"),
      to("src/cli/x.ts"),
      to("tests/_train_cli.ts"),
      to("jsr:@std/path"),
    ],
    "src/runtime/b.ts": [to("src/core/t.ts"), { ...tfjs, typeOnly: true }],
    "src/runtime/b_test.ts": [to("src/runtime/b.ts")],
    "src/runtime/io.ts": [],
    "src/runtime/ffi.ts": [],
    "src/runtime/tensors.ts": [tfjs],
    "src/lib/z.ts": [],
  };
  const facts = {
    "src/runtime/io.ts": { usesDeno: true, callsDlopen: false },
    "src/runtime/ffi.ts": { usesDeno: true, callsDlopen: true },
  };
  const config = "config may import: config, core (import type only)";
  assert.deepEqual(violations(graph, facts), [
    `src/config/c.ts imports src/core/t.ts without "import type" (${config})`,
    "src/config/c.ts loads npm:@tensorflow/tfjs@4.22.0 through src/core/t.ts (config must load nothing heavy)",
    "src/config/d.ts loads npm:@tensorflow/tfjs@4.22.0 through src/config/c.ts -> src/core/t.ts " +
    "(config must load nothing heavy)",
    `src/config/g.ts imports src/runtime/ffi.ts (${config})`,
    "src/config/g.ts loads src/runtime/ffi.ts (calls Deno.dlopen) (config must load nothing heavy)",
    "src/core/a.ts imports src/runtime/b.ts (core may import: core)",
    "src/envs/e.ts imports src/report/r.ts (envs may import: envs, core)",
    "src/lib/z.ts is in no layer (layers: core, engine, envs, replay, config, formats, report, runtime, train, cli)",
    "src/report/r.ts imports src/cli/x.ts (report may import: report, core, envs, formats)",
    "src/report/r.ts imports tests/_train_cli.ts (src may import only src/, npm: and node:)",
    "src/report/r.ts imports jsr:@std/path (src may import only src/, npm: and node:)",
    "src/runtime/b.ts is pure: no @tensorflow/tfjs import, no Deno API (runtime holds no pure file)",
  ]);
  const clean = { "src/core/t.ts": [tfjs], "src/config/c.ts": [to("src/core/t.ts", true)] };
  assert.deepEqual(violations(clean), []);
});

Deno.test("the pure loop step loads no Deno API, so a Web Worker can run it", async () => {
  const { graph, facts } = await readGraph(root);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !(file in graph)) return;
    seen.add(file);
    for (const edge of graph[file]) if (!edge.typeOnly) visit(edge.resolved);
  };
  visit("src/train/loop.ts");
  assert.ok(seen.size > 10, "the closure of loop.ts holds the agents, envs and rng");
  const impure = [...seen].filter((file) => facts[file]?.usesDeno);
  assert.deepEqual(impure, [], `loop.ts loads files that use Deno APIs: ${impure.join(", ")}`);
});

/** An environment's spec fields alone. */
const pick = (e: EnvSpec): EnvSpec => ({
  id: e.id,
  observationSize: e.observationSize,
  actionSize: e.actionSize,
  actionLow: e.actionLow,
  actionHigh: e.actionHigh,
  maxEpisodeSteps: e.maxEpisodeSteps,
});

Deno.test("config's list of env ids names exactly what envs/ can open", async () => {
  const config = await import("../src/config/env_ids.ts");
  const envs = await import("../src/envs/open_env.ts");
  const registry = await import("../src/envs/registry.ts");
  assert.deepEqual(config.ALL_ENV_IDS, envs.ALL_ENV_IDS);
  assert.deepEqual(config.ENGINE_ENV_IDS, envs.ENGINE_ENV_IDS);
  assert.deepEqual(config.PURE_ENV_IDS, [...registry.ENV_IDS]);
  assert.deepEqual(config.MUJOCO_ENV_IDS, envs.MUJOCO_ENV_IDS);
  for (const id of config.ALL_ENV_IDS) {
    await envs.prepareEnv(id);
    assert.equal(envs.openEnv(id).id, id);
    assert.deepEqual(pick(envs.envSpec(id)), pick(envs.openEnv(id)), id);
  }
});
