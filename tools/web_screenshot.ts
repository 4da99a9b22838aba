/**
 * The README's screenshot of the web app mid-training: builds and serves the page, starts TD3 on
 * Pendulum-v1 (the page's defaults) in headless Chromium, and saves `docs/web_app.png` once the run has
 * passed `--at` steps (default 12000) and shown an episode of its policy.
 *
 *     deno run -A tools/web_screenshot.ts [--at 12000] [--out docs/web_app.png]
 *
 * @module
 */
/// <reference lib="dom" />
import { parseArgs } from "node:util";
import { findChromium, serveDist } from "../web/_harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { at: { type: "string" }, out: { type: "string" } },
});
const at = Number(values.at ?? 12000);
const root = new URL("../", import.meta.url);
const out = new URL(values.out ?? "docs/web_app.png", root).pathname;
const chromium = findChromium() ?? "/usr/bin/chromium";
const { default: puppeteer } = await import("puppeteer-core");

const build = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "web/build.ts"],
  cwd: root.pathname,
})
  .output();
if (build.code !== 0) Deno.exit(1);
const server = await serveDist();
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1040, height: 700, deviceScaleFactor: 1 });
  await page.goto(server.url, { waitUntil: "load" });
  await page.click("#start");
  await page.waitForFunction(
    (at: number) =>
      Number(/step (\d+)/.exec(document.getElementById("status")!.textContent ?? "")?.[1]) >= at,
    { timeout: 600_000, polling: 100 },
    at,
  );
  await page.waitForFunction(() => Number(document.getElementById("episode")!.dataset.frame ?? 0) > 60, {
    timeout: 60_000,
  });
  await page.screenshot({ path: out });
  console.log(`${out}: ${await page.$eval("#status", (e) => e.textContent)}`);
} finally {
  await browser.close();
  await server.stop();
}
