// What each timeline entry says, in words, once for every layout: the text and HTML renderers lay
// these out and differ only in how. An entry of a type this release does not know is still shown,
// as "TYPE by ACTOR", never dropped: a transcript must not be silently shorter than the journal.
import { parseCaseNumber } from '../../domain/case-number.js';
import type { TimelineEntry, Transcript, TranscriptEnquiry } from '../../domain/transcript.js';

export interface EmailShown {
  to: string;
  courtName: string;
  subject: string;
  template: string;
  language: string;
  text: string;
  html: string;
}

export interface Described {
  headline: string;
  /** What was written: a message, a reply, a note, a court's answer. */
  text?: string;
  /** The language `text` is in, when it is the customer's conversation. */
  textLanguage?: string;
  /** An internal note: never sent to the customer. */
  internal?: boolean;
  email?: EmailShown;
}

export const INTERNAL_NOTE = 'Internal note — not sent to the customer';

const CHANNELS: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS', web: 'web form', email: 'email', api: 'API' };
const LANGUAGES: Record<string, string> = { en: 'English', cy: 'Welsh' };

export function channelName(channel: string): string {
  return Object.hasOwn(CHANNELS, channel) ? CHANNELS[channel]! : channel;
}

export function languageName(language: string): string {
  return Object.hasOwn(LANGUAGES, language) ? LANGUAGES[language]! : language;
}

/** "Dee Jones <dee@example.org>", or the address alone. */
export function customer(e: Pick<TranscriptEnquiry, 'name' | 'from'>): string {
  return e.name ? `${e.name} <${e.from}>` : e.from;
}

/** "alice (agent)" */
export function actorName(entry: TimelineEntry): string {
  return `${entry.actor.name} (${entry.actor.kind})`;
}

/** What the transcript is of: "Case 305JE126" or "Enquiry E7K2M9QXA". */
export function title(t: Transcript): string {
  return t.case !== undefined ? `Case ${t.case}` : `Enquiry ${t.enquiry}`;
}

/** One sentence on what is in it. */
export function summary(t: Transcript): string {
  if (t.case === undefined) return 'One enquiry, with everything the journal holds about it.';
  const n = t.enquiries.length;
  const untagged = t.enquiries.filter((e) => e.stillTagged === false).length;
  const since = untagged === 0 ? '' : `, ${untagged === n && n === 1 ? 'since' : `${untagged} of them since`} untagged`;
  return `${n === 1 ? 'One enquiry' : `${n} enquiries`} tagged with case ${t.case}${since}, with everything the journal holds about ${n === 1 ? 'it' : 'them'}.`;
}

const STATUS: Record<string, string> = { waiting: 'waiting for a reply', 'awaiting-customer': 'replied to, awaiting the customer', closed: 'closed' };

/** "closed", "waiting for a reply, held by alice": where the enquiry stood when the transcript was made. */
export function standing(e: TranscriptEnquiry): string {
  const status = Object.hasOwn(STATUS, e.status) ? STATUS[e.status]! : e.status;
  return `${status}${e.claimedBy ? `, held by ${e.claimedBy}` : ''} (when exported)`;
}

export function untaggedNote(caseNumber: string): string {
  return `This enquiry is no longer tagged ${caseNumber}: it was tagged and later untagged (see below), and is included because it was once tagged with it.`;
}

/** How to check the transcript against the journal, in one paragraph. */
export function sourceSentence(s: Transcript['source']): string {
  return (
    `Drawn from the courtdesk journal: the records shown are from seq ${s.firstSeq} to seq ${s.lastSeq}. ` +
    `When this was exported the journal's last record was seq ${s.headSeq}, with the hash below. Each record's hash covers the record ` +
    `before it, so a journal whose record ${s.headSeq} has this hash holds these records exactly as they are shown.`
  );
}

type Describe = (entry: TimelineEntry, enquiry: TranscriptEnquiry, bySeq: ReadonlyMap<number, TimelineEntry>) => Described;

