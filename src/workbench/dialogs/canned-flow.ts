// Tab in the reply editor: pick a canned reply in the enquiry's language, then answer for each
// placeholder the enquiry and agent cannot fill, one field at a time. Pure: the result is the
// filled text, or a cancel that returns to the reply untouched.
import { parseCaseNumber } from '../../domain/case-number.js';
import type { Language } from '../../domain/events.js';
import { fieldKey, fillPlaceholders, missingValues } from '../../domain/placeholders.js';
import type { CannedReply } from '../canned.js';
import { CANNED_REPLIES } from '../canned.js';
import type { FieldKey, LineState } from './line-editor.js';
import { editLine, lineOf } from './line-editor.js';
import type { PickerKey, PickerState } from './picker.js';
import { pick, pickerOf } from './picker.js';

export type CannedFlow =
  | { stage: 'pick'; language: Language; replies: readonly CannedReply[]; picker: PickerState }
  | { stage: 'ask'; template: string; values: Record<string, string>; missing: string[]; line: LineState; insisted: boolean; problem?: string };

export type CannedStep = { flow: CannedFlow; text?: string; cancel?: true };

export function cannedStart(language: Language): CannedFlow {
  const replies = CANNED_REPLIES[language];
  return { stage: 'pick', language, replies, picker: pickerOf(replies.length) };
}

export function cannedPick(flow: CannedFlow, key: PickerKey, known: Record<string, string>): CannedStep {
  if (flow.stage !== 'pick') return { flow };
  if (key.type === 'cancel') return { flow, cancel: true };
  const picker = pick(flow.picker, key);
  if (key.type !== 'choose') return { flow: { ...flow, picker } };
  const template = flow.replies[picker.index]!.text;
  return next(template, { ...known });
}

export function cannedAsk(flow: CannedFlow, key: FieldKey): CannedStep {
  if (flow.stage !== 'ask') return { flow };
  switch (key.type) {
    case 'cancel':
      return { flow, cancel: true };
    case 'submit': {
      const value = flow.line.text.trim();
      // An empty answer would send "Hello , ..."; ask again instead.
      if (value === '') return { flow: { ...flow, insisted: true } };
      const key = fieldKey(flow.missing[0]!);
      // A case number goes through the same check the tag dialog makes: a reply must not tell a
      // court user about a case number the broker would refuse to tag.
      if (key === 'casenumber') {
        const parsed = parseCaseNumber(value);
        if (!parsed.ok) return { flow: { ...flow, insisted: true, problem: parsed.reason } };
        return next(flow.template, { ...flow.values, [key]: parsed.caseNumber });
      }
      return next(flow.template, { ...flow.values, [key]: value });
    }
    case 'tab':
    case 'up':
    case 'down':
      return { flow };
    default:
      return { flow: { ...flow, line: editLine(flow.line, key), insisted: false, problem: undefined } };
  }
}

function next(template: string, values: Record<string, string>): CannedStep {
  const missing = missingValues(template, values);
  if (missing.length === 0) return { flow: { stage: 'ask', template, values, missing, line: lineOf(''), insisted: false }, text: fillPlaceholders(template, values) };
  return { flow: { stage: 'ask', template, values, missing, line: lineOf(''), insisted: false } };
}
