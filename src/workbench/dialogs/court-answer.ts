// `A`: record the court's answer to an escalation. With several threads waiting, pick one first;
// then a line editor for what the court said. Pure: the result is the text to record, or a cancel.
import type { FieldKey, LineState } from './line-editor.js';
import { editLine, lineOf } from './line-editor.js';
import type { PickerKey, PickerState } from './picker.js';
import { pick, pickerOf } from './picker.js';

export interface AnswerTarget {
  escalationId: string;
  courtName: string;
  subject: string;
  sentAt: string | null;
}

export interface AnswerState {
  targets: AnswerTarget[];
  picker: PickerState;
  /** Null while the escalation is being picked. */
  line: LineState | null;
  /** Enter was pressed on an empty answer. */
  insisted: boolean;
}

export type AnswerStep = { state: AnswerState; record?: { escalationId: string; text: string }; cancel?: true };

export function answerStart(targets: AnswerTarget[]): AnswerState {
  return { targets, picker: pickerOf(targets.length), line: targets.length === 1 ? lineOf('') : null, insisted: false };
}

export function answerPick(state: AnswerState, key: PickerKey): AnswerStep {
  if (state.line !== null) return { state };
  if (key.type === 'cancel') return { state, cancel: true };
  const picker = pick(state.picker, key);
  if (key.type !== 'choose') return { state: { ...state, picker } };
  return { state: { ...state, picker, line: lineOf('') } };
}

export function answerField(state: AnswerState, key: FieldKey): AnswerStep {
  if (state.line === null) return { state };
  switch (key.type) {
    case 'cancel':
      // Back to the list when there was a choice; out when there was not.
      return state.targets.length > 1 ? { state: { ...state, line: null, insisted: false } } : { state, cancel: true };
    case 'submit': {
      const text = state.line.text.trim();
      if (text === '') return { state: { ...state, insisted: true } };
      return { state, record: { escalationId: state.targets[state.picker.index]!.escalationId, text } };
    }
    case 'tab':
    case 'up':
    case 'down':
      return { state };
    default:
      return { state: { ...state, line: editLine(state.line, key), insisted: false } };
  }
}