const DESCRIBE: Record<string, Describe> = {
  'enquiry.received': (x, e) => ({
    headline: `${customer(e)} wrote in by ${channelName(field(x, 'channel'))}, in ${languageName(field(x, 'language'))}`,
    text: field(x, 'text'),
    textLanguage: e.language,
  }),
  'enquiry.message': (x, e) => ({ headline: `${customer(e)} wrote again`, text: field(x, 'text'), textLanguage: e.language }),
  'enquiry.replied': (x, e) => ({ headline: `Reply to the customer by ${field(x, 'agent')}`, text: field(x, 'text'), textLanguage: e.language }),
  'enquiry.noted': (x) => ({ headline: `Note by ${field(x, 'agent')}`, text: field(x, 'text'), internal: true }),
  'enquiry.tagged': (x) => {
    const parsed = parseCaseNumber(field(x, 'caseNumber'));
    return { headline: `Tagged with case ${field(x, 'caseNumber')}${parsed.ok ? ` (${parsed.description})` : ''}` };
  },
  'enquiry.untagged': (x) => ({ headline: `Case ${field(x, 'caseNumber')} untagged` }),
  'enquiry.claimed': (x) => ({ headline: `Claimed by ${field(x, 'agent')}` }),
  'enquiry.released': (x) => ({ headline: x.actor.name === field(x, 'agent') ? `Released by ${field(x, 'agent')}` : `Released from ${field(x, 'agent')} by ${x.actor.name}` }),
  'enquiry.transferred': (x) => ({ headline: `Transferred from ${field(x, 'fromAgent') || 'nobody'} to ${field(x, 'toAgent')}` }),
  'enquiry.returned': (x) => ({
    headline: `Returned to the queue from ${field(x, 'agent')}: ${field(x, 'reason') === 'away' ? 'away' : 'disconnected'} since ${field(x, 'since')}, longer than the broker allows`,
  }),
  'enquiry.acknowledged': (x, e) => ({
    headline: `Acknowledged automatically: number ${field(x, 'position')} in the queue, ${x.estimatedWaitSeconds === null ? 'no estimate (no agent available)' : `estimated wait ${Math.round(Number(x.estimatedWaitSeconds) / 60)} min`}`,
    text: field(x, 'text'),
    textLanguage: e.language,
  }),
  'enquiry.marked-urgent': (x) => ({ headline: `Marked urgent by ${field(x, 'agent')}: ${field(x, 'reason')}` }),
  'enquiry.closed': (x) => ({ headline: `Closed by ${x.actor.name}` }),
  'enquiry.reopened': (x) => ({ headline: `Reopened by ${x.actor.name}` }),
  'reply.delivery': (x) => ({
    headline: `Reply${seqRef(x.replySeq)} ${deliveryWords(field(x, 'state'))}, attempt ${field(x, 'attempts')}${because(x)}`,
  }),
  'escalation.created': (x) => ({
    headline: field(x, 'chaseOf') ? `Chase emailed to ${field(x, 'courtName')} (escalation ${field(x, 'escalationId')}, chasing ${field(x, 'chaseOf')})` : `Escalated by email to ${field(x, 'courtName')} (escalation ${field(x, 'escalationId')})`,
    email: {
      to: field(x, 'to'),
      courtName: field(x, 'courtName'),
      subject: field(x, 'subject'),
      template: field(x, 'template'),
      language: field(x, 'language'),
      text: field(x, 'text'),
      html: field(x, 'html'),
    },
  }),
  'escalation.delivery': (x, _e, bySeq) => {
    const due = field(x, 'chaseDueOn');
    return {
      headline: `Email to ${court(x, bySeq)}${seqRef(x.escalationSeq)} ${emailWords(field(x, 'state'))}, attempt ${field(x, 'attempts')}${due ? `; due a chase on ${londonDate(due)}` : ''}${because(x)}`,
    };
  },
  'escalation.answered': (x, _e, bySeq) => ({ headline: `Answer from ${court(x, bySeq)}${seqRef(x.escalationSeq)}, recorded by ${x.actor.name}`, text: field(x, 'text') }),
  'enquiry.accessed': (x) => ({ headline: `opened by ${field(x, 'by')} (${field(x, 'role')}) via ${field(x, 'via')}${field(x, 'reason') ? `: ${field(x, 'reason')}` : ''}` }),
};

export function describe(entry: TimelineEntry, enquiry: TranscriptEnquiry, bySeq: ReadonlyMap<number, TimelineEntry>): Described {
  const known = Object.hasOwn(DESCRIBE, entry.kind) ? DESCRIBE[entry.kind] : undefined;
  return known ? known(entry, enquiry, bySeq) : { headline: `${entry.kind} by ${entry.actor.name}` };
}

/** A field as text: the journal's own records always have them, but a later type may not. */
function field(entry: TimelineEntry, name: string): string {
  const value = entry[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function seqRef(seq: unknown): string {
  return typeof seq === 'number' ? ` (seq ${seq})` : '';
}

function because(entry: TimelineEntry): string {
  const reason = field(entry, 'reason');
  return reason ? ` — ${reason}` : '';
}

function court(entry: TimelineEntry, bySeq: ReadonlyMap<number, TimelineEntry>): string {
  const created = typeof entry.escalationSeq === 'number' ? bySeq.get(entry.escalationSeq) : undefined;
  return (created && field(created, 'courtName')) || 'the court';
}

const DELIVERY: Record<string, string> = {
  pending: 'not yet delivered',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read by the customer',
  failed: 'could not be delivered',
};
const EMAIL: Record<string, string> = { sent: 'sent', retrying: 'not sent yet, to be retried', failed: 'could not be sent' };

function deliveryWords(state: string): string {
  return Object.hasOwn(DELIVERY, state) ? DELIVERY[state]! : state;
}

function emailWords(state: string): string {
  return Object.hasOwn(EMAIL, state) ? EMAIL[state]! : state;
}

let dates: Intl.DateTimeFormat | undefined;

/** A London calendar date (YYYY-MM-DD) as "Wed 9 Dec 2026". */
function londonDate(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  dates ??= new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  return dates.format(date).replace(',', '');
}
