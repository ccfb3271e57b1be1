// The newest checkpoint of the folded state, kept in PostgreSQL (shared_checkpoint) beside the
// journal, so a node starting on a long history with an empty data folder folds only what came
// after it. Each node still writes its checkpoint into its own folder (checkpoint.ts); it then
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

  constructor(private readonly address: StoreAddress) {
    this.db = new LazyClient(address);
  }

  async fetchInto(dir: string, haveSeq: number): Promise<boolean> {
    const { rows } = await this.db.query<{ body: string; key: string }>('SELECT body, key FROM shared_checkpoint WHERE seq > $1', [haveSeq]).catch((err: { code?: string }) => {
      // Not migrated yet: the journal's open says so, with the command to run.
      if (err.code === '42P01') return { rows: [] };
      throw err;
    });
    const row = rows[0];
    if (!row) return false;
    await installCheckpoint(dir, Buffer.from(row.body, 'utf8'), row.key);
    return true;
  }

  async publish(dir: string, position: JournalPosition): Promise<boolean> {
    const files = await checkpointFiles(dir);
    if (!files) return false;
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`courtdesk checkpoint ${this.address.schema}`]);
      if (!rows[0]!.locked) return false;
      const stored = await client.query(
        `INSERT INTO shared_checkpoint (seq, hash, body, key, written_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, body = excluded.body, key = excluded.key, written_by = excluded.written_by, written_at = now()
         WHERE shared_checkpoint.seq < excluded.seq`,
        // Text, not bytea: the checkpoint is UTF-8 NDJSON, and bytea's hex form made a new node's start slower than a replay.
        [position.seq, position.hash, files.body.toString('utf8'), files.key, `${hostname()}:${process.pid}`],
      );
      return stored.rowCount === 1;
    });
  }

  async remove(): Promise<void> {
    await this.db.query('DELETE FROM shared_checkpoint');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
