/**
 * A small reader of the import graph of `src/`, and the layer rules it must follow (see `layout_test.ts`).
 * Reading is the only impure part; {@link violations} is a pure function of the graph, so the rules can be
 * tested on synthetic graphs.
 *
 * @module
 */
import { posix } from "node:path";

/** One import of a file: the specifier as written, what it resolves to, and whether it is type-only. */
export interface Edge {
  readonly specifier: string;
  /** A repository-relative path (`src/core/rng.ts`) for files, or a package specifier (`npm:…`, `node:…`). */
  readonly resolved: string;
  readonly typeOnly: boolean;
}

/** Every file's imports, in source order, keyed by repository-relative path. */
export type ImportGraph = Readonly<Record<string, readonly Edge[]>>;

/** What a file does besides importing: whether it uses a `Deno.` API, and whether it calls `Deno.dlopen`. */
export interface FileFacts {
  readonly usesDeno: boolean;
  readonly callsDlopen: boolean;
}

/** The layers (folders of `src/`), in dependency order, each with the other layers it may import. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  engine: ["core", "formats"],
  envs: ["core"],
  replay: ["core"],
  config: ["core"],
  formats: ["core", "replay"],
  report: ["core", "envs", "formats"],
  runtime: ["core", "engine", "envs", "replay", "config", "formats", "report"],
  train: ["core", "engine", "envs", "replay", "config", "formats", "report", "runtime"],
  cli: ["core", "engine", "envs", "replay", "config", "formats", "report", "runtime", "train"],
};

/** Imports a layer may make only with `import type` / `export type`. */
const TYPE_ONLY: Readonly<Record<string, readonly string[]>> = { config: ["core"] };

/** Where the comment that starts at `i` ends, or undefined if none starts there. */
function endOfComment(code: string, i: number): number | undefined {
  if (code.startsWith("//", i)) return code.includes("\n", i) ? code.indexOf("\n", i) : code.length;
  if (code.startsWith("/*", i)) {
    return code.includes("*/", i + 2) ? code.indexOf("*/", i + 2) + 2 : code.length;
  }
  return undefined;
}

