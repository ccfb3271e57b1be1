// What Ink's useInput delivers, decoded into the key names the tables are written in. Keys that
// arrive together come as one input ("rhello", "jj", a held backspace "\x7f\x7f"): `charKey`
// describes one character of such a run as useInput would have described it alone.
import type { Key } from 'ink';

/** Names one useInput call: a character, or the special key. Null for what the tables cannot name. */
export function keyName(input: string, key: Key): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  if (key.delete || key.backspace) return 'backspace';
  if (key.ctrl) return input.length === 1 ? `ctrl-${input}` : null;
  if (key.meta) return null;
  if (input === '\n') return 'enter';
  return [...input].length === 1 ? input : null;
}

/** One key, not a run of characters that arrived together. */
export function isSingleKey(input: string, key: Key): boolean {
  return input === '' || [...input].length <= 1 || key.ctrl || key.meta || key.return || key.escape || key.tab || key.delete || key.backspace;
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a run that arrived together, as useInput would have described it alone. */
export function charKey(ch: string): [string, Key] {
  const code = ch.codePointAt(0)!;
  if (ch === '\r' || ch === '\n') return ['', { ...NO_KEY, return: true }];
  if (ch === '\t') return ['', { ...NO_KEY, tab: true }];
  if (ch === '\x7f' || ch === '\b') return ['', { ...NO_KEY, delete: true }];
  if (code < 0x20) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [ch, { ...NO_KEY, shift: /^[A-Z]$/.test(ch) }];
}
