// Text as a transcript shows it: anyone can write anything in a message, so characters that would
// act instead of show (terminal escapes, carriage returns, bidirectional overrides that reorder
// what a reader sees) are shown as their code, and long lines are wrapped to the page.

/** C0 and C1 controls but tab and newline, DEL, and the bidi embeddings, overrides and isolates. */
const ACTING = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** The text with line ends made `\n`, tabs as spaces, and every acting character shown as `[U+001B]`. */
export function visible(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(ACTING, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/**
 * Wraps `text` (already `visible`) to `width` columns, each line starting with `indent`. A line's
 * own leading spaces carry over to its continuation lines, so bullets and insets stay aligned; a
 * word longer than the line is cut. Columns are counted in code points.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const own = /^ */.exec(line)![0];
    // A line indented past the middle of the page keeps only ours, so it still has room for text.
    const lead = indent + (length(indent) + own.length <= width / 2 ? own : '');
    const room = width - length(lead);
    const words = line.trimStart().split(/ +/).filter((w) => w !== '');
    if (words.length === 0) {
      out.push(indent.trimEnd());
      continue;
    }
    let current = '';
    for (const word of words) {
      for (const piece of pieces(word, room)) {
        if (current === '') current = piece;
        else if (length(current) + 1 + length(piece) <= room) current += ` ${piece}`;
        else {
          out.push(lead + current);
          current = piece;
        }
      }
    }
    out.push(lead + current);
  }
  return out;
}

function pieces(word: string, room: number): string[] {
  const chars = [...word];
  if (chars.length <= room) return [word];
  const result: string[] = [];
  for (let i = 0; i < chars.length; i += room) result.push(chars.slice(i, i + room).join(''));
  return result;
}

function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
