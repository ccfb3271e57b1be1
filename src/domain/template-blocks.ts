// The block structure of a rendered template body, in the small markdown subset of
// docs/templates.md: headings, bullet and numbered lists, insets, rules and paragraphs.
import type { Filled } from './placeholders.js';

// After substitution a line is a list of segments: template text (trusted markdown) and values
// (untrusted, never parsed). Block structure comes from template text alone.
export type Line = Filled[];
export type Block =
  | { kind: 'heading'; level: 1 | 2; content: Line }
  | { kind: 'bullets' | 'numbers'; items: Line[] }
  | { kind: 'inset' | 'paragraph'; lines: Line[] }
  | { kind: 'rule' };

function toLines(segments: readonly Filled[]): Line[] {
  const lines: Line[] = [[]];
  for (const s of segments) {
    if ('val' in s) {
      lines[lines.length - 1]!.push(s);
      continue;
    }
    s.lit.split('\n').forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1]!.push({ lit: part });
    });
  }
  return lines;
}

function leadingText(line: Line): string {
  const first = line[0];
  return first && 'lit' in first ? first.lit : '';
}

function isBlank(line: Line): boolean {
  return line.every((s) => 'lit' in s && s.lit.trim() === '');
}

/** The line without its first `length` characters of template text (a block marker). */
function dropPrefix(line: Line, length: number): Line {
  const first = line[0];
  if (!first || !('lit' in first)) return line;
  const rest = first.lit.slice(length);
  return rest ? [{ lit: rest }, ...line.slice(1)] : line.slice(1);
}

const HEADING = /^(#{1,2})\s+/;
const BULLET = /^\s*[*•-]\s+/;
const NUMBER = /^\s*\d+[.)]\s+/;
const INSET = /^\^\s?/;
const RULE = /^\s*-{3,}\s*$/;
const CONTINUATION = /^\s{2,}\S/;

function linesToBlocks(lines: Line[]): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  for (const line of lines) {
    const head = leadingText(line);
    if (isBlank(line)) {
      open = null;
      continue;
    }
    if (line.length === 1 && RULE.test(head)) {
      blocks.push({ kind: 'rule' });
      open = null;
      continue;
    }
    const heading = HEADING.exec(head);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]!.length === 1 ? 1 : 2, content: dropPrefix(line, heading[0].length) });
      open = null;
      continue;
    }
    const list = BULLET.exec(head) ?? NUMBER.exec(head);
    if (list) {
      const kind = BULLET.test(head) ? 'bullets' : 'numbers';
      if (!open || open.kind !== kind) {
        open = { kind, items: [] };
        blocks.push(open);
      }
      (open as { items: Line[] }).items.push(dropPrefix(line, list[0].length));
      continue;
    }
    const inset = INSET.exec(head);
    if (inset) {
      if (!open || open.kind !== 'inset') {
        open = { kind: 'inset', lines: [] };
        blocks.push(open);
      }
      open.lines.push(dropPrefix(line, inset[0].length));
      continue;
    }
    if (open && (open.kind === 'bullets' || open.kind === 'numbers') && CONTINUATION.test(head)) {
      // An indented line continues the last list item, on a new line within it.
      const last = open.items[open.items.length - 1]!;
      last.push({ lit: '\n' }, ...dropPrefix(line, head.length - head.trimStart().length));
      continue;
    }
    if (!open || open.kind !== 'paragraph') {
      open = { kind: 'paragraph', lines: [] };
      blocks.push(open);
    }
    open.lines.push(line);
  }
  return blocks;
}

/** A substituted body as blocks. Its structure comes from template text alone, never from a value. */
export function toBlocks(body: readonly Filled[]): Block[] {
  return linesToBlocks(toLines(body));
}
