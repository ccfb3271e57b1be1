// The access log: who was given an enquiry's whole conversation, when, how and why. Each access is
// an `enquiry.accessed` record in the journal, durable before the conversation is handed over: a
// log that can miss reads is no audit trail, so while the journal cannot write, reads are refused
// as writes are. The log is read back from the journal file itself (docs/records.md).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecentMap } from '../domain/bounded-map.js';
import type { AccessVia, Actor, CourtdeskEvent, JournalRecord, Role } from '../domain/events.js';
import { can } from '../domain/permissions.js';
import type { EventEntry } from '../protocol/frames.js';
import type { BrokerCore } from './core.js';
import { JOURNAL_FILE } from './journal/file-store.js';
import { readLines } from './journal/line-reader.js';

export interface Access {
  enquiryId: string;
  /** The token's name. */
  by: string;
  role: Role;
  via: AccessVia;
  /** Why, if the reader said; blank is left out. */
  reason?: string | undefined;
}

/**
 * Records, durably, that `by` is being given the enquiry's whole conversation. Rejects with
 * JournalUnavailableError while the journal cannot write (and then the conversation must not be
 * given: answer 503 JOURNAL_UNAVAILABLE, or an ack saying so).
 */
export async function recordAccess(core: BrokerCore, access: Access): Promise<void> {
  const { enquiryId, by, role, via } = access;
  const reason = access.reason?.trim();
  const event: CourtdeskEvent = { type: 'enquiry.accessed', enquiryId, by, role, via, ...(reason ? { reason } : {}) };
  await core.recordDecided(() => [{ actor: { kind: role, name: by }, event }]);
}

/** Distinct opens one socket remembers having recorded. */
const OPENS_REMEMBERED = 10_000;

/**
 * What one agent socket has been recorded reading. The workbench opens a conversation when its
 * row is selected; opening it again on the same socket, for the same reason, is the same access
 * and records nothing more. A new connection records afresh.
 */
export class SocketAccesses {
  private readonly recorded = new RecentMap<string, true>(OPENS_REMEMBERED);

  async record(core: BrokerCore, access: Access): Promise<void> {
    const key = `${access.enquiryId}\u0000${access.via}\u0000${access.reason?.trim() ?? ''}`;
    if (this.recorded.has(key)) return;
    await recordAccess(core, access);
    this.recorded.set(key, true);
  }
}

const WITHHELD_BY: Actor = { kind: 'system', name: 'courtdesk' };

/** Each batch as sockets that may not read the access log have it, worked out once per batch. */
const withheld = new WeakMap<EventEntry[], EventEntry[]>();

/**
 * The entries as a socket of `role` may have them: access records only for roles that may read
 * the access log; the others get `record.withheld` in their place, keeping seqs gap-free. The same
 * array comes back for the same batch, so a broadcast encodes each version once.
 */
export function visibleTo(role: Role, entries: EventEntry[]): EventEntry[] {
  if (can(role, 'read-access-log')) return entries;
  let hidden = withheld.get(entries);
  if (!hidden) {
    hidden = entries.some((e) => e.event.type === 'enquiry.accessed')
      ? entries.map((e) => (e.event.type === 'enquiry.accessed' ? { seq: e.seq, at: e.at, actor: WITHHELD_BY, event: { type: 'record.withheld' } } : e))
      : entries;
    withheld.set(entries, hidden);
  }
  return hidden;
}

/** One line of the access log. */
export type AccessEntry = { seq: number; at: string } & Access;

export interface AccessQuery {
  enquiryId?: string | undefined;
  by?: string | undefined;
  /** At most this many, the latest. */
  limit: number;
}

/**
 * The latest `limit` accesses matching `query`, oldest first, and how many matched in all, read
 * from DATA/journal.ndjson up to `throughSeq` (what is durable: a record being written, or cut back
 * after a failed write, is never shown). A read-only scan: the file store is the only store.
 */
export async function readAccessLog(dataDir: string, throughSeq: number, query: AccessQuery): Promise<{ accesses: AccessEntry[]; matched: number }> {
  const handle = await open(join(dataDir, JOURNAL_FILE), 'r');
  let kept: AccessEntry[] = [];
  let matched = 0;
  try {
    const { size } = await handle.stat();
    await readLines(
      handle,
      (line) => {
        // Most records are not accesses; parse only the lines that can be.
        if (!line.includes('"type":"enquiry.accessed"')) return;
        const record = parse(line);
        if (!record || record.seq > throughSeq || record.event.type !== 'enquiry.accessed') return;
        const { enquiryId, by, role, via, reason } = record.event;
        if ((query.enquiryId !== undefined && enquiryId !== query.enquiryId) || (query.by !== undefined && by !== query.by)) return;
        matched++;
        kept.push({ seq: record.seq, at: record.at, enquiryId, by, role, via, ...(reason ? { reason } : {}) });
        if (kept.length >= 2 * query.limit) kept = kept.slice(-query.limit);
      },
      { to: size },
    );
  } finally {
    await handle.close();
  }
  return { accesses: kept.slice(-query.limit), matched };
}

function parse(line: string): JournalRecord | null {
  try {
    return JSON.parse(line) as JournalRecord;
  } catch {
    // Damage is the broker's start to refuse, not this reader's.
    return null;
  }
}
