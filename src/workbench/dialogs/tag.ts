// The tag dialog: a case-number field validated as the agent types. Enter adds a valid number;
// on an invalid one it adds nothing and the explanation is made prominent.
import { parseCaseNumber } from '../../domain/case-number.js';
import type { FieldKey, LineState } from './line-editor.js';
import { editLine, lineOf } from './line-editor.js';

export interface TagState {
  line: LineState;
  /** Enter was pressed on a number that cannot be added: show why, prominently. */
  insisted: boolean;
}

export interface TagCheck {
  ok: boolean;
  caseNumber: string | null;
  message: string;
}

export function tagStart(): TagState {
  return { line: lineOf(''), insisted: false };
}

/** What the field holds, in words: the format it matched, or why it is not a case number. */
export function checkTag(text: string, existing: readonly string[]): TagCheck {
  if (text.trim() === '') return { ok: false, caseNumber: null, message: 'Type a case number, like 305JE126, A1QZ1234 or 1712 3456 7890 1238.' };
  const parsed = parseCaseNumber(text);
  if (!parsed.ok) return { ok: false, caseNumber: null, message: parsed.reason };
  if (existing.includes(parsed.caseNumber)) return { ok: false, caseNumber: parsed.caseNumber, message: `${parsed.caseNumber} is already tagged.` };
  return { ok: true, caseNumber: parsed.caseNumber, message: `${parsed.caseNumber}: ${parsed.description}` };
}

export type TagStep = { state: TagState; add?: string; cancel?: true };

export function tagStep(state: TagState, key: FieldKey, existing: readonly string[]): TagStep {
  switch (key.type) {
    case 'submit': {
      const check = checkTag(state.line.text, existing);
      return check.ok && check.caseNumber ? { state, add: check.caseNumber } : { state: { ...state, insisted: true } };
    }
    case 'cancel':
      return { state, cancel: true };
    case 'tab':
    case 'up':
    case 'down':
      return { state };
    default:
      return { state: { line: editLine(state.line, key), insisted: false } };
  }
}
