// The enquiries' content keys for the PostgreSQL journal (the file store's are content-keys.ts).
// A new key is held here until the group whose record first uses it is written: the store inserts
// it into content_keys in the same statement as that record, so no record is ever acknowledged
// whose key is not durable, and no pool of keys made ahead is needed. Keys made by other nodes are
// read from the table when one of their records arrives (`missing`, then `learnRows`).
import type pg from 'pg';
import { randomPooled } from '../random-pool.js';
import type { ContentKey } from './content-keys.js';

export interface KeyRow {
  keyId: string;
  key: string;
  enquiryId: string;
}

/** A row of content_keys as read back. */
export interface KeyTableRow {
  key_id: string;
  key: string | null;
  destroyed_on: string | null;
}

export class PgContentKeys {
  private readonly keys = new Map<string, string>();
  private readonly destroyed = new Map<string, string>();
  /** The key new content of each enquiry is sealed with. */
  private readonly current = new Map<string, string>();
  /** Keys made since the last group was formed, not yet in the table. */
  private pending: KeyRow[] = [];

  keyFor(enquiryId: string): ContentKey {
    const existing = this.current.get(enquiryId);
    if (existing) return { keyId: existing, key: this.keys.get(existing)! };
    // One draw from the pool for id and key: two randomBytes calls a new enquiry were two trips into OpenSSL.
    const random = randomPooled(40);
    const row = { keyId: random.toString('hex', 0, 8), key: random.toString('base64', 8, 40), enquiryId };
    random.fill(0);
    this.keys.set(row.keyId, row.key);
    this.current.set(enquiryId, row.keyId);
    this.pending.push(row);
    return row;
  }

  lookup(keyId: string): ContentKey | { destroyed: string } | undefined {
    const key = this.keys.get(keyId);
    if (key) return { keyId, key };
    const on = this.destroyed.get(keyId);
    return on === undefined ? undefined : { destroyed: on };
  }

  /** The keys the group being formed must insert with its records. */
  takePending(): KeyRow[] {
    const rows = this.pending;
    this.pending = [];
    return rows;
  }

  /** Those keys' records were not written (and nor were they): forget them, so they are never used. */
  abandon(rows: KeyRow[]): void {
    for (const row of [...rows, ...this.takePending()]) {
      this.keys.delete(row.keyId);
      if (this.current.get(row.enquiryId) === row.keyId) this.current.delete(row.enquiryId);
    }
  }

  /** A sealed record read back: its enquiry's new content goes on under the same key. */
  learn(keyId: string, enquiryId: string): void {
    if (this.keys.has(keyId)) this.current.set(enquiryId, keyId);
  }

  /** Which of these key ids this node has not read from the table yet. */
  missing(keyIds: Iterable<string>): string[] {
    return [...new Set(keyIds)].filter((id) => id !== '' && !this.keys.has(id) && !this.destroyed.has(id));
  }

  async fetch(client: pg.Client, keyIds: string[]): Promise<void> {
    if (keyIds.length === 0) return;
    const { rows } = await client.query<KeyTableRow>('SELECT key_id, key, destroyed_on FROM content_keys WHERE key_id = ANY($1::text[])', [keyIds]);
    this.learnRows(rows);
  }

  /** Rows read from content_keys, by fetch or with the records of a catch-up. */
  learnRows(rows: KeyTableRow[]): void {
    for (const row of rows) {
      if (row.key === null) this.destroyed.set(row.key_id, row.destroyed_on!);
      else this.keys.set(row.key_id, row.key);
    }
  }

  /** Another node destroyed these enquiries' keys (its retention record arrived): drop the copies here. */
  forget(enquiryIds: readonly string[], on: string): void {
    const ids = new Set(enquiryIds);
    for (const [enquiryId, keyId] of this.current) {
      if (!ids.has(enquiryId)) continue;
      this.current.delete(enquiryId);
      this.keys.delete(keyId);
      this.destroyed.set(keyId, on);
    }
  }

  /** Destroys every key of these enquiries, on every node's table; resolves with how many were live. */
  async destroy(client: pg.Client, enquiryIds: ReadonlySet<string>, on: string): Promise<number> {
    if (enquiryIds.size === 0) return 0;
    const { rows } = await client.query<{ key_id: string }>(
      'UPDATE content_keys SET key = NULL, destroyed_on = $2 WHERE enquiry_id = ANY($1::text[]) AND key IS NOT NULL RETURNING key_id',
      [[...enquiryIds], on],
    );
    for (const { key_id } of rows) {
      this.keys.delete(key_id);
      this.destroyed.set(key_id, on);
    }
    for (const id of enquiryIds) this.current.delete(id);
    return rows.length;
  }
}
