// One group commit to the PostgreSQL journal, in one transaction: lock the head row, (the store
// catches up to it and decides), then insert the group's records and new content keys, move the
// head, and commit. Nobody else can append between the lock and the commit, so what was decided
// is written as decided: no race is ever lost.
import type pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import type { KeyRow } from './pg-keys.js';
import { JournalDamage } from './pg-replay.js';
import type { Waiter } from './store-signals.js';
import type { NewRecord } from './store.js';

/** One caller's decision, made inside the transaction. */
export interface Decision {
  decide: () => NewRecord[];
  fold: (records: JournalRecord[]) => void;
  resolve: (records: JournalRecord[]) => void;
  reject: (err: Error) => void;
  /** What it decided in the transaction under way. */
  records: JournalRecord[];
  /** Why it could not be decided (decide or the encoding threw): told only to this caller. */
  error?: Error;
}

/** The decisions that will share one transaction, and the flushes waiting for it. */
export interface Group {
  decisions: Decision[];
  flushes: Waiter[];
}

export const newGroup = (): Group => ({ decisions: [], flushes: [] });

/** What one transaction writes. */
export interface Written {
  records: JournalRecord[];
  lines: string[];
  keys: KeyRow[];
}

// One round trip: the simple protocol runs both statements. The lock waits for any other node's
// append to commit, and returns the head as that commit left it.
const LOCK_SQL = 'BEGIN; SELECT seq, hash FROM journal_head FOR UPDATE';

/** Opens the transaction holding the head row; returns the head. */
export async function lockHead(writer: pg.Client): Promise<{ seq: number; hash: string }> {
  const results = (await writer.query(LOCK_SQL)) as unknown as pg.QueryResult<{ seq: string; hash: string }>[];
  const row = results[1]!.rows[0]!;
  return { seq: Number(row.seq), hash: row.hash };
}

// The data-modifying CTEs run in full whether or not the final SELECT reads them. The head's
// compare-and-set cannot miss while the row is locked; it is kept so a head moved by anything
// that ignored the lock is caught rather than written over.
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

/** Inserts after `head` (held locked) and commits; resolves once PostgreSQL has committed. */
export async function writeAndCommit(writer: pg.Client, written: Written, head: { seq: number; hash: string }, wakeChannel: string, shown: string): Promise<void> {
  const { records, keys } = written;
  const last = records[records.length - 1]!;
  const result = await writer.query({
    name: 'courtdesk-append',
    text: APPEND_SQL,
    values: [
      head.seq,
      head.hash,
      last.seq,
      last.hash,
      records.map((r) => r.seq),
      written.lines,
      records.map((r) => r.at),
      records.map((r) => r.event.type),
      keys.map((k) => k.keyId),
      keys.map((k) => k.key),
      keys.map((k) => k.enquiryId),
      records.map((r) => (r.event as { enquiryId?: unknown }).enquiryId ?? null),
      wakeChannel,
    ],
  });
  if (result.rowCount !== 1) {
    await writer.query('ROLLBACK');
    throw new JournalDamage(`${shown}: journal_head moved from seq ${head.seq} while this node held it locked; something writes to the journal without the lock. The broker stops rather than fork the chain`);
  }
  await writer.query('COMMIT');
}
