/**
 * What the animated-SVG renderers of episodes share: number formatting, the title, the frame clock (SMIL
 * `discrete` animations with one key time per frame), the document's opening, and the per-frame labels (step,
 * reward, return so far). Pure and byte-deterministic.
 *
 * @module
 */
import { escapeXml } from "./_xml.ts";

/** The typographic minus sign used in labels. */
export const MINUS = "\u2212";
/** Dark text colour. */
export const INK = "#262626";
/** Rough advance width of a bold sans-serif glyph, as a fraction of the font size. */
const BOLD_GLYPH = 0.68;

/**
 * `v` rounded to `decimals`, without trailing zeros and never `-0`: `12.5`, `-3`, `0.0125`.
 *
 * @param v a finite number
 * @param decimals decimals kept at most
 * @returns the text
 */
export function compact(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  const trimmed = s.includes(".") ? s.replace(/\.?0+$/, "") : s;
  return trimmed === "-0" ? "0" : trimmed;
}

/**
 * A coordinate with at most one decimal.
 *
 * @param v a finite number
 * @returns the text
 */
export const px = (v: number): string => compact(v, 1);

/**
 * `v` with exactly `decimals` decimals and a typographic minus sign, never `−0.00`; `sign` adds a `+`.
 *
 * @param v a finite number
 * @param decimals decimals shown
 * @param sign whether positive values get a `+`
 * @returns the label text
 */
export function label(v: number, decimals: number, sign = false): string {
  const s = v.toFixed(decimals);
  const zero = Number(s) === 0;
  if (s.startsWith("-")) return zero ? s.slice(1) : MINUS + s.slice(1);
  return sign && !zero ? `+${s}` : s;
}

/**
 * The visible title: at 15 px when it fits the width, else smaller (down to 10 px), else cut with an ellipsis.
 * Widths are estimated from the character count, as no font metrics are available.
 *
 * @param title the title
 * @param width the drawing's width in pixels
 * @returns the text to show and its font size
 */
export function fitTitle(title: string, width: number): { text: string; size: number } {
  const chars = [...title];
  const room = width - 24;
  const size = Math.max(10, Math.min(15, Math.floor((2 * room) / (chars.length * BOLD_GLYPH)) / 2));
  const maxChars = Math.floor(room / (size * BOLD_GLYPH));
  return { text: chars.length > maxChars ? chars.slice(0, maxChars - 1).join("") + "\u2026" : title, size };
}

/** The timing of an animation of `n` frames of `dt` seconds each. */
export interface FrameClock {
  /** The key time of frame `i`, as text. */
  keyTime(i: number): string;
  /** The timing attributes every animation carries (discrete, looping, `n · dt` seconds). */
  readonly timing: string;
  /** The key times of all frames, `;`-separated. */
  readonly allKeyTimes: string;
  /** An `<animate>` of `attribute` through one value per frame. */
  animate(attribute: string, values: readonly string[]): string;
}

/**
 * The clock of an animation: key times `i/n` with enough decimals that they stay distinct and below 1 after
 * rounding, so that each frame is held for exactly `dt` seconds.
 *
 * @param n frames
 * @param dt seconds per frame
 * @returns the clock
 */
export function frameClock(n: number, dt: number): FrameClock {
  const decimals = Math.max(3, Math.ceil(Math.log10(n)) + 2);
  const keyTime = (i: number) => compact(i / n, decimals);
  const timing = `calcMode="discrete" dur="${compact(n * dt, 6)}s" repeatCount="indefinite"`;
  const allKeyTimes = Array.from({ length: n }, (_, i) => keyTime(i)).join(";");
  const animate = (attribute: string, values: readonly string[]) =>
    `<animate attributeName="${attribute}" values="${
      values.join(";")
    }" keyTimes="${allKeyTimes}" ${timing}/>`;
  return { keyTime, timing, allKeyTimes, animate };
}

/**
 * The document's opening lines: the XML prolog, the `<svg>` root, its `<title>`, a white background and the
 * visible title (when there is one). The caller closes the root.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param title the caption ("" for none)
 * @returns the lines
 */
export function svgOpening(width: number, height: number, title: string): string[] {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">`,
  ];
  if (title !== "") out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title !== "") {
    const shown = fitTitle(title, width);
    out.push(
      `<text class="title" x="${width / 2}" y="28" text-anchor="middle" font-size="${shown.size}" ` +
        `font-weight="bold" fill="#000000">${escapeXml(shown.text)}</text>`,
    );
  }
  return out;
}

/**
 * Running sums of the frames' rewards, checked finite.
 *
 * @param rewards each frame's reward
 * @param who the renderer's name, for the error
 * @returns the return so far at each frame
 * @throws {RangeError} when the sum overflows
 */
export function runningReturns(rewards: readonly number[], who: string): number[] {
  let total = 0;
  return rewards.map((r, i) => {
    total += r;
    if (!Number.isFinite(total)) throw new RangeError(`${who}: the return overflows at frames[${i}]`);
    return total;
  });
}

/**
 * The per-frame labels: one group per frame, visible only during its own frame (frame 0's in the static
 * view), with the step number, the step's reward and the return so far on the row at `y`, plus `extra(i)`.
 *
 * @param rewards each frame's reward
 * @param returns each frame's return so far
 * @param layout width of the drawing and the row's baseline
 * @param clock the animation's clock
 * @param extra more markup for frame `i`'s group
 * @returns the lines of the labels group
 */
