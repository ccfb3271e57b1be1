// Turns the messages of one webhook into journal events: a new enquiry for a sender with nothing
// open, a message on the open one otherwise, and nothing for a message already recorded (providers
// redeliver webhooks, and one payload may even repeat a message).
import type { State } from '../../domain/enquiry.js';
import type { CourtdeskEvent } from '../../domain/events.js';
import { guessLanguage } from '../../domain/language.js';
import type { InboundMessage } from './types.js';

export interface InboundEvents {
  events: CourtdeskEvent[];
  /** Messages skipped because they were already recorded, or repeated in this batch. */
  duplicates: number;
}

export interface IdSource {
  enquiry(): string;
  message(): string;
}

/**
 * The events for `messages`, judged against `state`. Record them in one batch before anything else
 * touches the state: the threading (and the duplicate check) assumes nothing is recorded between.
 */
export function inboundEvents(state: State, messages: readonly InboundMessage[], ids: IdSource): InboundEvents {
  const out: InboundEvents = { events: [], duplicates: 0 };
  const seen = new Set<string>();
  // Senders whose first message in this batch opens an enquiry: their next ones thread onto it.
  const opened = new Map<string, string>();
  for (const m of messages) {
    const key = `${m.channel}\u0000${m.externalId}`;
    if (state.externalIds.has(key) || seen.has(key)) {
      out.duplicates++;
      continue;
    }
    seen.add(key);
    const sender = `${m.channel}\u0000${m.from}`;
    const open = opened.get(sender) ?? state.openBySender.get(sender);
    if (open !== undefined) {
      out.events.push({ type: 'enquiry.message', enquiryId: open, messageId: ids.message(), text: m.text, externalId: m.externalId });
      continue;
    }
    let enquiryId = ids.enquiry();
    while (state.enquiries.has(enquiryId) || [...opened.values()].includes(enquiryId)) enquiryId = ids.enquiry();
    opened.set(sender, enquiryId);
    out.events.push({
      type: 'enquiry.received',
      enquiryId,
      messageId: ids.message(),
      channel: m.channel,
      from: m.from,
      name: m.name,
      text: m.text,
      language: guessLanguage(m.text),
      callbackUrl: null,
      externalId: m.externalId,
    });
  }
  return out;
}