/** Whether a `/` after the character `last` (`out` being the text so far) starts a regular expression. */
const regexMayStart = (last: string, out: string): boolean =>
  /[(,=:[!&|?{;+\-*%<>~^]/.test(last) || /\b(return|typeof|case)\s*$/.test(out.slice(-12));

/** Blank out comments (keeping newlines), stepping over string, template and regular-expression literals. */
function stripComments(code: string): string {
  let out = "";
  let last = "("; // the last non-blank character kept, to tell a regular expression from a division
  for (let i = 0; i < code.length;) {
    const c = code[i];
    const commentEnd = endOfComment(code, i);
    if (commentEnd !== undefined) {
      out += code.slice(i, commentEnd).replace(/[^\n]/g, " ");
      i = commentEnd;
      continue;
    }
    const literal = "\"'`".includes(c) || (c === "/" && regexMayStart(last, out));
    const stop = literal ? endOfLiteral(code, i) : i + 1;
    out += code.slice(i, stop);
    if (c.trim() !== "") last = c;
    i = stop;
  }
  return out;
}

/** The index just past the string, template or regular-expression literal that starts at `start`. */
function endOfLiteral(code: string, start: number): number {
  const quote = code[start];
  let inClass = false; // inside `[...]` of a regular expression, where `/` does not end it
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i];
    if (c === "\\") i++;
    else if (c === "\n" && quote !== "`") return i;
    else if (quote === "/" && (c === "[" || c === "]")) inClass = c === "[";
    else if (c === quote && !inClass) return i + 1;
  }
  return code.length;
}

const STATIC = /^[ \t]*(import|export)\s+(type\s+)?([\w$*\s,{}]*?)\s*from\s*(["'])([^"'\n]+)\4/gm;
const SIDE_EFFECT = /^[ \t]*import\s*(["'])([^"'\n]+)\1/gm;
const DYNAMIC = /\bimport\s*\(\s*(["'])([^"'\n]+)\1\s*[,)]/g;
const WORKER = /\bnew\s+URL\s*\(\s*(["'])([^"'\n]+\.[cm]?[jt]sx?)\1\s*,\s*import\.meta\.url\s*\)/g;

/** `import { type A, type B }` names only types, like `import type { A, B }`. */
function namesOnlyTypes(clause: string): boolean {
  const list = /^\{([^}]*)\}$/.exec(clause.trim());
  const names = list ? list[1].split(",").map((name) => name.trim()).filter((name) => name !== "") : [];
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/** The imports of one module's source, in source order (comments are ignored). */
export function parseImports(code: string): { specifier: string; typeOnly: boolean }[] {
  const text = stripComments(code);
  const found: { at: number; specifier: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(STATIC)) {
    found.push({ at: m.index, specifier: m[5], typeOnly: m[2] !== undefined || namesOnlyTypes(m[3]) });
  }
  for (const pattern of [SIDE_EFFECT, DYNAMIC, WORKER]) {
    for (const m of text.matchAll(pattern)) found.push({ at: m.index, specifier: m[2], typeOnly: false });
  }
  return found.sort((a, b) => a.at - b.at).map(({ specifier, typeOnly }) => ({ specifier, typeOnly }));
}

/** Resolve `specifier`, imported by the repository-relative file `from`, through deno.json's import map. */
export function resolveSpecifier(from: string, specifier: string, imports: Record<string, string>): string {
  if (/^\.{1,2}\//.test(specifier)) return posix.normalize(posix.join(posix.dirname(from), specifier));
  if (imports[specifier] !== undefined) return imports[specifier];
  const prefix = Object.keys(imports).filter((key) => key.endsWith("/") && specifier.startsWith(key))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? specifier : imports[prefix] + specifier.slice(prefix.length);
}

/** Read every module under `root`/src into a graph, with the facts the layer rules need. */
export async function readGraph(
  root: string,
): Promise<{ graph: ImportGraph; facts: Record<string, FileFacts> }> {
  const denoJson = JSON.parse(await Deno.readTextFile(posix.join(root, "deno.json")));
  const imports: Record<string, string> = denoJson.imports ?? {};
  const graph: Record<string, Edge[]> = {};
  const facts: Record<string, FileFacts> = {};
  const visit = async (dir: string): Promise<void> => {
    const entries = [];
    for await (const entry of Deno.readDir(posix.join(root, dir))) entries.push(entry);
    for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory) await visit(file);
      if (!entry.isFile || !/\.[cm]?[jt]sx?$/.test(entry.name)) continue;
      const code = await Deno.readTextFile(posix.join(root, file));
      graph[file] = parseImports(code).map(({ specifier, typeOnly }) => ({
        specifier,
        resolved: resolveSpecifier(file, specifier, imports),
        typeOnly,
      }));
      const text = stripComments(code);
      facts[file] = { usesDeno: /\bDeno\.\w/.test(text), callsDlopen: /\bDeno\.dlopen\b/.test(text) };
    }
  };
  await visit("src");
  return { graph, facts };
}

/** The package name of an `npm:` specifier (`npm:/@tensorflow/tfjs@4.22.0/dist` → `@tensorflow/tfjs`). */
function npmPackage(resolved: string): string | undefined {
  const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)/.exec(resolved);
  return m?.[1];
}

const isHeavy = (resolved: string): boolean =>
  npmPackage(resolved)?.startsWith("@tensorflow/") === true || npmPackage(resolved) === "planck";
const isPackage = (resolved: string): boolean => /^(npm|node):/.test(resolved);
const layerOf = (file: string): string | undefined => /^src\/([^/]+)\//.exec(file)?.[1];
const isTest = (file: string): boolean => /_test(ing)?\.[cm]?[jt]sx?$/.test(file);

/** `core may import: core` style, with the type-only layers marked. */
function policy(layer: string): string {
  const marked = ALLOWED[layer].map((to) => TYPE_ONLY[layer]?.includes(to) ? `${to} (import type only)` : to);
  return `${layer} may import: ${[layer, ...marked].join(", ")}`;
}

/** Every file that `start` loads at run time (type-only imports skipped), with the chain that loads it. */
function loadedBy(start: string, graph: ImportGraph): Map<string, string[]> {
  const chains = new Map<string, string[]>([[start, []]]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const edge of graph[file] ?? []) {
      if (edge.typeOnly || chains.has(edge.resolved)) continue;
      chains.set(edge.resolved, [...chains.get(file)!, file]);
      if (!isPackage(edge.resolved)) queue.push(edge.resolved);
    }
  }
  return chains;
}

/** What is wrong with `file` (in layer `from`) importing `edge`, if anything. */
function edgeViolation(file: string, from: string, { resolved, typeOnly }: Edge): string | undefined {
  const to = layerOf(resolved);
  if (isPackage(resolved) || to === from) return undefined;
  if (to === undefined) return `${file} imports ${resolved} (src may import only src/, npm: and node:)`;
  if (!ALLOWED[from].includes(to)) return `${file} imports ${resolved} (${policy(from)})`;
  if (TYPE_ONLY[from]?.includes(to) && !typeOnly) {
    return `${file} imports ${resolved} without "import type" (${policy(from)})`;
  }
  return undefined;
}

/** What config file `file` loads that is heavy: tfjs, planck, or a file calling `Deno.dlopen`. */
function heavyLoads(file: string, graph: ImportGraph, facts: Readonly<Record<string, FileFacts>>): string[] {
  const found: string[] = [];
  for (const [target, chain] of loadedBy(file, graph)) {
    const what = isHeavy(target) ? target : facts[target]?.callsDlopen ? `${target} (calls Deno.dlopen)` : "";
    const through = chain.length > 1 ? ` through ${chain.slice(1).join(" -> ")}` : "";
    if (what !== "") found.push(`${file} loads ${what}${through} (config must load nothing heavy)`);
  }
  return found;
}

/**
 * Whether a file owns tensors or touches the world: it imports tfjs, uses a Deno API, or imports (not only
 * for types) a runtime file that does.
 */
function effectful(
  file: string,
  graph: ImportGraph,
  facts: Readonly<Record<string, FileFacts>>,
  seen = new Set<string>(),
): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  if (facts[file]?.usesDeno) return true;
  return (graph[file] ?? []).some((edge) =>
    !edge.typeOnly && (npmPackage(edge.resolved) === "@tensorflow/tfjs" ||
      (layerOf(edge.resolved) === "runtime" && effectful(edge.resolved, graph, facts, seen)))
  );
}

/**
 * Every way `graph` breaks the layer rules, one line each, in file order: folder-to-folder imports, imports
 * from outside `src/`, config loading something heavy (tfjs, planck, `Deno.dlopen`), pure files in runtime.
 * `facts` tells which files use Deno APIs; a file without facts uses none.
 */
export function violations(graph: ImportGraph, facts: Readonly<Record<string, FileFacts>> = {}): string[] {
  const found: string[] = [];
  for (const file of Object.keys(graph).sort()) {
    const from = layerOf(file);
    if (from === undefined || ALLOWED[from] === undefined) {
      found.push(`${file} is in no layer (layers: ${Object.keys(ALLOWED).join(", ")})`);
      continue;
    }
    found.push(...graph[file].flatMap((edge) => edgeViolation(file, from, edge) ?? []));
    if (from === "config") found.push(...heavyLoads(file, graph, facts));
    if (from === "runtime" && !isTest(file) && !effectful(file, graph, facts)) {
      found.push(`${file} is pure: no @tensorflow/tfjs import, no Deno API (runtime holds no pure file)`);
    }
  }
  return [...new Set(found)];
}
