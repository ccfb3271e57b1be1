// What in an event is a court user's personal content: names, phone numbers and addresses,
// message, reply and note texts, email bodies. The broker writes these fields to the journal
// sealed with a key of the enquiry's own, so destroying the key removes them (retention) without
// touching the hash chain; counts and times stay for statistics.
import type { Enquiry } from './enquiry.js';
import type { CourtdeskEvent, EventType } from './events.js';

/** The personal fields of each event type that has any. */
export const PERSONAL_FIELDS: Partial<Record<EventType, readonly string[]>> = {
  'enquiry.received': ['from', 'name', 'text'],
  'enquiry.message': ['text'],
  'enquiry.replied': ['text'],
  'enquiry.noted': ['text'],
  'escalation.created': ['subject', 'text', 'plain', 'html'],
  'escalation.answered': ['text'],
};

/** What removed content reads as, everywhere (workbench, API, export); `null`: its key is missing. */
export function removedText(on: string | null): string {
  return on === null ? 'cannot be read: its content key is missing' : `removed under the retention policy on ${on}`;
}

/** The event with its personal fields replaced by what removed content reads as. */
export function withContentRemoved<E extends CourtdeskEvent>(event: E, on: string | null): E {
  const fields = PERSONAL_FIELDS[event.type];
  if (!fields) return event;
  const removed: Record<string, unknown> = { ...event };
  for (const field of fields) removed[field] = field === 'name' ? null : removedText(on);
  return removed as E;
}

/** The enquiry as it reads once its personal content is removed: who, what and the emails' words go; the shape stays. */
export function enquiryWithContentRemoved(e: Enquiry, on: string): Enquiry {
  const removed = removedText(on);
  return {
    ...e,
    from: removed,
    name: null,
    preview: removed,
    messages: e.messages.map((m) => ({ ...m, text: removed })),
    escalations: e.escalations.map((x) => ({ ...x, subject: removed, text: removed, html: removed, ...(x.plain !== undefined ? { plain: removed } : {}) })),
    contentRemovedOn: on,
  };
}
