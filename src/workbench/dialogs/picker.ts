// Choosing one item from a short list (canned replies, a tag to remove): a pure reducer and the
// keys that drive it. Digits 1-9 pick directly, so a practised agent needs one key.
import type { Key } from 'ink';

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

/** One character (or named key) of list navigation; null when the key means nothing here. */
export function pickerKey(input: string, key: Key, count: number): PickerKey | null {
  if (key.escape) return { type: 'cancel' };
  if (key.return) return { type: 'choose' };
  if (key.upArrow || input === 'k') return { type: 'move', by: -1 };
  if (key.downArrow || input === 'j' || key.tab) return { type: 'move', by: 1 };
  if (key.home || input === 'g') return { type: 'first' };
  if (key.end || input === 'G') return { type: 'last' };
  if (/^[1-9]$/.test(input) && Number(input) <= count) return { type: 'choose', index: Number(input) - 1 };
  if (input === 'q') return { type: 'cancel' };
  return null;
}
