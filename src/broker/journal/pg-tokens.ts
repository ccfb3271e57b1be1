// Tokens shared by every node on one PostgreSQL journal (shared_tokens, pg-schema.ts). Each node
// publishes the tokens in its own tokens.json; every node reads the changes since the version it
// last saw. A revocation sticks: once a hash is revoked in the table, no node's file brings it
// back. Publishing takes an exclusive lock on the table, so versions commit in the order they
// were drawn and a reader of `version > N` never skips a change that commits later (the journal
// head's rule); token changes are rare, so the lock costs nothing that matters.
import type { TokenRecord } from '../tokens.js';
import { LazyClient } from './pg-connections.js';
import type { StoreAddress } from './pg-schema.js';

/** Where several nodes' tokens meet (tokens.ts's TokenWatcher uses it when there is one). */
export interface SharedTokens {
  /** Adds these tokens to the shared list, and revokes there those revoked here. */
  publish(tokens: readonly TokenRecord[]): Promise<void>;
  /** Every token changed after `version`, and the version now reached. */
  changesSince(version: number): Promise<{ version: number; tokens: TokenRecord[] }>;
  close(): Promise<void>;
}

const PUBLISH_SQL = `
INSERT INTO shared_tokens (hash, record, revoked_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (hash) DO UPDATE SET revoked_at = excluded.revoked_at, version = nextval('shared_tokens_version')
  WHERE shared_tokens.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL`;

export class PgSharedTokens implements SharedTokens {
  private readonly db: LazyClient;

  constructor(address: StoreAddress) {
    this.db = new LazyClient(address);
  }

  async publish(tokens: readonly TokenRecord[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.db.transaction(async (client) => {
      await client.query('LOCK TABLE shared_tokens IN EXCLUSIVE MODE');
      await client.query(PUBLISH_SQL, [
        tokens.map((t) => t.hash),
        tokens.map(({ revokedAt: _, ...rest }) => JSON.stringify(rest)),
        tokens.map((t) => t.revokedAt ?? null),
      ]);
    });
  }

  async changesSince(version: number): Promise<{ version: number; tokens: TokenRecord[] }> {
    const { rows } = await this.db.query<{ record: string; revoked_at: string | null; version: string }>(
      'SELECT record, revoked_at, version FROM shared_tokens WHERE version > $1 ORDER BY version',
      [version],
    );
    const tokens = rows.map((r) => ({ ...(JSON.parse(r.record) as TokenRecord), ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}) }));
    return { version: rows.length > 0 ? Number(rows[rows.length - 1]!.version) : version, tokens };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
