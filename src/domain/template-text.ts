// A rendered template as text: the markdown version GOV.UK Notify formats, and the plain part of
// an email, which nothing formats.
import type { Block, Line } from './template-blocks.js';

// The text version is written in the same markdown subset, so it reads naturally as plain text and
// GOV.UK Notify (which applies markdown to it) formats it as intended. Values are backslash-escaped
// wherever markdown, Notify's `^` inset or a placeholder could otherwise start.

const LINE_START_MARKUP = /^(\s*)([#>^+]|[*-](?=\s|$)|\d+(?=[.)](?:\s|$)))/;
const RULE_LIKE = /^\s*([-*_=])(?:\s*\1){2,}\s*$/;

/** Escapes a value for the text version; `atLineStart` when nothing but spaces precede it on its line. */
export function escapeTextValue(value: string, atLineStart: boolean): string {
  return value
    .split('\n')
    .map((line, i) => {
      let out = line.replace(/[[\]]/g, '\\$&').replace(/(?<=\()\(/g, '\\(');
      if (i === 0 && !atLineStart) return out;
      if (RULE_LIKE.test(out)) return `\\${out}`;
      out = out.replace(LINE_START_MARKUP, (_m, space: string, mark: string) =>
        /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
      );
      return out;
    })
    .join('\n');
}

function lineText(line: Line): string {
  let out = '';
  for (const s of line) {
    if ('lit' in s) out += s.lit;
    else out += escapeTextValue(s.val, out.slice(out.lastIndexOf('\n') + 1).trim() === '');
  }
  return out;
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

export function blocksToText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading':
          return `${b.level === 1 ? '#' : '##'} ${lineText(b.content).replace(/\n/g, ' ')}`;
        case 'bullets':
          return b.items.map((item) => `* ${indentContinuation(lineText(item), '  ')}`).join('\n');
        case 'numbers':
          return b.items.map((item, i) => `${i + 1}. ${indentContinuation(lineText(item), '   ')}`).join('\n');
        case 'inset':
          return b.lines.map((l) => `^ ${lineText(l).replace(/\n/g, '\n^ ')}`).join('\n');
        case 'rule':
          return '---';
        case 'paragraph':
          return b.lines.map(lineText).join('\n');
      }
    })
    .join('\n\n');
}

/**
 * The plain text part of an email, as a clerk's mail program shows it: no markup and no escapes,
 * since nothing formats it. Headings are underlined, insets indented, bullets drawn.
 */
export function blocksToPlain(blocks: Block[]): string {
  const plainLine = (line: Line) => line.map((s) => ('lit' in s ? s.lit : s.val)).join('');
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading': {
          const title = plainLine(b.content).replace(/\n/g, ' ');
          return `${title}\n${(b.level === 1 ? '=' : '-').repeat(Math.min(title.length, 72))}`;
        }
        case 'bullets':
          return b.items.map((item) => `  • ${indentContinuation(plainLine(item), '    ')}`).join('\n');
        case 'numbers':
          return b.items.map((item, i) => `  ${i + 1}. ${indentContinuation(plainLine(item), '     ')}`).join('\n');
        case 'inset':
          return b.lines.map((l) => `    ${plainLine(l).replace(/\n/g, '\n    ')}`).join('\n');
        case 'rule':
          return '-'.repeat(40);
        case 'paragraph':
          return b.lines.map(plainLine).join('\n');
      }
    })
    .join('\n\n');
}
