// One group commit to the PostgreSQL journal, in one transaction of two round trips: lock the
// head row and read what other nodes appended (the store catches up and decides), then insert the
// group's records and new content keys, move the head, and commit. Nobody else can append between
// the lock and the commit, so what was decided is written as decided: no race is ever lost.
import pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import type { KeyRow, KeyTableRow } from './pg-keys.js';
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

/** Records read with the lock; a node further behind reads the rest page by page. */
export const CATCH_UP_PAGE = 2000;

/** The head as the lock found it, the records after this node's last (verified by the caller), and their content keys. */
export interface Locked {
  head: { seq: number; hash: string };
  lines: string[];
  keys: KeyTableRow[];
}

/**
 * Opens the transaction holding the head row, in one round trip (the simple protocol runs the
 * statements in turn): the lock waits for any other node's append to commit, and each later
 * statement's snapshot is taken after it, so the records read are exactly those up to the head.
 */
export async function lockHead(writer: pg.Client, after: number): Promise<Locked> {
  if (!Number.isSafeInteger(after) || after < 0) throw new Error(`lockHead: bad seq ${after}`);
  const results = (await writer.query(
    `BEGIN; SELECT seq, hash FROM journal_head FOR UPDATE;
     SELECT line FROM journal_records WHERE seq > ${after} ORDER BY seq LIMIT ${CATCH_UP_PAGE};
     SELECT key_id, key, destroyed_on FROM content_keys WHERE enquiry_id IN (SELECT enquiry_id FROM journal_records WHERE seq > ${after} AND seq <= ${after + CATCH_UP_PAGE})`,
  )) as unknown as pg.QueryResult[];
  const head = results[1]!.rows[0] as { seq: string; hash: string };
  return {
    head: { seq: Number(head.seq), hash: head.hash },
    lines: results[2]!.rows.map((r) => (r as { line: string }).line),
    keys: results[3]!.rows as KeyTableRow[],
  };
}

const literal = (value: string | null): string => (value === null ? 'NULL' : pg.escapeLiteral(value));

/**
 * Inserts the group's records and keys after the locked head, moves it, wakes the other nodes and
 * commits, in one round trip: values are written as literals so the simple protocol can carry the
 * COMMIT too. Two nodes can never write one seq: journal_records' primary key refuses it.
 */
export async function writeAndCommit(writer: pg.Client, written: Written, wakeChannel: string): Promise<void> {
  const { records, lines, keys } = written;
  const last = records[records.length - 1]!;
  const rows = records.map((r, i) => `(${r.seq}, ${literal(lines[i]!)}, ${literal(r.at)}, ${literal(r.event.type)}, ${literal(((r.event as { enquiryId?: string }).enquiryId) ?? null)})`);
  const statements = [
    `UPDATE journal_head SET seq = ${last.seq}, hash = ${literal(last.hash)}`,
    ...(keys.length > 0 ? [`INSERT INTO content_keys (key_id, key, enquiry_id) VALUES ${keys.map((k) => `(${literal(k.keyId)}, ${literal(k.key)}, ${literal(k.enquiryId)})`).join(', ')}`] : []),
    `INSERT INTO journal_records (seq, line, at, event_type, enquiry_id) VALUES ${rows.join(', ')}`,
    `SELECT pg_notify(${literal(wakeChannel)}, '')`,
    'COMMIT',
  ];
  await writer.query(statements.join(';\n'));
}
