// A query's answer is checked as it arrives, so the caller gets the type the protocol says, or a
// refusal saying what the broker sent instead: never an answer of the wrong shape.
import { checkAnswer, isAnsweredQuery } from '../protocol/answers.js';
import type { Command, ServerFrame } from '../protocol/frames.js';
import type { CommandOutcome } from './types.js';

export function outcomeOf(command: Command, frame: Extract<ServerFrame, { type: 'ack' }>): CommandOutcome {
  if (!frame.ok) return { ok: false, error: frame.error };
  if (!isAnsweredQuery(command.type)) {
    return { ok: true, seq: frame.seq, ...(frame.enquiry ? { enquiry: frame.enquiry } : {}), ...(frame.data !== undefined ? { data: frame.data } : {}) };
  }
  const checked = checkAnswer(command.type, frame.data);
  if (!checked.ok) {
    return { ok: false, error: { code: 'BAD_SERVER_FRAME', message: `The broker's answer to ${command.type} is not what this courtdesk reads (${checked.problem}): update courtdesk or the broker so they match.` } };
  }
  return { ok: true, seq: frame.seq, data: checked.value };
}
