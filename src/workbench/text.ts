// Text as the terminal will show it. Citizen-written text reaches the screen, so control characters
// and escape sequences are removed before anything is measured or drawn: an "\x1b[2J" in a
// WhatsApp message must not clear the agent's screen. Widths count terminal cells, so a name in
// Chinese or with an emoji does not push a row past the edge.

// Whole ANSI escape sequences (CSI, OSC, and two-byte escapes), then stray C0/C1 control bytes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/** One line of printable text: escapes dropped, any whitespace run (newlines, tabs) made one space. */
export function cleanLine(text: string): string {
  return text.replace(ESCAPES, '').replace(/\s+/g, ' ').replace(CONTROLS, '').trim();
}

/** Printable text that keeps its line breaks (for wrapping conversations). */
export function cleanText(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, '');
}

/** Terminal cells one code point takes: 0 for combining marks and joiners, 2 for wide (CJK, emoji). */
export function codePointWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (
    (cp >= 0x300 && cp <= 0x36f) || // combining diacritics
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space, joiners, marks
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors
    (cp >= 0x1f3fb && cp <= 0x1f3ff) // skin-tone modifiers
  ) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

/** Cuts `text` to at most `width` cells, ending with `ellipsis` when something was cut. */
export function truncate(text: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  const room = width - textWidth(ellipsis);
  if (room <= 0) return ellipsis.slice(0, width);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0)!);
    if (used + w > room) break;
    out += ch;
    used += w;
  }
  return out + ellipsis;
}

/** Pads with spaces (or cuts) to exactly `width` cells. */
export function fit(text: string, width: number, ellipsis = '…'): string {
  const cut = truncate(text, width, ellipsis);
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - textWidth(text))) + text;
}

/**
 * Breaks text into lines of at most `width` cells (`restWidth` after the first line), at spaces
 * where it can and mid-word where a word is longer than a line. Keeps the text's own line breaks.
 */
export function wrap(text: string, width: number, restWidth = width): string[] {
  if (width <= 0 || restWidth <= 0) return [];
  const lines: string[] = [];
  const limit = () => (lines.length === 0 ? width : restWidth);
  for (const paragraph of cleanText(text).split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/ +/)) {
      if (word === '') continue;
      let rest = word;
      let restCells = textWidth(rest);
      if (lineWidth > 0 && lineWidth + 1 + restCells <= limit()) {
        line += ` ${rest}`;
        lineWidth += 1 + restCells;
        continue;
      }
      if (lineWidth > 0) {
        lines.push(line);
        line = '';
        lineWidth = 0;
      }
      while (restCells > limit()) {
        const head = sliceWidth(rest, limit());
        lines.push(head);
        rest = rest.slice(head.length);
        restCells = textWidth(rest);
      }
      line = rest;
      lineWidth = restCells;
    }
    lines.push(line);
  }
  return lines;
}

/** The longest start of `text` that fits in `width` cells (at least one character, so loops advance). */
function sliceWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0)!);
    if (used + w > width && out !== '') break;
    out += ch;
    used += w;
  }
  return out;
}
