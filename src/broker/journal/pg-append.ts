// One group commit to the PostgreSQL journal: the statement that moves journal_head with a
// compare-and-set and inserts the group's records and new content keys only if that move happened.
import type pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import type { KeyRow } from './pg-keys.js';
import type { Waiter } from './store-signals.js';

/** Appends that will share one statement and one commit. */
export interface Group {
  records: JournalRecord[];
  lines: string[];
  keys: KeyRow[];
  waiters: Waiter[];
}

export const newGroup = (): Group => ({ records: [], lines: [], keys: [], waiters: [] });

// One statement, so one round trip and one commit per group. The data-modifying CTEs run in full
// whether or not the final SELECT reads them; they insert only if `head` moved.
const APPEND_SQL = `
WITH head AS (
  UPDATE journal_head SET seq = $3, hash = $4 WHERE seq = $1 AND hash = $2 RETURNING 1
), keys AS (
  INSERT INTO content_keys (key_id, key, enquiry_id)
  SELECT * FROM unnest($9::text[], $10::text[], $11::text[]) WHERE EXISTS (SELECT 1 FROM head)
), recs AS (
  INSERT INTO journal_records (seq, line, at, event_type, enquiry_id)
  SELECT * FROM unnest($5::bigint[], $6::text[], $7::timestamptz[], $8::text[], $12::text[]) WHERE EXISTS (SELECT 1 FROM head)
)
SELECT pg_notify($13, '') FROM head`;

/** 'lost' when the head was no longer at (seq, hash): another node appended first and nothing was written. */
export async function writeGroup(writer: pg.Client, group: Group, head: { seq: number; hash: string }, wakeChannel: string): Promise<'committed' | 'lost'> {
  const last = group.records[group.records.length - 1]!;
  const { records, keys } = group;
  const result = await writer.query({
    name: 'courtdesk-append',
    text: APPEND_SQL,
    values: [
      head.seq,
      head.hash,
      last.seq,
      last.hash,
      records.map((r) => r.seq),
      group.lines,
      records.map((r) => r.at),
      records.map((r) => r.event.type),
      keys.map((k) => k.keyId),
      keys.map((k) => k.key),
      keys.map((k) => k.enquiryId),
      records.map((r) => (r.event as { enquiryId?: unknown }).enquiryId ?? null),
      wakeChannel,
    ],
  });
  return result.rowCount === 1 ? 'committed' : 'lost';
}
