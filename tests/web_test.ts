/**
 * The web app in a real browser: headless Chromium (Debian's `chromium`, or `$CHROMIUM`) driven by
 * puppeteer-core. The page is built (`web/build.ts`) and served (`web/serve.ts`), TD3 is started from the
 * keyboard on Pendulum-v1 with a short budget, and the test checks that curve points appear, that the
 * animation canvas changes between frames, that the last evaluation passes a threshold, that nothing was
 * logged as an error, and that the run's `episodes.csv` and `evals.csv` are byte for byte those of
 * `deno task train` with the same choices on the same kernels (`TD3SAC_BLAS=off`: the engine's own
 * WebAssembly GEMM, which is what the browser runs). Then a short HalfCheetah-v5 run (MuJoCo's WebAssembly
 * in the page's worker) is animated and compared with the CLI's the same way. A screenshot is left at `web/dist/test-screenshot.png`.
 * Without Chromium the test is skipped, with one line saying so.
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { findChromium, serveDist } from "../web/_harness.ts";

const root = new URL("../", import.meta.url);
const STEPS = 7000;

const chromium = findChromium();

async function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root.pathname,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `deno ${args.join(" ")} failed:\n${text}`);
  return text;
}

if (chromium === undefined) {
  Deno.test({
    name: "web app in Chromium: skipped, no Chromium here (install Debian's chromium or set $CHROMIUM)",
    ignore: true,
    fn() {},
  });
} else {
  Deno.test({
    name:
      "web app in Chromium: TD3 on Pendulum from the keyboard and on HalfCheetah, live curve and animation, the CLI's episodes.csv",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const { default: puppeteer } = await import("puppeteer-core");
      await run(["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "web/build.ts"]);
      const cliDir = await Deno.makeTempDir({ prefix: "web_test_cli_" });
      // The CLI run of the same choices, on the browser's kernels, beside the browser's.
      const cli = run(
        ["task", "-q", "train", "--steps", String(STEPS), "--out", `${cliDir}/run`],
        { TD3SAC_BLAS: "off", NO_COLOR: "1" },
      );
      // And HalfCheetah-v5 for a few updates: MuJoCo's WebAssembly in both, so the same bits again.
      const cheetahFlags = ["--steps", "1500", "--random-steps", "1000", "--learning-starts", "1000"];
      const cheetah = run(
        [
          "task",
          "-q",
          "train",
          "--env",
          "HalfCheetah-v5",
          ...cheetahFlags,
          "--eval-every",
          "1500",
          "--eval-episodes",
          "1",
          "--out",
          `${cliDir}/cheetah`,
        ],
        { TD3SAC_BLAS: "off", NO_COLOR: "1" },
      );
      const server = await serveDist();
      const browser = await puppeteer.launch({
        executablePath: chromium,
        headless: true,
        args: ["--no-sandbox", "--disable-dev-shm-usage"],
      });
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1000, height: 760 });
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(server.url, { waitUntil: "load" });
        assert.equal(await page.title(), "TD3 and SAC, training in your browser");
        // Readable on a phone: at 390 px nothing runs off the side.
        await page.setViewport({ width: 390, height: 844 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 390 px screen`);
        await page.setViewport({ width: 1000, height: 760 });

        // Keyboard only: set the budget, then Tab to Start and press Enter.
        await page.click("#steps", { count: 3 });
        await page.keyboard.type(String(STEPS));
        await page.focus("#steps");
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "start");
        await page.keyboard.press("Enter");

        await page.waitForFunction(
          () => Number(document.getElementById("curve")!.dataset.episodes ?? 0) >= 3,
          {
            timeout: 120_000,
          },
        );
        // Pause holds the run (no progress while paused), Resume continues it.
        await page.click("#pause");
        await page.waitForFunction(() => document.getElementById("status")!.textContent!.endsWith("paused"));
        const held = await page.$eval("#status", (e) => e.textContent);
        await new Promise((r) => setTimeout(r, 600));
        assert.equal(
          await page.$eval("#status", (e) => e.textContent),
          held,
          "a paused run makes no progress",
        );
        assert.equal(await page.$eval("#pause", (e) => e.textContent), "Resume");
        await page.click("#pause");
        await page.waitForFunction(
          (held) => document.getElementById("status")!.textContent !== held,
          {},
          held,
        );
        // The animation plays: two snapshots of its canvas, some frames apart, differ.
        await page.waitForFunction(() => document.getElementById("episode")!.dataset.frame !== undefined, {
          timeout: 60_000,
        });
        const snapshot = () => page.$eval("#episode", (c) => (c as HTMLCanvasElement).toDataURL());
        const first = await snapshot();
        await new Promise((r) => setTimeout(r, 400));
        assert.notEqual(await snapshot(), first, "the animation canvas changes between frames");

        await page.waitForFunction(
          () =>
            document.getElementById("status")!.dataset.done === "true" ||
            document.getElementById("status")!.dataset.error !== undefined,
          { timeout: 240_000 },
        );
        const status = await page.$eval(
          "#status",
          (e) => ({
            error: (e as HTMLElement).dataset.error,
            lastEval: (e as HTMLElement).dataset.lastEval,
            text: e.textContent,
          }),
        );
        assert.equal(status.error, undefined, status.text ?? "");
        assert.match(status.text ?? "", new RegExp(`Finished at step ${STEPS}`));
        const evals = await page.$eval("#curve", (e) => Number((e as HTMLElement).dataset.evals));
        assert.equal(evals, 2, "evaluations at 5000 and at the end");
        const last = Number(status.lastEval);
        assert.ok(last > -400, `the last evaluation ${last} passes −400 (random policies score about −1200)`);
        assert.match(
          await page.$eval("#compute", (e) => e.textContent ?? ""),
          /fused engine, matrix products by wasm-simd/,
        );
        await page.screenshot({ path: new URL("web/dist/test-screenshot.png", root).pathname });

        const files = await page.evaluate(async () => {
          const all = await (globalThis as unknown as { rl: { files(): Promise<Record<string, unknown>> } })
            .rl.files();
          return { episodes: all["episodes.csv"], evals: all["evals.csv"] };
        }) as { episodes: string; evals: string };
        await cli;
        assert.equal(files.episodes, await Deno.readTextFile(`${cliDir}/run/episodes.csv`), "episodes.csv");
        assert.equal(files.evals, await Deno.readTextFile(`${cliDir}/run/evals.csv`), "evals.csv");
        assert.deepEqual(errors, [], "no console errors");

        // The page's download button gives the same file.
        const downloads = `${cliDir}/downloads`;
        await Deno.mkdir(downloads);
        const cdp = await page.createCDPSession();
        await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
        await page.click('button[data-file="episodes.csv"]');
        let downloaded: string | undefined;
        for (let i = 0; i < 100 && downloaded === undefined; i++) {
          await new Promise((r) => setTimeout(r, 100));
          downloaded = await Deno.readTextFile(`${downloads}/episodes.csv`).catch(() => undefined);
        }
        assert.equal(downloaded, files.episodes, "the downloaded episodes.csv");

        // The CLI's policy file, loaded to watch: evaluated on the run's evaluation keys (seed 0, 10
        // episodes), it scores what the CLI's last evaluation scored.
        const input = await page.$("#policy");
        await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(
          `${cliDir}/run/policy.safetensors`,
        );
        await page.waitForFunction(
          () => document.getElementById("status")!.textContent!.startsWith("Watching"),
          {
            timeout: 60_000,
          },
        );
        const watching = await page.$eval("#status", (e) => e.textContent ?? "");
        const cliLast = (await Deno.readTextFile(`${cliDir}/run/evals.csv`)).trim().split("\n").at(-1)!.split(
          ",",
        );
        assert.match(
          watching,
          new RegExp(`Watching a td3 policy on Pendulum-v1: evaluation ${Number(cliLast[1]).toFixed(1)} `),
        );

        // A MuJoCo task, started from the console with the CLI's flags as overrides.
        await page.evaluate(() => {
          (globalThis as unknown as { rl: { start(c: unknown): void } }).rl.start({
            algo: "td3",
            env: "HalfCheetah-v5",
            overrides: {
              steps: 1500,
              randomSteps: 1000,
              learningStarts: 1000,
              evalEvery: 1500,
              evalEpisodes: 1,
            },
          });
        });
        await page.waitForFunction(
          () =>
            document.getElementById("status")!.textContent!.includes("Finished at step 1500") ||
            document.getElementById("status")!.dataset.error !== undefined,
          { timeout: 240_000 },
        );
        const cheetahFiles = await page.evaluate(async () => {
          const all = await (globalThis as unknown as { rl: { files(): Promise<Record<string, unknown>> } })
            .rl.files();
          return { episodes: all["episodes.csv"], evals: all["evals.csv"] };
        }) as { episodes: string; evals: string };
        await page.waitForFunction(() => Number(document.getElementById("episode")!.dataset.frame ?? 0) > 5, {
          timeout: 60_000,
        });
        const cheetahShot = await snapshot();
        await new Promise((r) => setTimeout(r, 400));
        assert.notEqual(await snapshot(), cheetahShot, "the cheetah's animation changes between frames");
        await cheetah;
        assert.equal(
          cheetahFiles.episodes,
          await Deno.readTextFile(`${cliDir}/cheetah/episodes.csv`),
          "HalfCheetah episodes.csv",
        );
        assert.equal(
          cheetahFiles.evals,
          await Deno.readTextFile(`${cliDir}/cheetah/evals.csv`),
          "HalfCheetah evals.csv",
        );
        assert.deepEqual(errors, [], "no console errors");
      } finally {
        await browser.close();
        await server.stop();
        await Deno.remove(cliDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
