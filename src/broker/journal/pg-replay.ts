// Reading the PostgreSQL journal back: the head row, the records in seq order verified against
// the chain (at open and while following other nodes), and whether a checkpoint still fits.
import type pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import { checkChainLine, checkRecordLine, genesisHash, newHeaderLine, parseHeaderLine, type LineCheck } from './record-format.js';
import type { ResumeFrom } from './store.js';

/** Records read per query, at open and while following. */
const PAGE = 5000;

/** A record in the table that does not verify where it stands. */
export class JournalDamage extends Error {}

export interface Head {
  header: string;
  fileEpoch: string;
  epoch: string;
  seq: number;
  hash: string;
}

/** The head row, made with a fresh header on a journal's first start (by whichever node is first). */
export async function readHead(client: pg.Client, shown: string, now: Date): Promise<Head> {
  const header = newHeaderLine(now);
  const epoch = parseHeaderLine(header).epoch;
  await client.query('INSERT INTO journal_head (header, file_epoch, epoch, seq, hash) VALUES ($1, $2, $2, 0, $3) ON CONFLICT (id) DO NOTHING', [header, epoch, genesisHash(header)]);
  const { rows } = await client.query<{ header: string; file_epoch: string; epoch: string; seq: string; hash: string }>('SELECT header, file_epoch, epoch, seq, hash FROM journal_head');
  const row = rows[0]!;
  try {
    parseHeaderLine(row.header);
  } catch (err) {
    throw new Error(`${shown}: journal_head holds no usable header (${(err as Error).message}). The broker refuses to start; restore the database from a backup.`);
  }
  return { header: row.header, fileEpoch: row.file_epoch, epoch: row.epoch, seq: Number(row.seq), hash: row.hash };
}

/**
 * The seq up to which a checkpoint already holds the state (after loading it), or 0. The head
 * row and the checkpoint's record are checked first, so a checkpoint of another journal, or
 * one this journal no longer matches, is set aside before anything is folded.
 */
export async function resumePoint(client: pg.Client, head: Head, resume: ResumeFrom | undefined, warnings: string[]): Promise<number> {
  if (!resume) return 0;
  const { after } = resume;
  let why: string | undefined;
  if (after.fileEpoch !== head.fileEpoch) why = `it was made for journal ${after.fileEpoch}, and this journal is ${head.fileEpoch}`;
  else if (after.seq > head.seq) why = `the journal ends at seq ${head.seq}, before the checkpoint's record ${after.seq}`;
  else if (!(await lineAt(client, after.seq))?.endsWith(`,"hash":"${after.hash}"}`)) why = `this journal's record ${after.seq} is not the one it was made from`;
  if (!why) {
    try {
      await resume.load();
      return after.seq;
    } catch (err) {
      why = `it could not be loaded (${(err as Error).message})`;
    }
  }
  resume.onRewind(why);
  warnings.push(`journal: not using the checkpoint (${why}); replayed the whole journal`);
  return 0;
}

/**
 * Reads every record after (seq, hash), page by page, verifying each against the chain. Records
 * up to `holdAfter` (a checkpoint's) are only checked for their place in the chain; the later
 * ones go to `onPage`, which may be slow (it fetches content keys), one page at a time. Stops
 * after record `through` when given.
 */
export async function readChain(
  client: pg.Client,
  shown: string,
  from: { seq: number; hash: string },
  onPage: (records: JournalRecord[]) => Promise<void>,
  holdAfter = 0,
  through = Number.MAX_SAFE_INTEGER,
): Promise<{ seq: number; hash: string }> {
  let at = from;
  for (;;) {
    const limit = Math.min(PAGE, through - at.seq);
    if (limit <= 0) return at;
    // Rows as arrays: a million row objects cost a new node's start a second.
    const { rows } = await client.query<[string]>({ name: 'courtdesk-read', text: 'SELECT line FROM journal_records WHERE seq > $1 ORDER BY seq LIMIT $2', values: [at.seq, limit], rowMode: 'array' });
    const page = checkLines(shown, at, rows.map((r) => r[0]), holdAfter);
    at = page;
    if (page.records.length > 0) await onPage(page.records);
    if (rows.length < limit) return at;
  }
}

/**
 * Verifies `lines` as the records that follow (seq, hash) in the chain; those up to `holdAfter`
 * only for their place in it. Returns the records after `holdAfter` and where the lines end.
 */
export function checkLines(shown: string, from: { seq: number; hash: string }, lines: string[], holdAfter = 0): { records: JournalRecord[]; seq: number; hash: string } {
  let { seq, hash } = from;
  const records: JournalRecord[] = [];
  for (const line of lines) {
    const expected = seq + 1;
    if (expected <= holdAfter) {
      const check = checkChainLine(line, hash, expected);
      if (!check.ok) throw damaged(shown, expected, check);
      hash = check.hash;
    } else {
      const check = checkRecordLine(line, hash, expected);
      if (!check.ok) throw damaged(shown, expected, check);
      hash = check.record.hash;
      records.push(check.record);
    }
    seq = expected;
  }
  return { records, seq, hash };
}

/** The line of record `seq`, or undefined when the table has none. */
export async function lineAt(client: pg.Client, seq: number): Promise<string | undefined> {
  const { rows } = await client.query<{ line: string }>('SELECT line FROM journal_records WHERE seq = $1', [seq]);
  return rows[0]?.line;
}

function damaged(shown: string, seq: number, check: Exclude<LineCheck, { ok: true }>): JournalDamage {
  return new JournalDamage(`${shown} journal_records seq ${seq}: ${check.detail}. The journal was altered or damaged after it was written. The broker refuses to start; restore the database from a backup.`);
}
