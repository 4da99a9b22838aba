/**
 * The web app's page: reads the choices, drives the training worker, and draws what it reports (the
 * learning curve, an animated episode of the current policy, steps per second). Everything heavy runs in
 * the worker, so the page stays responsive while it trains.
 *
 * @module
 */
/// <reference lib="dom" />
import { DEFAULTS, ENV_RUN_DEFAULTS } from "../src/config/presets.ts";
import { drawFrame } from "./draw.ts";
import type { Frame } from "./frames.ts";
import { drawCurve } from "./plot.ts";
import type { EpisodePoint, EvalPoint, Reply, Request } from "./protocol.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("controls");
const algo = $<HTMLSelectElement>("algo");
const env = $<HTMLSelectElement>("env");
const preset = $<HTMLSelectElement>("preset");
const seed = $<HTMLInputElement>("seed");
const steps = $<HTMLInputElement>("steps");
const startButton = $<HTMLButtonElement>("start");
const pauseButton = $<HTMLButtonElement>("pause");
const stopButton = $<HTMLButtonElement>("stop");
const status = $<HTMLParagraphElement>("status");
const compute = $<HTMLSpanElement>("compute");
const curve = $<HTMLCanvasElement>("curve");
const episodeCanvas = $<HTMLCanvasElement>("episode");
const episodeCaption = $<HTMLElement>("episode-caption");
const policyInput = $<HTMLInputElement>("policy");
const fileButtons = [...document.querySelectorAll<HTMLButtonElement>("button[data-file]")];

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const send = (request: Request) => worker.postMessage(request);

/** What the page shows of the current run. */
const view = {
  running: false,
  paused: false,
  steps: Number(steps.value),
  episodes: [] as EpisodePoint[],
  evals: [] as EvalPoint[],
};

