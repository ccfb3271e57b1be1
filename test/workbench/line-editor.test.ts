import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { editLineAll, fieldKeys, lineOf, type FieldKey, type LineAction, type LineState } from '../../src/workbench/dialogs/line-editor.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};
const key = (k: Partial<Key> = {}): Key => ({ ...NO_KEY, ...k });

/** Applies inputs as Ink's useInput would deliver them; returns the state and any non-edit keys. */
function type(state: LineState, ...inputs: [string, Partial<Key>?][]): { state: LineState; commands: string[] } {
  const commands: string[] = [];
  for (const [input, k] of inputs) {
    const keys = fieldKeys(input, key(k));
    const edits = keys.filter((f): f is LineAction => !['submit', 'cancel', 'tab', 'up', 'down'].includes(f.type));
    commands.push(...keys.filter((f: FieldKey) => ['submit', 'cancel', 'tab', 'up', 'down'].includes(f.type)).map((f) => f.type));
    state = editLineAll(state, edits);
  }
  return { state, commands };
}

describe('line editor', () => {
  it('inserts keys that arrive together as text, not as one odd key', () => {
    expect(type(lineOf(''), ['jj']).state).toEqual({ text: 'jj', cursor: 2 });
  });

  it('treats a held backspace arriving as "\\x7f\\x7f" as two backspaces', () => {
    expect(type(lineOf('hello'), ['\x7f\x7f']).state.text).toBe('hel');
    expect(type(lineOf('hello'), ['lo\x7f\x7f\x7f']).state.text).toBe('hell');
  });

  it('handles a single backspace reported as key.delete', () => {
    expect(type(lineOf('abc'), ['', { delete: true }]).state.text).toBe('ab');
  });

  it('Ctrl-U deletes to the start, Ctrl-W deletes the previous word', () => {
    expect(type(lineOf('hello big world'), ['w', { ctrl: true }]).state.text).toBe('hello big ');
    expect(type(lineOf('hello big world  '), ['w', { ctrl: true }]).state.text).toBe('hello big ');
    const moved = type(lineOf('hello world'), ['', { leftArrow: true }], ['', { leftArrow: true }], ['u', { ctrl: true }]);
    expect(moved.state).toEqual({ text: 'ld', cursor: 0 });
  });

  it('Home and End move the cursor; typing inserts at the cursor', () => {
    const { state } = type(lineOf('world'), ['', { home: true }], ['hello ']);
    expect(state).toEqual({ text: 'hello world', cursor: 6 });
    expect(type(state, ['', { end: true }], ['!']).state.text).toBe('hello world!');
  });

  it('joins a paste with line breaks into one line', () => {
    expect(type(lineOf(''), ['Dear court,\r\nI am writing\rabout my case']).state.text).toBe('Dear court, I am writing about my case');
  });

  it('Enter submits, Esc cancels, Tab asks for canned replies; none of them edit', () => {
    const { state, commands } = type(lineOf('hi'), ['\r', { return: true }], ['', { escape: true, meta: true }], ['\t', { tab: true }]);
    expect(state.text).toBe('hi');
    expect(commands).toEqual(['submit', 'cancel', 'tab']);
  });

  it('never leaves half of a surrogate pair', () => {
    expect(type(lineOf('ok👍'), ['', { delete: true }]).state).toEqual({ text: 'ok', cursor: 2 });
  });

  it('drops stray control bytes', () => {
    expect(type(lineOf(''), ['a\x00b\x9bc']).state.text).toBe('abc');
  });
});
