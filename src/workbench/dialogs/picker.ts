// Choosing one item from a short list (canned replies, a tag to remove): a pure reducer and the
// keys that drive it. Digits 1-9 pick directly, so a practised agent needs one key.
import { DIGITS, digitIndex, type KeyTable } from '../keys/table.js';

export interface PickerState {
  count: number;
  index: number;
}

export type PickerKey = { type: 'move'; by: number } | { type: 'first' } | { type: 'last' } | { type: 'choose'; index?: number } | { type: 'cancel' };

export function pickerOf(count: number): PickerState {
  return { count, index: 0 };
}

export function pick(state: PickerState, action: PickerKey): PickerState {
  if (state.count === 0) return state;
  switch (action.type) {
    case 'move':
      return { ...state, index: Math.min(state.count - 1, Math.max(0, state.index + action.by)) };
    case 'first':
      return { ...state, index: 0 };
    case 'last':
      return { ...state, index: state.count - 1 };
    case 'choose':
      return action.index === undefined ? state : { ...state, index: Math.min(state.count - 1, Math.max(0, action.index)) };
    case 'cancel':
      return state;
  }
}

export interface PickerHints {
  /** The footer's words for Enter (and the digits). */
  choose: string;
  /** The footer's words for Esc. */
  cancel: string;
  /** The help's words for the list's items ("canned reply", "tag to remove"). */
  item: string;
}

/**
 * The keys of a list, as table rows: j/k or the arrows move, g/G the ends, Enter or a digit
 * chooses, Esc or q cancels. `count` is the list's length; `act` turns a picker key into the
 * dialog's own action.
 */
export function pickerRows<S, A>(count: (s: S) => number, act: (k: PickerKey, s: S) => A | null, hints: PickerHints): KeyTable<S, A> {
  return [
    { keys: ['j', 'down', 'tab'], label: 'j/k', hint: 'move', help: 'move down the list (Down too)', act: (s) => act({ type: 'move', by: 1 }, s) },
    { keys: ['k', 'up'], label: 'k', hint: null, help: 'move up the list (Up too)', act: (s) => act({ type: 'move', by: -1 }, s) },
    { keys: ['g', 'home'], label: 'g', hint: null, help: 'the first item (Home too)', act: (s) => act({ type: 'first' }, s) },
    { keys: ['G', 'end'], label: 'G', hint: null, help: 'the last item (End too)', act: (s) => act({ type: 'last' }, s) },
    {
      keys: ['enter', ...DIGITS],
      label: 'Enter or 1-9',
      hint: hints.choose,
      help: `${hints.choose}: the ${hints.item} selected, or the one numbered`,
      act: (s, name) => {
        if (name === 'enter') return act({ type: 'choose' }, s);
        const index = digitIndex(name, count(s));
        return index === null ? null : act({ type: 'choose', index }, s);
      },
    },
    { keys: ['esc', 'q', 'ctrl-c'], label: 'Esc', hint: hints.cancel, help: `${hints.cancel} (q too)`, act: (s) => act({ type: 'cancel' }, s) },
  ];
}