/** A canvas's 2D context scaled to the device's pixels; returns the CSS size it paints in. */
function context(canvas: HTMLCanvasElement): [CanvasRenderingContext2D, number, number] {
  const ratio = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = Math.round((w * Number(canvas.getAttribute("height"))) / Number(canvas.getAttribute("width")));
  if (canvas.width !== Math.round(w * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return [ctx, w, h];
}

let curveQueued = false;
function redrawCurve() {
  if (curveQueued) return;
  curveQueued = true;
  requestAnimationFrame(() => {
    curveQueued = false;
    const [ctx, w, h] = context(curve);
    drawCurve(ctx, w, h, view);
    curve.dataset.episodes = String(view.episodes.length);
    curve.dataset.evals = String(view.evals.length);
  });
}

/** The episode being animated: its frames, seconds per frame, and when it started playing. */
let playing: { frames: readonly Frame[]; dt: number; started: number; step: number } | undefined;
let returns: number[] = [];

function animate(now: number) {
  requestAnimationFrame(animate);
  if (playing === undefined) return;
  // An animation frame's time can precede the moment the episode arrived: clamp to its first frame.
  const elapsed = Math.max(0, now - playing.started) / 1000;
  const i = Math.min(playing.frames.length - 1, Math.floor(elapsed / playing.dt));
  const frame = playing.frames[i];
  const [ctx, w, h] = context(episodeCanvas);
  drawFrame(
    ctx,
    w,
    h,
    frame,
    `step ${i}/${playing.frames.length - 1}   reward ${frame.reward.toFixed(2)}   return ${
      returns[i].toFixed(1)
    }`,
  );
  episodeCanvas.dataset.frame = String(i);
  if (
    i === playing.frames.length - 1 && (now - playing.started) / 1000 > playing.frames.length * playing.dt
  ) {
    playing = undefined;
    send({ type: "next-episode" });
  }
}
requestAnimationFrame(animate);

function setRunning(running: boolean) {
  view.running = running;
  startButton.disabled = running;
  pauseButton.disabled = !running;
  stopButton.disabled = !running;
  for (const control of [algo, env, preset, seed, steps, policyInput]) control.disabled = running;
  pauseButton.textContent = "Pause";
}

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  switch (reply.type) {
    case "started":
      compute.textContent = reply.compute;
      status.textContent = `Training ${reply.config.algo} on ${reply.config.env}, seed ${reply.config.seed}…`;
      send({ type: "next-episode" });
      break;
    case "progress": {
      view.steps = reply.steps;
      view.episodes.push(...reply.episodes);
      view.evals.push(...reply.evals);
      const last = view.evals.at(-1);
      status.textContent =
        `step ${reply.step} / ${reply.steps} · ${Math.round(reply.stepsPerSecond)} steps/s` +
        (last === undefined ? "" : ` · last evaluation ${last.mean.toFixed(1)} ± ${last.std.toFixed(1)}`);
      if (last !== undefined) status.dataset.lastEval = String(last.mean);
      for (const b of fileButtons) b.disabled = false;
      redrawCurve();
      break;
    }
    case "episode":
      returns = [];
      reply.frames.reduce((sum, f) => (returns.push(sum + f.reward), sum + f.reward), 0);
      playing = { frames: reply.frames, dt: reply.dt, started: performance.now(), step: reply.step };
      episodeCaption.textContent = reply.step >= 0
        ? `The policy at step ${reply.step}, deterministic, one episode (return ${
          returns.at(-1)!.toFixed(1)
        }).`
        : `The policy where the run is paused (return ${returns.at(-1)!.toFixed(1)}).`;
      break;
    case "paused":
      view.paused = reply.paused;
      pauseButton.textContent = reply.paused ? "Resume" : "Pause";
      if (reply.paused) status.textContent += " · paused";
      break;
    case "done":
      setRunning(false);
      status.textContent = `${reply.stopped ? "Stopped" : "Finished"} at step ${reply.steps} in ` +
        `${reply.seconds.toFixed(1)} s` +
        (view.evals.length ? ` · last evaluation ${view.evals.at(-1)!.mean.toFixed(1)}` : "");
      status.dataset.done = "true";
      break;
    case "files":
      for (const resolve of fileRequests.splice(0)) resolve(reply.files);
      download(reply.files);
      break;
    case "watching":
      status.textContent = `Watching a ${reply.algo} policy on ${reply.env}: evaluation ${
        reply.mean.toFixed(1)
      } ± ${reply.std.toFixed(1)} over 10 episodes.`;
      for (const b of fileButtons) b.disabled = b.dataset.file !== "policy.safetensors";
      break;
    case "error":
      status.textContent = `Error: ${reply.message}`;
      status.dataset.error = reply.message;
      if (view.running) setRunning(false);
      break;
  }
};

/** Callers of `rl.files()` waiting for the worker's answer. */
const fileRequests: ((files: Readonly<Record<string, Uint8Array | string>>) => void)[] = [];
let wanted: string | undefined;
function download(files: Readonly<Record<string, Uint8Array | string>>) {
  const name = wanted;
  wanted = undefined;
  if (name === undefined) return;
  const contents = files[name];
  if (contents === undefined) {
    status.textContent = `No ${name} yet (it is written at the first checkpoint).`;
    return;
  }
  const blob = new Blob([contents as BlobPart], {
    type: name.endsWith(".csv") ? "text/csv" : "application/octet-stream",
  });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

for (const button of fileButtons) {
  button.addEventListener("click", () => {
    wanted = button.dataset.file;
    send({ type: "files" });
  });
}

env.addEventListener("change", () => {
  steps.value = String(ENV_RUN_DEFAULTS[env.value]?.steps ?? DEFAULTS.steps);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  view.episodes = [];
  view.evals = [];
  view.steps = Number(steps.value);
  delete status.dataset.done;
  delete status.dataset.error;
  redrawCurve();
  setRunning(true);
  send({
    type: "start",
    choice: {
      algo: algo.value,
      env: env.value,
      preset: preset.value,
      seed: Number(seed.value),
      overrides: { steps: Number(steps.value) },
    },
  });
});

pauseButton.addEventListener("click", () => send({ type: view.paused ? "resume" : "pause" }));
stopButton.addEventListener("click", () => send({ type: "stop" }));

policyInput.addEventListener("change", async () => {
  const file = policyInput.files?.[0];
  if (file === undefined) return;
  send({ type: "watch", bytes: new Uint8Array(await file.arrayBuffer()), seed: Number(seed.value) });
});

// Tests and curious users can start a run with any configuration, and read its files, from the console.
(globalThis as { rl?: unknown }).rl = {
  start: (choice: unknown) => send({ type: "start", choice } as Request),
  files: () =>
    new Promise((resolve) => {
      fileRequests.push(resolve);
      send({ type: "files" });
    }),
};
redrawCurve();