export function frameLabels(
  rewards: readonly number[],
  returns: readonly number[],
  layout: { readonly width: number; readonly y: number },
  clock: FrameClock,
  extra: (i: number) => string = () => "",
): string[] {
  const n = rewards.length;
  const { width, y } = layout;
  const out = [`<g class="labels" fill="${INK}">`];
  rewards.forEach((reward, i) => {
    const values = [...(i > 0 ? ["hidden"] : []), "visible", ...(i < n - 1 ? ["hidden"] : [])];
    const times = [...(i > 0 ? [0] : []), i, ...(i < n - 1 ? [i + 1] : [])].map(clock.keyTime);
    out.push(
      `<g class="frame" visibility="${i === 0 ? "visible" : "hidden"}">` +
        `<animate attributeName="visibility" values="${values.join(";")}" keyTimes="${times.join(";")}" ` +
        `${clock.timing}/>` +
        `<text class="step" x="20" y="${y}">step ${i}/${n - 1}</text>` +
        `<text class="reward" x="${width / 2}" y="${y}" text-anchor="middle">reward ${
          label(reward, 2)
        }</text>` +
        `<text class="return" x="${width - 20}" y="${y}" text-anchor="end">return ${
          label(returns[i], 1)
        }</text>` +
        extra(i) +
        "</g>",
    );
  });
  out.push("</g>");
  return out;
}

/** Where and how an action gauge is drawn. */
export interface Gauge {
  /** What it shows (`torque`, `force`): its caption, and the classes `NAME-gauge`, `NAME-bar`, `NAME-value`. */
  readonly name: string;
  /** Width of the drawing in pixels (the gauge is centred in it; its value is right-aligned). */
  readonly width: number;
  /** Half the bar's length in pixels. */
  readonly half: number;
  /** Top of the bar. */
  readonly y: number;
  /** The bound shown at each end, as text. */
  readonly bound: string;
  /** Fill colour of the bar. */
  readonly color: string;
}

/**
 * An action gauge: a bar from −bound to +bound whose fill grows from the centre toward the side of each
 * frame's value.
 *
 * @param gauge where and how it is drawn
 * @param fractions each frame's value as a fraction of the bound, clipped to [−1, 1] here
 * @param clock the animation's clock
 * @returns the lines of the gauge's group
 */
export function gaugeLines(gauge: Gauge, fractions: readonly number[], clock: FrameClock): string[] {
  const { name, half, y, bound, color } = gauge;
  const center = gauge.width / 2;
  const bars = fractions.map((f) => {
    const fraction = Math.max(-1, Math.min(1, f));
    return { x: px(center + Math.min(0, fraction) * half), width: px(Math.abs(fraction) * half) };
  });
  return [
    `<g class="${name}-gauge" font-size="11" fill="#595959">`,
    `<text x="20" y="${y + 9}">${name}</text>`,
    `<rect x="${center - half}" y="${y}" width="${2 * half}" height="12" fill="#f2f2f2" stroke="#bfbfbf"/>`,
    `<rect class="${name}-bar" x="${bars[0].x}" y="${y}" width="${
      bars[0].width
    }" height="12" fill="${color}">`,
    clock.animate("x", bars.map((b) => b.x)),
    clock.animate("width", bars.map((b) => b.width)),
    "</rect>",
    `<line x1="${center}" y1="${y - 3}" x2="${center}" y2="${y + 15}" stroke="${INK}"/>`,
    `<text x="${center - half - 6}" y="${y + 10}" text-anchor="end">${MINUS}${bound}</text>`,
    `<text x="${center + half + 6}" y="${y + 10}">+${bound}</text>`,
    "</g>",
  ];
}

/**
 * The gauge's value for one frame, beside the bar (to go into that frame's label group).
 *
 * @param gauge where the gauge is drawn
 * @param value the frame's value
 * @returns the markup
 */
export function gaugeValue(gauge: Gauge, value: number): string {
  return `<text class="${gauge.name}-value" x="${gauge.width - 20}" y="${gauge.y + 10}" text-anchor="end" ` +
    `font-size="11">${label(value, 2, true)}</text>`;
}

/**
 * Check that the given fields of every frame hold finite numbers.
 *
 * @param who the renderer's name, for the error
 * @param frames the frames
 * @param fields the numeric fields of a frame
 * @throws {RangeError} naming the first non-finite value
 */
export function checkFrames<F>(
  who: string,
  frames: readonly F[],
  fields: readonly (keyof F & string)[],
): void {
  frames.forEach((frame, i) => {
    for (const field of fields) {
      if (!Number.isFinite(frame[field])) {
        throw new RangeError(`${who}: frames[${i}].${field} is ${frame[field]}, expected a finite number`);
      }
    }
  });
}

/**
 * Check the seconds per frame of an animation.
 *
 * @param who the renderer's name, for the error
 * @param dt seconds per frame
 * @throws {RangeError} when `dt` is not a finite number of at least 0.001
 */
export function checkDt(who: string, dt: number): void {
  if (!(Number.isFinite(dt) && dt >= 0.001)) {
    throw new RangeError(`${who}: dt ${dt} is not a finite number of seconds >= 0.001`);
  }
}
