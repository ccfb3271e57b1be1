// A transcript: everything the journal holds about one enquiry, or every enquiry ever tagged with
// one case, in journal order, for disclosure. Built from journal records alone (pure, no I/O), so
// a transcript drawn from the broker and one drawn offline from a copy of its data folder agree,
// and the seq range and head hash it carries let anyone check it against the journal.
import { parseCaseNumber } from './case-number.js';
import { emptyState, type EnquiryStatus } from './enquiry.js';
import type { Actor, Channel, EventType, JournalRecord, Language } from './events.js';
import { applyEvent } from './reducer.js';

export type TranscriptSelection = { case: string } | { enquiry: string };

/** Where in the journal a transcript was drawn from. */
export interface TranscriptSource {
  /** The first and last record included. */
  firstSeq: number;
  lastSeq: number;
  /** The last record of the journal when the export was made, and its hash. */
  headSeq: number;
  headHash: string;
  /** The journal's epoch in force at the head. */
  epoch: string;
  /** What the reader was told about the journal while reading it (a torn tail ignored). */
  notes: string[];
}

/**
 * One record of an enquiry's history: where it stands and who caused it, `kind` (the event's type,
 * e.g. `enquiry.replied`) and the event's own fields. Deliveries and answers also carry the seq
 * of what they report on (`replySeq`, `escalationSeq`).
 */
export interface TimelineEntry {
  seq: number;
  at: string;
  /** `at` as a London wall-clock time, e.g. "Wed 2 Dec 2026, 16:09:29 GMT". */
  atLondon: string;
  actor: Actor;
  kind: string;
  [field: string]: unknown;
}

export interface TranscriptEnquiry {
  id: string;
  channel: Channel;
  from: string;
  name: string | null;
  language: Language;
  receivedAt: string;
  /** As the journal left it at the head. */
  status: EnquiryStatus;
  claimedBy: string | null;
  caseNumbers: string[];
  /** Case exports only: false when the enquiry was untagged from the case after being tagged. */
  stillTagged?: boolean;
  timeline: TimelineEntry[];
}

export interface Transcript {
  case?: string;
  enquiry?: string;
  generatedAt: string;
  source: TranscriptSource;
  enquiries: TranscriptEnquiry[];
}

/** What the journal read says about itself at the end, for `source`. */
export interface JournalHead {
  headSeq: number;
  headHash: string;
  epoch: string;
  notes: string[];
}

const ENQUIRY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A case number (normalised as tags are) or an enquiry id, checked; the reason is one line. */
export function exportSelection(input: TranscriptSelection): { ok: true; selection: TranscriptSelection } | { ok: false; reason: string } {
  if ('case' in input) {
    const parsed = parseCaseNumber(input.case);
    return parsed.ok ? { ok: true, selection: { case: parsed.caseNumber } } : { ok: false, reason: parsed.reason };
  }
  const id = input.enquiry.trim();
  if (!ENQUIRY_ID.test(id)) return { ok: false, reason: `${JSON.stringify(id)} is not an enquiry id; ids are letters and digits, like E7K2M9QXA.` };
  return { ok: true, selection: { enquiry: id } };
}

/** The one line for a selection the journal has nothing for. */
export function nothingToExport(selection: TranscriptSelection): string {
  return 'case' in selection
    ? `no enquiry in the journal is tagged ${selection.case}; check the case number (courtdesk queue --json lists tags)`
    : `no enquiry in the journal has the id ${selection.enquiry}; check the id (courtdesk queue --json lists them)`;
}

/** A case takes every enquiry ever tagged with it, which only a pass over the whole journal can tell. */
export function needsFirstPass(selection: TranscriptSelection): selection is { case: string } {
  return 'case' in selection;
}

/** The first pass for a case: collects the enquiries ever tagged with it. */
export function taggedEnquiries(caseNumber: string): { add(record: JournalRecord): void; ids: Set<string> } {
  const ids = new Set<string>();
  return {
    ids,
    add(record) {
      const event = record.event;
      if (event.type === 'enquiry.tagged' && event.caseNumber === caseNumber) ids.add(event.enquiryId);
    },
  };
}

/** Keeps the records of the enquiries `ids` (all of their history), then builds the transcript from them. */
export function transcriptCollector(selection: TranscriptSelection, ids: ReadonlySet<string>) {
  const kept: JournalRecord[] = [];
  return {
    add(record: JournalRecord): void {
      const id = enquiryIdOf(record);
      if (id !== undefined && ids.has(id)) kept.push(record);
    },
    /** Null when the journal has none of the enquiries. */
    build(head: JournalHead, generatedAt: Date): Transcript | null {
      return assemble(selection, kept, head, generatedAt);
    },
  };
}

