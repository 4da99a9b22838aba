/**
 * XML text escaping shared by the SVG writers (learning curves, animations).
 *
 * @module
 */

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Text safe for XML content and attribute values: markup characters escaped, characters XML 1.0 forbids
 * dropped, lone surrogates replaced.
 *
 * @param text any string
 * @returns the escaped text
 */
export function escapeXml(text: string): string {
  let out = "";
  for (const ch of text.toWellFormed()) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) continue;
    out += ENTITIES[ch] ?? ch;
  }
  return out;
}
