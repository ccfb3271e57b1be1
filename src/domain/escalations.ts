// What agents must see before emailing a court again: which escalations are still unanswered,
// which are due a chase, and, per court, how many are outstanding and since when.
import type { Enquiry, Escalation } from './enquiry.js';
import type { Language } from './events.js';
import { chaseDueOn, londonDate } from './working-days.js';

/** Working days after which an unanswered escalation is due a chase. */
export const DEFAULT_CHASE_AFTER_WORKING_DAYS = 5;

/** Sent (or queued to be sent) and the court has not answered. Chases count through their original. */
export function isUnanswered(x: Escalation): boolean {
  return !x.chaseOf && (x.status === 'queued' || x.status === 'sent' || x.status === 'chased');
}

/** The latest email of a thread that went out: the original or its newest sent chase. */
function lastSent(x: Escalation, all: readonly Escalation[]): Escalation | null {
  const sent = [x, ...all.filter((c) => c.chaseOf === x.id)].filter((e) => e.sentAt);
  return sent.sort((a, b) => a.sentAt!.localeCompare(b.sentAt!)).at(-1) ?? null;
}

/** When the thread last went to the court: the original or its latest chase. */
export function lastSentAt(x: Escalation, all: readonly Escalation[]): string | null {
  return lastSent(x, all)?.sentAt ?? null;
}

/**
 * The London date a thread becomes due a chase, or null while nothing has been sent. The broker
 * records it when an email goes (its working-day rule is configurable); `days` only serves
 * records from before it did.
 */
export function chaseDueDate(x: Escalation, all: readonly Escalation[], days = DEFAULT_CHASE_AFTER_WORKING_DAYS): string | null {
  const last = lastSent(x, all);
  if (!last) return null;
  return last.chaseDueOn ?? chaseDueOn(last.sentAt!, days);
}

export function isDueForChase(x: Escalation, all: readonly Escalation[], now: Date, days = DEFAULT_CHASE_AFTER_WORKING_DAYS): boolean {
  if (!isUnanswered(x)) return false;
  const due = chaseDueDate(x, all, days);
  return due !== null && londonDate(now) >= due;
}

export interface CourtBacklog {
  courtSlug: string;
  courtName: string;
  unanswered: number;
  /** When the oldest unanswered one was first created. */
  oldestSince: string;
}

/** Unanswered escalation threads per court, most outstanding first. */
export function courtBacklog(enquiries: Iterable<Enquiry>): CourtBacklog[] {
  const byCourt = new Map<string, CourtBacklog>();
  for (const e of enquiries) {
    for (const x of e.escalations) {
      if (!isUnanswered(x)) continue;
      const entry = byCourt.get(x.courtSlug) ?? { courtSlug: x.courtSlug, courtName: x.courtName, unanswered: 0, oldestSince: x.createdAt };
      entry.unanswered += 1;
      if (x.createdAt < entry.oldestSince) entry.oldestSince = x.createdAt;
      byCourt.set(x.courtSlug, entry);
    }
  }
  return [...byCourt.values()].sort((a, b) => b.unanswered - a.unanswered || a.oldestSince.localeCompare(b.oldestSince));
}

/** The fields every template can use, filled from the enquiry, the agent and the court. */
export function standardFields(enquiry: Enquiry, agentName: string, courtName: string, language: Language = 'en'): Record<string, string> {
  const cases = enquiry.caseNumbers.join(', ');
  return {
    customerName: enquiry.name ?? enquiry.from,
    caseNumbers: cases,
    caseReference: caseReference(cases, language),
    channel: enquiry.channel,
    enquiryId: enquiry.id,
    messageSummary: enquiry.messages
      .filter((m) => m.author === 'customer')
      .map((m) => m.text)
      .join('\n\n'),
    agentName,
    courtName,
  };
}

/** A sentence naming the tagged case numbers, or saying there is none yet, in the template's language. */
function caseReference(cases: string, language: Language): string {
  if (language === 'cy') return cases ? `Rhif yr achos: ${cases}.` : "Nid oes rhif achos wedi'i roi eto.";
  return cases ? `Case number: ${cases}.` : 'No case number has been given yet.';
}
