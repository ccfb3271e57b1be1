// A single-line editor as a pure reducer, plus the translation from what Ink's useInput delivers to
// editing actions. ink-text-input inserts whatever bytes arrive, and Ink hands over keys that
// arrive together as one input: "jj", a held backspace "\x7f\x7f", a paste "line one\rline two".
// So a multi-character input is read character by character here. A paste's line breaks (and
// tabs) become single spaces: replies go out as one line, and an Enter inside pasted text must
// not send half a message.
import type { Key } from 'ink';
import { keyName } from '../keys/decode.js';

export interface LineState {
  text: string;
  /** Cursor position as an index into `text` (between code units, never inside a surrogate pair). */
  cursor: number;
}

export type LineAction =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'deleteForward' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'home' }
  | { type: 'end' }
  /** Ctrl-U: delete from the start of the line to the cursor. */
  | { type: 'killToStart' }
  /** Ctrl-K: delete from the cursor to the end. */
  | { type: 'killToEnd' }
  /** Ctrl-W: delete the word before the cursor (and the spaces after it). */
  | { type: 'killWord' }
  | { type: 'set'; text: string };

/** What a key means in a text field: an edit, or one of the field's own commands. */
export type FieldKey = LineAction | { type: 'submit' } | { type: 'cancel' } | { type: 'tab' } | { type: 'up' } | { type: 'down' };

export function lineOf(text: string): LineState {
  return { text, cursor: text.length };
}

export function editLine(state: LineState, action: LineAction): LineState {
  const { text, cursor } = state;
  switch (action.type) {
    case 'insert': {
      if (action.text === '') return state;
      return { text: text.slice(0, cursor) + action.text + text.slice(cursor), cursor: cursor + action.text.length };
    }
    case 'backspace': {
      if (cursor === 0) return state;
      const from = previousIndex(text, cursor);
      return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
    }
    case 'deleteForward': {
      if (cursor >= text.length) return state;
      return { text: text.slice(0, cursor) + text.slice(nextIndex(text, cursor)), cursor };
    }
    case 'left':
      return cursor === 0 ? state : { text, cursor: previousIndex(text, cursor) };
    case 'right':
      return cursor >= text.length ? state : { text, cursor: nextIndex(text, cursor) };
    case 'home':
      return { text, cursor: 0 };
    case 'end':
      return { text, cursor: text.length };
    case 'killToStart':
      return { text: text.slice(cursor), cursor: 0 };
    case 'killToEnd':
      return { text: text.slice(0, cursor), cursor };
    case 'killWord': {
      let from = cursor;
      while (from > 0 && text[from - 1] === ' ') from--;
      while (from > 0 && text[from - 1] !== ' ') from--;
      return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
    }
    case 'set':
      return lineOf(action.text);
  }
}

export function editLineAll(state: LineState, actions: readonly LineAction[]): LineState {
  return actions.reduce(editLine, state);
}

/** The editing keys of every text field; the docs' table of them is generated from here. */
export const EDITING_KEYS: readonly { keys: readonly string[]; label: string; help: string; action: LineAction }[] = [
  { keys: ['left', 'ctrl-b'], label: '← ^B', help: 'cursor left', action: { type: 'left' } },
  { keys: ['right', 'ctrl-f'], label: '→ ^F', help: 'cursor right', action: { type: 'right' } },
  { keys: ['home', 'ctrl-a'], label: 'Home ^A', help: 'to the start of the line', action: { type: 'home' } },
  { keys: ['end', 'ctrl-e'], label: 'End ^E', help: 'to the end of the line', action: { type: 'end' } },
  // Ink reports the Backspace key (DEL, 0x7f) as `delete`, and the Delete key the same way; the
  // common wish for both in a one-line field is to remove the character before the cursor.
  { keys: ['backspace', 'ctrl-h'], label: 'Backspace ^H', help: 'delete the character before the cursor', action: { type: 'backspace' } },
  { keys: ['ctrl-d'], label: '^D', help: 'delete the character under the cursor', action: { type: 'deleteForward' } },
  { keys: ['ctrl-w'], label: '^W', help: 'delete the word before the cursor', action: { type: 'killWord' } },
  { keys: ['ctrl-u'], label: '^U', help: 'delete from the start of the line to the cursor', action: { type: 'killToStart' } },
  { keys: ['ctrl-k'], label: '^K', help: 'delete from the cursor to the end of the line', action: { type: 'killToEnd' } },
];

/** The edit a key name means in a text field, if any. */
export function editingAction(name: string): LineAction | null {
  return EDITING_KEYS.find((k) => k.keys.includes(name))?.action ?? null;
}

/** Reads one useInput call as field keys. */
export function fieldKeys(input: string, key: Key): FieldKey[] {
  if (key.return) return [{ type: 'submit' }];
  if (key.escape) return [{ type: 'cancel' }];
  if (key.tab) return [{ type: 'tab' }];
  if (key.upArrow) return [{ type: 'up' }];
  if (key.downArrow) return [{ type: 'down' }];
  const name = keyName(input, key);
  const edit = name === null ? null : editingAction(name);
  if (edit) return [edit];
  if (key.ctrl && input.length === 1) return [];
  if (key.meta && input.length <= 1) return [];
  // A lone newline (some terminals send LF for Enter) is Enter; inside a longer input it is pasted text.
  if (input === '\n') return [{ type: 'submit' }];
  return batchKeys(input);
}

/** A run of characters that arrived together: printable text, held backspace, control keys. */
export function batchKeys(input: string): FieldKey[] {
  const out: FieldKey[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') out.push({ type: 'insert', text });
    text = '';
  };
  for (const ch of input) {
    const code = ch.codePointAt(0)!;
    if (ch === '\x7f' || ch === '\b') {
      flush();
      out.push({ type: 'backspace' });
    } else if (ch === '\r' || ch === '\n' || ch === '\t') {
      // Pasted line breaks become one space; "\r\n" must not become two.
      if (!text.endsWith(' ')) text += ' ';
    } else if (code < 0x20) {
      const action = editingAction(`ctrl-${String.fromCharCode(code + 96)}`);
      if (action) {
        flush();
        out.push(action);
      }
    } else if (code >= 0x80 && code < 0xa0) {
      // C1 control bytes are never text.
    } else {
      text += ch;
    }
  }
  flush();
  return out;
}

function previousIndex(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  return index >= 2 && low >= 0xdc00 && low <= 0xdfff ? index - 2 : index - 1;
}

function nextIndex(text: string, index: number): number {
  const high = text.charCodeAt(index);
  return high >= 0xd800 && high <= 0xdbff ? index + 2 : index + 1;
}

/** The part of a long field that fits in `width` cells, around the cursor: text before it, the character under it, text after. */
export function visibleField(state: LineState, width: number): { before: string; at: string; after: string } {
  const chars = [...state.text];
  const cursor = [...state.text.slice(0, state.cursor)].length;
  const room = Math.max(1, width - 1);
  // Keep the cursor in view with a little of the text before it.
  const start = Math.max(0, Math.min(cursor - Math.floor(room * 0.75), chars.length - room));
  const from = Math.max(0, Math.min(start, cursor));
  const visible = chars.slice(from, from + room + 1);
  const at = cursor - from;
  return {
    before: visible.slice(0, at).join(''),
    at: visible[at] ?? ' ',
    after: visible.slice(at + 1, room).join(''),
  };
}
