// Delivery leases in PostgreSQL (delivery_leases, pg-schema.ts): one row per delivery, taken by
// an upsert that succeeds only when nobody holds the row or its holder's lease has expired. Two
// nodes taking one row at once serialize on its row lock and the second re-checks the expiry
// against the first one's update, so one of them wins. The holder renews its leases every third
// of the lease time; a node killed with -9 renews nothing, and its leases lapse.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LazyClient } from './pg-connections.js';
import type { StoreAddress } from './pg-schema.js';
import type { DeliveryLeases, LeaseTake } from './delivery-leases.js';

// The head seq is read in the same statement: a holder that died after recording an outcome
// recorded it before its lease lapsed, so whoever takes the lease next folds it before deciding.
const TAKE_SQL = `
WITH taken AS (
  INSERT INTO delivery_leases (key, node, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
    WHERE NOT delivery_leases.finished AND (delivery_leases.node = excluded.node OR delivery_leases.expires_at < now())
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken) AS taken,
  (SELECT seq FROM journal_head) AS head,
  l.finished, GREATEST(0, EXTRACT(EPOCH FROM (l.expires_at - now())) * 1000)::float8 AS wait_ms
FROM (SELECT 1) one LEFT JOIN delivery_leases l ON l.key = $1`;

export class PgLeases implements DeliveryLeases {
  readonly node = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly db: LazyClient;
  private readonly held = new Set<string>();
  private readonly renewTimer: NodeJS.Timeout;

  constructor(
    address: StoreAddress,
    private readonly leaseMs: number,
    private readonly log: (msg: string) => void,
  ) {
    this.db = new LazyClient(address);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3)));
    this.renewTimer.unref();
  }

  async take(key: string): Promise<LeaseTake> {
    const { rows } = await this.db.query<{ taken: boolean; head: string; finished: boolean | null; wait_ms: number | null }>(TAKE_SQL, [key, this.node, this.leaseMs]);
    const row = rows[0]!;
    if (row.taken) {
      this.held.add(key);
      return { taken: true, headSeq: Number(row.head) };
    }
    if (row.finished) return { taken: false, finished: true };
    return { taken: false, retryInMs: Math.ceil(row.wait_ms ?? 0) };
  }

  async finish(key: string): Promise<void> {
    this.held.delete(key);
    await this.db.query('UPDATE delivery_leases SET finished = true WHERE key = $1 AND node = $2', [key, this.node]);
  }

  async release(key: string): Promise<void> {
    this.held.delete(key);
    await this.db.query('DELETE FROM delivery_leases WHERE key = $1 AND node = $2 AND NOT finished', [key, this.node]);
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    const keys = [...this.held];
    this.held.clear();
    if (keys.length > 0) {
      await this.db.query('DELETE FROM delivery_leases WHERE key = ANY($1) AND node = $2 AND NOT finished', [keys, this.node]).catch((err: Error) =>
        this.log(`deliveries: could not hand back ${keys.length} lease(s) (${err.message}); other nodes take them over when they expire`),
      );
    }
    await this.db.close();
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    await this.db.query("UPDATE delivery_leases SET expires_at = now() + $3 * interval '1 millisecond' WHERE key = ANY($1) AND node = $2", [[...this.held], this.node, this.leaseMs]).catch(
      // Unrenewed leases lapse and other nodes may take the deliveries over: at worst one is sent twice, never lost.
      (err: Error) => this.log(`deliveries: renewing ${this.held.size} lease(s) failed (${err.message}); trying again`),
    );
  }
}
