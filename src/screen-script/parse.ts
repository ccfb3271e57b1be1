// The script language of `courtdesk script`: one step per line, read into steps before anything
// connects, so a typo costs a second, not a broker, a login and a half-played script.
import { KEY_NAMES, keyBytes } from './keys.js';

export type Step = { line: number; source: string } & (
  | { kind: 'press'; keys: { name: string; bytes: string }[] }
  | { kind: 'type'; text: string }
  | { kind: 'wait-for'; text: string; timeoutMs: number | null }
  | { kind: 'expect'; text: string }
  | { kind: 'expect-not'; text: string }
  | { kind: 'expect-line'; row: number; text: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'snapshot'; name: string }
);

export interface ParseProblem {
  line: number;
  message: string;
}

export type ParsedScript = { ok: true; steps: Step[] } | { ok: false; problems: ParseProblem[] };

export interface ParseOptions {
  /** The screen's height: `expect-line` beyond it can never pass. */
  rows?: number;
}

const STEPS = ['press', 'type', 'wait-for', 'expect', 'expect-not', 'expect-line', 'sleep', 'snapshot'] as const;
type Kind = (typeof STEPS)[number];

const USAGE: Record<Kind, string> = {
  press: 'press KEY [KEY...]',
  type: 'type TEXT',
  'wait-for': 'wait-for TEXT [MS]',
  expect: 'expect TEXT',
  'expect-not': 'expect-not TEXT',
  'expect-line': 'expect-line N TEXT',
  sleep: 'sleep MS',
  snapshot: 'snapshot NAME',
};

class Problem extends Error {}

/** Reads a whole script. Every problem is reported, each with its line, so one run finds them all. */
export function parseScript(source: string, options: ParseOptions = {}): ParsedScript {
  const steps: Step[] = [];
  const problems: ParseProblem[] = [];
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    try {
      steps.push(parseStep(text, line, options));
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      problems.push({ line, message: err.message });
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  if (steps.length === 0) return { ok: false, problems: [{ line: 1, message: 'the script has no steps; write one per line, e.g. `wait-for waiting`' }] };
  return { ok: true, steps };
}

function parseStep(source: string, line: number, options: ParseOptions): Step {
  const space = source.search(/\s/);
  const word = space === -1 ? source : source.slice(0, space);
  const rest = space === -1 ? '' : source.slice(space).trim();
  const kind = STEPS.find((s) => s === word.toLowerCase());
  if (!kind) throw new Problem(`unknown step "${word}"; the steps are ${STEPS.join(', ')} (and # for a comment)`);
  const at = { line, source };
  const need = (what: string) => {
    if (rest === '') throw new Problem(`${kind} needs ${what}; write \`${USAGE[kind]}\``);
  };
  switch (kind) {
    case 'press': {
      need('a key');
      const keys = rest.split(/\s+/).map((name) => {
        const bytes = keyBytes(name);
        if (bytes === null) throw new Problem(`unknown key "${name}"; keys are ${KEY_NAMES.join(', ')}`);
        return { name, bytes };
      });
      return { ...at, kind, keys };
    }
    case 'type':
    case 'expect':
    case 'expect-not': {
      need('the text');
      return { ...at, kind, text: wholeText(rest, kind) };
    }
    case 'snapshot': {
      need('a file name');
      return { ...at, kind, name: wholeText(rest, kind) };
    }
    case 'wait-for': {
      need('the text to wait for');
      const { text, after } = leadingText(rest, kind);
      if (after === '') return { ...at, kind, text, timeoutMs: null };
      const ms = milliseconds(after);
      if (ms === null) throw new Problem(`wait-for takes the text, then optionally a timeout in ms; "${after}" after the quoted text is neither`);
      return { ...at, kind, text, timeoutMs: ms };
    }
    case 'expect-line': {
      need('a line number and the text');
      const match = /^(\S+)(?:\s+(.*))?$/.exec(rest)!;
      const row = Number(match[1]);
      if (!/^\d+$/.test(match[1]!) || row < 1) throw new Problem(`expect-line needs a line number from 1 first, not "${match[1]}"; write \`${USAGE[kind]}\``);
      if (options.rows !== undefined && row > options.rows) {
        throw new Problem(`expect-line ${row} is below the screen, which has ${options.rows} lines (--size COLSxROWS makes it taller)`);
      }
      const text = match[2]?.trim() ?? '';
      if (text === '') throw new Problem(`expect-line needs the text after the line number; write \`${USAGE[kind]}\``);
      return { ...at, kind, row, text: wholeText(text, kind) };
    }
    case 'sleep': {
      need('a time in ms');
      const ms = milliseconds(rest);
      if (ms === null) throw new Problem(`sleep takes a whole number of milliseconds, like \`sleep 500\`, not "${rest}"`);
      return { ...at, kind, ms };
    }
  }
}

/** `1500` or `1500ms`. */
function milliseconds(text: string): number | null {
  const match = /^(\d+)(?:ms)?$/i.exec(text);
  if (!match) return null;
  const ms = Number(match[1]);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The whole argument as the text: bare, or one double-quoted JSON string (for spaces at either end, or escapes). */
function wholeText(arg: string, kind: Kind): string {
  const { text, after } = leadingText(arg, kind, false);
  if (after !== '') throw new Problem(`${kind}: nothing may follow the closing quote, but "${after}" does`);
  return text;
}

/**
 * Splits off the text an argument starts with. Quoted text ends at its closing quote; bare text
 * runs to the end of the line, except that with `timeout`, a last word that is a whole number
 * (`wait-for Tagged 305JE126 3000`) is left over as the timeout.
 */
function leadingText(arg: string, kind: Kind, timeout = true): { text: string; after: string } {
  if (arg.startsWith('"')) {
    const end = closingQuote(arg);
    if (end === -1) throw new Problem(`${kind}: the quoted text has no closing quote (write a quote inside it as \\")`);
    let text: unknown;
    try {
      text = JSON.parse(arg.slice(0, end + 1));
    } catch {
      throw new Problem(`${kind}: the quoted text is not a valid JSON string (escapes are \\", \\\\, \\t, \\n, \\uXXXX)`);
    }
    if (text === '') throw new Problem(`${kind}: the quoted text is empty`);
    return { text: text as string, after: arg.slice(end + 1).trim() };
  }
  if (timeout) {
    const match = /^(.*\S)\s+(\d+(?:ms)?)$/i.exec(arg);
    if (match) return { text: match[1]!, after: match[2]! };
  }
  return { text: arg, after: '' };
}

function closingQuote(arg: string): number {
  for (let i = 1; i < arg.length; i++) {
    if (arg[i] === '\\') i++;
    else if (arg[i] === '"') return i;
  }
  return -1;
}
