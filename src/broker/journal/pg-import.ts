// Moving a file journal into PostgreSQL (`courtdesk store import`): every line is verified in its
// place in the hash chain as it is copied, and the copy is one transaction, so a damaged journal
// leaves the schema as empty as it found it. Lines are copied verbatim (sealed content stays
// sealed, hashes stay valid), and each content key goes with the enquiry the records name for it.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { damagedJournal, unreadableJournal } from './chain-check.js';
import { ContentKeys } from './content-keys.js';
import { JOURNAL_FILE, LOCK_FILE } from './file-store.js';
import { acquireLock } from './lock.js';
import { checkSchema, connect, type StoreAddress } from './pg-schema.js';
import { readVerifiedLines } from './read-records.js';
import { parseHeaderLine } from './record-format.js';
import { sealedKeyId } from './sealing.js';

export interface Imported {
  records: number;
  keys: number;
  /** Keys the records use that the folder's key file does not hold: their content reads as missing. */
  missingKeys: number;
  /** Bytes after the last newline (a write torn by a crash, never acknowledged), not copied. */
  tornBytes: number;
}

const BATCH = 2000;

/** What is kept of each record until the whole file has verified. */
interface Row {
  seq: number;
  line: string;
  at: string;
  type: string;
  enquiryId: string | null;
}

const INSERT_RECORDS = `INSERT INTO journal_records (seq, line, at, event_type, enquiry_id)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])`;

export async function importFileJournal(dataDir: string, address: StoreAddress): Promise<Imported> {
  const file = join(dataDir, JOURNAL_FILE);
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${dataDir} has no ${JOURNAL_FILE}; give the data folder of a file journal with --data` : `cannot read ${file} (${err.message})`);
  });
  // No broker may write the file while it is copied.
  const lock = await acquireLock(join(dataDir, LOCK_FILE), dataDir, () => {}).catch(async (err: Error) => {
    await handle.close();
    throw err;
  });
  const client = new pg.Client(address.config);
  client.on('error', () => {});
  try {
    await connect(client, address);
    await checkSchema(client, address);
    const keys = await ContentKeys.readOnly(dataDir);
    await client.query('BEGIN');
    await client.query('LOCK TABLE journal_head IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ seq: string }>('SELECT seq FROM journal_head');
    if (rows[0]) throw new Error(`${address.shown} (schema ${address.schema}) already holds a journal (up to seq ${rows[0].seq}); import only into a schema just made by courtdesk store migrate`);
    let batch: Row[] = [];
    const keyRows = new Map<string, string>();
    let missingKeys = 0;
    const pending: Row[][] = [];
    const read = await readVerifiedLines(handle, {
      unreadable: (why) => unreadableJournal(file, why),
      damaged: (lineNo, check, lastGoodSeq) => damagedJournal(file, lineNo, check, lastGoodSeq, check.problem === 'seq' ? undefined : 'so it is not imported'),
      onRecord: (record, line) => {
        const keyId = sealedKeyId(record.event);
        if (keyId && !keyRows.has(keyId)) {
          keyRows.set(keyId, (record.event as { enquiryId: string }).enquiryId);
          if (!keys?.lookup(keyId)) missingKeys++;
        }
        batch.push({ seq: record.seq, line, at: record.at, type: record.event.type, enquiryId: (record.event as { enquiryId?: string }).enquiryId ?? null });
        if (batch.length === BATCH) {
          pending.push(batch);
          batch = [];
        }
      },
    });
    const { header, epoch, headSeq: seq, headHash: hash } = read;
    pending.push(batch);
    for (const rowsOf of pending) {
      if (rowsOf.length === 0) continue;
      await client.query(INSERT_RECORDS, [
        rowsOf.map((r) => r.seq),
        rowsOf.map((r) => r.line),
        rowsOf.map((r) => r.at),
        rowsOf.map((r) => r.type),
        rowsOf.map((r) => r.enquiryId),
      ]);
    }
    const found = [...keyRows].flatMap(([keyId, enquiryId]) => {
      const key = keys?.lookup(keyId);
      if (!key) return [];
      return [{ keyId, enquiryId, key: 'key' in key ? key.key : null, destroyed: 'destroyed' in key ? key.destroyed : null }];
    });
    for (let i = 0; i < found.length; i += BATCH) {
      const part = found.slice(i, i + BATCH);
      await client.query('INSERT INTO content_keys (key_id, key, enquiry_id, destroyed_on) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])', [
        part.map((k) => k.keyId),
        part.map((k) => k.key),
        part.map((k) => k.enquiryId),
        part.map((k) => k.destroyed),
      ]);
    }
    await client.query('INSERT INTO journal_head (header, file_epoch, epoch, seq, hash) VALUES ($1, $2, $3, $4, $5)', [header, parseHeaderLine(header).epoch, epoch, seq, hash]);
    await client.query('COMMIT');
    return { records: seq, keys: found.length, missingKeys, tornBytes: read.tornAt === undefined ? 0 : read.end - read.tornAt };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
    await handle.close();
    await lock.release();
  }
}
