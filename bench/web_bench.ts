/**
 * The web app's targets, measured in headless Chromium (Debian's `chromium`, or `$CHROMIUM`): the page's
 * first paint from a local server, TD3 on Pendulum-v1 with RLtools' settings (64-64, batch 100, 100 random
 * warm-up steps, Adam 1e-3, 20000 steps) in the page's worker against the same run of `deno task train`
 * (OpenBLAS where it loads, and the engine's own WebAssembly GEMM, which is what the browser runs), and how
 * responsive the page stays while training (the longest gap between animation frames). Skips with one line
 * when there is no Chromium.
 *
 *     deno run -A bench/web_bench.ts
 *
 * @module
 */
/// <reference lib="dom" />
import { findChromium, serveDist } from "../web/_harness.ts";

const root = new URL("../", import.meta.url);
const chromium = findChromium();
if (chromium === undefined) {
  console.log("web bench skipped: no Chromium here (install Debian's chromium or set $CHROMIUM)");
  Deno.exit(0);
}
const { default: puppeteer } = await import("puppeteer-core");

const overrides = {
  hidden: [64, 64],
  batchSize: 100,
  randomSteps: 100,
  learningStarts: 100,
  actorLr: 1e-3,
  criticLr: 1e-3,
  steps: 20000,
};
const flags = [
  "--algo=td3",
  "--hidden=64,64",
  "--batch-size=100",
  "--random-steps=100",
  "--learning-starts=100",
  "--lr=0.001",
  "--steps=20000",
];

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root.pathname,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (out.code !== 0) throw new Error(`deno ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** Wall seconds of the whole `deno task train` process, and its final evaluation. */
async function cli(env: Record<string, string>): Promise<{ seconds: number; final: string }> {
  const dir = await Deno.makeTempDir();
  const start = performance.now();
  const text = await deno(["run", "-A", "src/cli/train.ts", ...flags, `--out=${dir}/run`], env);
  const seconds = (performance.now() - start) / 1000;
  await Deno.remove(dir, { recursive: true });
  return { seconds, final: /final eval (\S+ ± [^;\s]+)/.exec(text)?.[1] ?? "?" };
}

await deno(["run", "-A", "web/build.ts"]);
const server = await serveDist();
const url = server.url;

const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.goto(url, { waitUntil: "load" });
const paint = await page.evaluate(() =>
  new Promise<number>((resolve) => {
    // The buffered entries of the paint timeline: first-contentful-paint, from navigation start.
    new PerformanceObserver((list) => {
      const fcp = list.getEntries().find((e) => e.name === "first-contentful-paint");
      if (fcp !== undefined) resolve(fcp.startTime);
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => resolve(NaN), 3000);
  })
);
const loaded = await page.evaluate(() => {
  const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  return nav?.loadEventEnd ?? NaN;
});
// Animation-frame gaps while training: how long the page's thread was ever busy.
await page.evaluate(() => {
  const w = globalThis as unknown as { gaps: number[] };
  w.gaps = [];
  let last = performance.now();
  const tick = (now: number) => {
    w.gaps.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
await page.evaluate((o) => (globalThis as unknown as { rl: { start(c: unknown): void } }).rl.start(o), {
  algo: "td3",
  env: "Pendulum-v1",
  overrides,
});
await page.waitForFunction(() => document.getElementById("status")!.dataset.done === "true", {
  timeout: 600_000,
});
const result = await page.evaluate(() => {
  const gaps = (globalThis as unknown as { gaps: number[] }).gaps.slice(1).sort((a, b) => a - b);
  return {
    status: document.getElementById("status")!.textContent ?? "",
    compute: document.getElementById("compute")!.textContent ?? "",
    maxGap: gaps.at(-1) ?? NaN,
    p99Gap: gaps[Math.floor(gaps.length * 0.99)] ?? NaN,
  };
});
await browser.close();
await server.stop();

const browserSeconds = Number(/in ([\d.]+) s/.exec(result.status)?.[1]);
const blas = await cli({});
const wasm = await cli({ TD3SAC_BLAS: "off" });
const version = (await new Deno.Command(chromium, { args: ["--version"], stdout: "piped" }).output()).stdout;
console.log(`${new TextDecoder().decode(version).trim()}; ${new Date().toISOString()}`);
console.log(`first contentful paint: ${paint.toFixed(0)} ms; load event done: ${loaded.toFixed(0)} ms`);
console.log("| TD3, Pendulum-v1, RLtools' settings, 20000 steps | wall s | browser / this |");
console.log("| --- | ---: | ---: |");
console.log(`| headless Chromium, page worker (${result.compute}) | ${browserSeconds.toFixed(1)} | 1.00× |`);
console.log(
  `| \`deno task train\`, OpenBLAS (final eval ${blas.final}) | ${blas.seconds.toFixed(1)} | ${
    (browserSeconds / blas.seconds).toFixed(2)
  }× |`,
);
console.log(
  `| \`TD3SAC_BLAS=off deno task train\`, WebAssembly GEMM (final eval ${wasm.final}) | ${
    wasm.seconds.toFixed(1)
  } | ${(browserSeconds / wasm.seconds).toFixed(2)}× |`,
);
console.log(
  `page thread while training: longest frame gap ${result.maxGap.toFixed(0)} ms, 99th percentile ${
    result.p99Gap.toFixed(0)
  } ms`,
);
console.log(result.status);
