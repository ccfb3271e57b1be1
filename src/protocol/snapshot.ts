// What a client receives on connect. Everyone gets every open enquiry as a summary (enough to rank
// and draw the queue); full conversations travel only for enquiries the agent holds, or opens
// later with the `open` command. That keeps the snapshot small for thin clients and keeps
// conversations need-to-know. docs/protocol.md records the measured sizes.
import type { Enquiry, Escalation, State } from '../domain/enquiry.js';
import { emptyState } from '../domain/enquiry.js';
import { isUnanswered } from '../domain/escalations.js';
import { trackQueued } from '../domain/reducer.js';
import type { Snapshot } from './frames.js';

export function snapshotFor(state: State, agentName: string): Snapshot {
  const enquiries: Enquiry[] = [];
  for (const e of state.enquiries.values()) {
    const entry = snapshotEntry(e, agentName);
    if (entry) enquiries.push(entry);
  }
  return { enquiries, agents: [...state.agents.values()] };
}

/** How one enquiry appears in this agent's snapshot, or null when it is left out. */
export function snapshotEntry(e: Enquiry, agentName: string): Enquiry | null {
  if (!inSnapshot(e)) return null;
  return e.claimedBy === agentName ? e : summaryOf(e);
}

/** Whether a snapshot carries the enquiry at all: every open one, and a closed one a court still owes an answer on. */
export function inSnapshot(e: Enquiry): boolean {
  // Its count of unanswered emails is what stops agents emailing the same court a third time.
  return e.status !== 'closed' || e.escalations.some(isUnanswered);
}

/** An enquiry without its conversation or email bodies: the queue row needs only the derived fields. */
export function summaryOf(e: Enquiry): Enquiry {
  return { ...e, messages: [], escalations: e.escalations.map((x) => ({ ...x, text: '', html: '' })), messagesLoaded: false };
}

export function stateFromSnapshot(snapshot: Snapshot, seq: number): State {
  const state = emptyState();
  state.seq = seq;
  const summaries = snapshot.summaries;
  const rows = summaries ? summaries.rows.map((row) => enquiryFromRow(summaries, row)) : [];
  for (const e of [...rows, ...snapshot.enquiries]) {
    state.enquiries.set(e.id, e);
    trackQueued(state, e);
    if (e.status !== 'closed') state.openBySender.set(`${e.channel}\u0000${e.from}`, e.id);
  }
  for (const a of snapshot.agents) state.agents.set(a.name, a);
  return state;
}

// --- the compact form ----------------------------------------------------------------------------
// A client that connects with `?snapshot=rows` gets the summaries as one table: column names once,
// then one array per enquiry, `receivedAt` as milliseconds before the table's `at` and the other
// times as milliseconds after `receivedAt`, and the preview cut
// to what a queue row shows. At 10,000 waiting that is about 1.4 MB where the objects are 5.3 MB.

/** The query parameter (and its value) by which a client asks for the compact snapshot. */
export const COMPACT_SNAPSHOT_PARAM = { name: 'snapshot', value: 'rows' } as const;

/** Characters of the preview a compact summary keeps: one more than the preview cell of an 80-column queue row, so it reads as cut there too. */
export const SUMMARY_PREVIEW_LENGTH = 44;

/** The columns of a summary row, in order; trailing empty (null) cells are left off. */
export const SUMMARY_COLUMNS = [
  'id', 'status', 'channel', 'language', 'from', 'name', 'claimedBy', 'receivedSeq', 'receivedAt', 'waitingSince',
  'lastCustomerAt', 'lastActivityAt', 'messageCount', 'preview', 'caseNumbers', 'escalations', 'callbackUrl', 'closedAt', 'contentRemovedOn',
] as const;

type Column = (typeof SUMMARY_COLUMNS)[number];
const TIME_COLUMNS: ReadonlySet<Column> = new Set<Column>(['receivedAt', 'waitingSince', 'lastCustomerAt', 'lastActivityAt', 'closedAt']);

export interface SummaryTable {
  /** Epoch milliseconds the time cells count back from. */
  at: number;
  columns: string[];
  rows: unknown[][];
}

/** One enquiry as a compact summary row (the conversation and email bodies left out). */
export function summaryRow(e: Enquiry, at: number): unknown[] {
  const row: unknown[] = [];
  const received = Date.parse(e.receivedAt);
  for (const column of SUMMARY_COLUMNS) {
    const value = e[column];
    if (column === 'receivedAt') row.push(at - received);
    else if (TIME_COLUMNS.has(column)) row.push(typeof value === 'string' ? Date.parse(value) - received : null);
    else if (column === 'preview') row.push(cutPreview(e.preview));
    else if (column === 'escalations') row.push(e.escalations.length === 0 ? null : e.escalations.map(({ text: _t, html: _h, plain: _p, ...x }) => x));
    else if (column === 'caseNumbers') row.push(e.caseNumbers.length === 0 ? null : e.caseNumbers);
    else row.push(value ?? null);
  }
  while (row.length > 0 && row[row.length - 1] === null) row.pop();
  return row;
}

/** The enquiry a summary row stands for, as `summaryOf` would give it but with the preview cut. */
export function enquiryFromRow(table: Pick<SummaryTable, 'at' | 'columns'>, row: unknown[]): Enquiry {
  const e: Record<string, unknown> = { messages: [], messagesLoaded: false, caseNumbers: [], escalations: [], callbackUrl: null };
  const received = table.at - Number(row[table.columns.indexOf('receivedAt')]);
  table.columns.forEach((column, i) => {
    const value = row[i] ?? null;
    if (value === null) return;
    if (column === 'receivedAt') e[column] = isoAt(received);
    else if (TIME_COLUMNS.has(column as Column)) e[column] = isoAt(received + Number(value));
    else if (column === 'escalations') e.escalations = (value as Escalation[]).map((x) => ({ ...x, text: '', html: '' }));
    else e[column] = value;
  });
  for (const column of ['name', 'claimedBy', 'waitingSince'] as const) e[column] ??= null;
  return e as unknown as Enquiry;
}

/** A time cell as ISO-8601; one that is not a number (a broken row) reads as unknown rather than throwing mid-welcome. */
function isoAt(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function cutPreview(preview: string): string {
  return preview.length > SUMMARY_PREVIEW_LENGTH ? `${preview.slice(0, SUMMARY_PREVIEW_LENGTH - 1)}…` : preview;
}
