// The newest checkpoint of the folded state, kept in PostgreSQL (shared_checkpoint) beside the
// journal, so a node starting on a long history with an empty data folder folds only what came
// after it. The body is kept in parts (shared_checkpoint_parts) cut at line ends: a million
// enquiries make a checkpoint longer than one JavaScript string can hold. Each node still writes its checkpoint into its own folder (checkpoint.ts); it then
// offers it here, and it replaces the stored one only if it is further on. One node at a time
// writes: the offer runs under a transaction-scoped advisory lock, and a node that does not get
// it at once leaves it to the one that did. The row holds the checkpoint's HMAC key with it: the
// checkpoint is as trustworthy as the database, and the start verifies the journal up to its seq
// (pg-replay.ts's resumePoint) before using it. Retention removes it with the folder's copy.
import { hostname } from 'node:os';
import { checkpointFiles, installCheckpoint } from './checkpoint.js';
import { LazyClient } from './pg-connections.js';
import type { StoreAddress } from './pg-schema.js';
import type { JournalPosition } from './store.js';

export interface SharedCheckpoint {
  /** Copies the stored checkpoint into `dir` when it is further on than `haveSeq`; true when it did. */
  fetchInto(dir: string, haveSeq: number): Promise<boolean>;
  /** Offers the checkpoint just written in `dir` at `position`; true when it was stored. */
  publish(dir: string, position: JournalPosition): Promise<boolean>;
  remove(): Promise<void>;
  close(): Promise<void>;
}

export class PgSharedCheckpoint implements SharedCheckpoint {
  private readonly db: LazyClient;

  constructor(
    private readonly address: StoreAddress,
    private readonly log: (msg: string) => void,
  ) {
    this.db = new LazyClient(address);
  }

  async fetchInto(dir: string, haveSeq: number): Promise<boolean> {
    // One snapshot for the row and its parts: a checkpoint published meanwhile is not mixed in.
    const found = await this.db
      .transaction(async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        // The table's size in proportion stands for the bytes of the records the checkpoint covers.
        const { rows } = await client.query<{ key: string; parts: number; bytes: string; covered: string }>(
          `SELECT c.key, c.parts, c.bytes, (pg_relation_size('journal_records') * c.seq / GREATEST(h.seq, 1))::bigint AS covered
           FROM shared_checkpoint c, journal_head h WHERE c.seq > $1`,
          [haveSeq],
        );
        const row = rows[0];
        if (!row) return undefined;
        if (Number(row.bytes) > Number(row.covered)) {
          // Enquiries that have only just arrived fold to more than the records that made them: folding those is quicker than fetching and loading this.
          this.log(`checkpoint: not fetching the shared checkpoint (${mb(Number(row.bytes))} MB), larger than the ${mb(Number(row.covered))} MB of journal it covers; replaying is quicker`);
          return undefined;
        }
        const parts: Buffer[] = [];
        for (let part = 0; part < row.parts; part++) {
          const read = await client.query<{ body: string }>('SELECT body FROM shared_checkpoint_parts WHERE part = $1', [part]);
          if (!read.rows[0]) throw new Error(`shared_checkpoint_parts lacks part ${part} of ${row.parts}`);
          parts.push(Buffer.from(read.rows[0].body, 'utf8'));
        }
        return { body: Buffer.concat(parts), key: row.key };
      })
      .catch((err: { code?: string }) => {
        // Not migrated yet: the journal's open says so, with the command to run.
        if (err.code === '42P01' || err.code === '42703') return undefined;
        throw err;
      });
    if (!found) return false;
    await installCheckpoint(dir, found.body, found.key);
    return true;
  }

  async publish(dir: string, position: JournalPosition): Promise<boolean> {
    const files = await checkpointFiles(dir);
    if (!files) return false;
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`courtdesk checkpoint ${this.address.schema}`]);
      if (!rows[0]!.locked) return false;
      const stored = await client.query<{ seq: string }>('SELECT seq FROM shared_checkpoint');
      if (stored.rows[0] && Number(stored.rows[0].seq) >= position.seq) return false;
      const parts = partsOf(files.body);
      await client.query('DELETE FROM shared_checkpoint_parts');
      // Text, not bytea: the checkpoint is UTF-8 NDJSON, and bytea's hex form made a new node's start slower than a replay.
      for (const [part, body] of parts.entries()) await client.query('INSERT INTO shared_checkpoint_parts (part, body) VALUES ($1, $2)', [part, body.toString('utf8')]);
      await client.query(
        `INSERT INTO shared_checkpoint (seq, hash, parts, bytes, key, written_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, parts = excluded.parts, bytes = excluded.bytes, key = excluded.key, written_by = excluded.written_by, written_at = now()`,
        [position.seq, position.hash, parts.length, files.body.length, files.key, `${hostname()}:${process.pid}`],
      );
      return true;
    });
  }

  /** Retention: the checkpoint may hold removed content in the clear, so every part goes. */
  async remove(): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('DELETE FROM shared_checkpoint');
      await client.query('DELETE FROM shared_checkpoint_parts');
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

/** Parts of the body up to about this many bytes, each ending at a newline (so each is whole UTF-8). */
const PART_BYTES = 32 * 1024 * 1024;

export function partsOf(body: Buffer, partBytes = PART_BYTES): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    let end = Math.min(body.length, start + partBytes);
    if (end < body.length) {
      const newline = body.lastIndexOf(10, end - 1);
      // A line longer than a part (none is): cut at the next newline instead.
      end = newline >= start ? newline + 1 : body.indexOf(10, end) + 1 || body.length;
    }
    parts.push(body.subarray(start, end));
    start = end;
  }
  return parts;
}