/** Both passes over records already in memory. */
export function buildTranscript(selection: TranscriptSelection, records: readonly JournalRecord[], head: JournalHead, generatedAt: Date): Transcript | null {
  let ids: ReadonlySet<string>;
  if (needsFirstPass(selection)) {
    const tagged = taggedEnquiries(selection.case);
    records.forEach(tagged.add);
    ids = tagged.ids;
  } else {
    ids = new Set([selection.enquiry]);
  }
  const collector = transcriptCollector(selection, ids);
  records.forEach(collector.add);
  return collector.build(head, generatedAt);
}

/**
 * The event types this release's reducer folds. A record of any other type (one a later release
 * added, such as `enquiry.accessed`) is still shown in the timeline, but the fold that gives the
 * status would refuse it; none of them changes an enquiry's status, holder or tags.
 */
const FOLDED = new Set<EventType>([
  'enquiry.received',
  'enquiry.message',
  'enquiry.claimed',
  'enquiry.released',
  'enquiry.transferred',
  'enquiry.returned',
  'enquiry.marked-urgent',
  'enquiry.acknowledged',
  'enquiry.replied',
  'enquiry.noted',
  'enquiry.tagged',
  'enquiry.untagged',
  'enquiry.closed',
  'enquiry.reopened',
  'reply.delivery',
  'escalation.created',
  'escalation.delivery',
  'escalation.answered',
]);

function assemble(selection: TranscriptSelection, records: JournalRecord[], head: JournalHead, generatedAt: Date): Transcript | null {
  // The same fold as everywhere else gives each enquiry's state at the head.
  const state = emptyState();
  for (const record of records) if (FOLDED.has(record.event.type)) applyEvent(state, record);
  const timelines = new Map<string, JournalRecord[]>();
  for (const record of records) {
    const id = enquiryIdOf(record)!;
    // Records of an enquiry whose receipt the journal does not hold change nothing, as in the reducer.
    if (!state.enquiries.has(id)) continue;
    const list = timelines.get(id) ?? [];
    list.push(record);
    timelines.set(id, list);
  }
  if (timelines.size === 0) return null;

  const enquiries: TranscriptEnquiry[] = [];
  for (const [id, list] of timelines) {
    const e = state.enquiries.get(id)!;
    enquiries.push({
      id,
      channel: e.channel,
      from: e.from,
      name: e.name,
      language: e.language,
      receivedAt: e.receivedAt,
      status: e.status,
      claimedBy: e.claimedBy,
      caseNumbers: e.caseNumbers,
      ...('case' in selection ? { stillTagged: e.caseNumbers.includes(selection.case) } : {}),
      timeline: timeline(list),
    });
  }
  enquiries.sort((a, b) => a.timeline[0]!.seq - b.timeline[0]!.seq);
  return {
    ...('case' in selection ? { case: selection.case } : { enquiry: selection.enquiry }),
    generatedAt: generatedAt.toISOString(),
    source: {
      firstSeq: enquiries[0]!.timeline[0]!.seq,
      lastSeq: enquiries.reduce((last, e) => Math.max(last, e.timeline.at(-1)!.seq), 0),
      headSeq: head.headSeq,
      headHash: head.headHash,
      epoch: head.epoch,
      notes: head.notes,
    },
    enquiries,
  };
}

function timeline(records: JournalRecord[]): TimelineEntry[] {
  const replies = new Map<string, number>();
  const escalations = new Map<string, number>();
  return records.map((record) => {
    const { type, enquiryId: _enquiryId, ...fields } = record.event as { type: string; enquiryId: string } & Record<string, unknown>;
    if (type === 'enquiry.replied') replies.set(String(fields.messageId), record.seq);
    if (type === 'escalation.created') escalations.set(String(fields.escalationId), record.seq);
    const replySeq = type === 'reply.delivery' ? replies.get(String(fields.messageId)) : undefined;
    const escalationSeq = type === 'escalation.delivery' || type === 'escalation.answered' ? escalations.get(String(fields.escalationId)) : undefined;
    return {
      ...fields,
      ...(replySeq !== undefined ? { replySeq } : {}),
      ...(escalationSeq !== undefined ? { escalationSeq } : {}),
      // The entry's own fields last: an event of a later type with a field of the same name cannot hide them.
      seq: record.seq,
      at: record.at,
      atLondon: londonTime(record.at),
      actor: { kind: record.actor.kind, name: record.actor.name },
      kind: type,
    };
  });
}

/** The enquiry a record is about, if any (presence and the journal's own records are about none). */
function enquiryIdOf(record: JournalRecord): string | undefined {
  const id = (record.event as { enquiryId?: unknown }).enquiryId;
  return typeof id === 'string' ? id : undefined;
}

let londonFormat: Intl.DateTimeFormat | undefined;

/** "Wed 2 Dec 2026, 16:09:29 GMT" (or BST): the time as a clock in London showed it. */
export function londonTime(iso: string): string {
  londonFormat ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(londonFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}, ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}
