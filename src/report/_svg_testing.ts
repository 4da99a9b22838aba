/**
 * Checks for the tests of the SVG writers: a well-formedness check of the XML we write, and readers of
 * attributes, tags and per-frame label groups. Test support only; not part of the library.
 *
 * @module
 */
import assert from "node:assert/strict";

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NAME = String.raw`[A-Za-z_][\w.:-]*`;
const QUOTED = String.raw`"(?:[^"<&]|&(?:amp|lt|gt|quot|apos);)*"`;
const TAG_RE = new RegExp(String.raw`^<(/?)(${NAME})((?:\s+${NAME}=${QUOTED})*)\s*(/?)>$`);
const CONTENT_RE = /^(?:[^<>&]|&(?:amp|lt|gt|quot|apos);)*$/;

/**
 * Checks that `svg` is well-formed XML of the shape we write: an XML prolog, one `<svg>` root with the SVG
 * namespace, tags closed in the order they were opened, attributes quoted and unique, text properly escaped.
 *
 * @param svg the document
 */
export function assertWellFormed(svg: string): void {
  assert.ok(svg.startsWith(PROLOG), "no XML prolog");
  const body = svg.slice(PROLOG.length);
  const open: string[] = [];
  let roots = 0;
  let end = 0;
  for (const m of body.matchAll(/<[^<>]*>/g)) {
    const between = body.slice(end, m.index);
    assert.match(between, CONTENT_RE, `unescaped text ${JSON.stringify(between)}`);
    if (open.length === 0) {
      assert.equal(between.trim(), "", `text outside the root: ${JSON.stringify(between)}`);
    }
    end = m.index + m[0].length;
    const tag = TAG_RE.exec(m[0]);
    assert.ok(tag, `malformed tag ${m[0]}`);
    const [, close, name, attributes, selfClose] = tag;
    const names = [...attributes.matchAll(new RegExp(`(${NAME})=`, "g"))].map((a) => a[1]);
    assert.equal(new Set(names).size, names.length, `repeated attribute in ${m[0]}`);
    if (close === "/") {
      assert.equal(attributes + selfClose, "", `closing tag with attributes: ${m[0]}`);
      assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
      continue;
    }
    if (open.length === 0) {
      roots++;
      assert.equal(name, "svg", "root is not <svg>");
      assert.match(
        attributes,
        /\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
        "root without the SVG namespace",
      );
    }
    if (selfClose !== "/") open.push(name);
  }
  assert.equal(body.slice(end).trim(), "", "text after the root");
  assert.deepEqual(open, [], "elements left open");
  assert.equal(roots, 1, "more than one root");
}

/**
 * The value of attribute `name` in the first tag of `tag`.
 *
 * @param tag markup starting with the tag
 * @param name the attribute
 * @returns its value
 */
export function attr(tag: string, name: string): string {
  const m = new RegExp(String.raw`\s${name}="([^"]*)"`).exec(tag);
  assert.ok(m, `no ${name} in ${tag}`);
  return m[1];
}

/**
 * The first opening tag of `element` (e.g. `"animateTransform"`) that appears after `marker`.
 *
 * @param svg the document
 * @param marker text to search from
 * @param element the tag name
 * @returns the tag
 */
export function tagAfter(svg: string, marker: string, element: string): string {
  const at = svg.indexOf(marker);
  assert.ok(at >= 0, `no ${marker}`);
  const m = new RegExp(`<${element}\\s[^>]*>`).exec(svg.slice(at + marker.length));
  assert.ok(m, `no <${element}> after ${marker}`);
  return m[0];
}

/**
 * A `;`-separated list of numbers.
 *
 * @param list the text
 * @returns the numbers
 */
export const numbers = (list: string): number[] => list.split(";").map(Number);

/**
 * Readable label text back to a number: typographic minus to ASCII.
 *
 * @param text the label
 * @returns the number
 */
export const parseLabel = (text: string): number => Number(text.replace("\u2212", "-"));

/**
 * The per-frame label groups, in document order.
 *
 * @param svg the document
 * @returns the groups' markup
 */
export function frameGroups(svg: string): string[] {
  return [...svg.matchAll(/<g class="frame"[^>]*>.*?<\/g>/g)].map((m) => m[0]);
}

/**
 * The text of the `<text>` of class `cls` in a group.
 *
 * @param group markup
 * @param cls the class
 * @returns its text
 */
export function textOf(group: string, cls: string): string {
  const m = new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`).exec(group);
  assert.ok(m, `no ${cls} text in ${group}`);
  return m[1];
}
