/**
 * Serve the built web app (`web/dist/`, from `deno task web:build`) on localhost, with the cross-origin
 * isolation headers that SharedArrayBuffer and WebAssembly threads need.
 *
 *     deno task web [--port 8000]
 *
 * @module
 */
import { parseArgs } from "node:util";

const USAGE = "usage: deno task web [--port N]";
let values: { port?: string };
try {
  ({ values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } }));
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : e}; ${USAGE}`);
  Deno.exit(2);
}
const port = Number(values.port ?? 8000); // 0: any free port (the line printed says which)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --port must be an integer in [0, 65535], got ${values.port}`);
  Deno.exit(2);
}
const dist = new URL("./dist/", import.meta.url);
try {
  await Deno.stat(new URL("index.html", dist));
} catch {
  console.error("error: web/dist/index.html is missing: run `deno task web:build` first");
  Deno.exit(1);
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  wasm: "application/wasm",
  svg: "image/svg+xml",
  png: "image/png",
};

/**
 * The response to a request for `pathname`: a file of `web/dist/`, with cross-origin isolation headers.
 *
 * @param pathname the request's path
 * @returns the file, or 404
 */
export async function respond(pathname: string): Promise<Response> {
  const headers = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-cache",
  };
  const name = pathname === "/" ? "index.html" : decodeURIComponent(pathname.slice(1));
  if (name.includes("..") || name.includes("/") || name.startsWith(".")) {
    return new Response("not found\n", { status: 404, headers });
  }
  try {
    const body = await Deno.readFile(new URL(name, dist));
    const type = TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
    return new Response(body, { headers: { ...headers, "content-type": type } });
  } catch {
    return new Response("not found\n", { status: 404, headers });
  }
}

try {
  Deno.serve({
    port,
    hostname: "127.0.0.1",
    onListen: ({ port }) => console.log(`serving web/dist at http://127.0.0.1:${port}/`),
  }, (request) => respond(new URL(request.url).pathname));
} catch (e) {
  const why = e instanceof Deno.errors.AddrInUse
    ? `port ${port} is in use (--port N for another)`
    : String(e);
  console.error(`error: cannot serve on 127.0.0.1:${port}: ${why}`);
  Deno.exit(1);
}
