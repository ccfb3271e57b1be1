// Delivery leases in PostgreSQL (delivery_leases, pg-schema.ts): one row per delivery some node
// is sending, taken by an upsert that succeeds only when nobody holds the row or its holder's
// lease has expired. Two nodes taking one row at once serialize on its row lock and the second
// re-checks the expiry against the first one's update, so one of them wins. The holder renews
// its leases every third of the lease time; a node killed with -9 renews nothing, and its leases
// lapse.
//
// A row lives only while its delivery is under way: it is deleted once the outcome is recorded
// (finish), handed back (release), or, left by a node that died, a lease time after it lapsed
// (the sweep). Nothing in the table says "done": the journal does. Whoever takes a row next
// folds the journal up to the head read AFTER its take, and finds nothing owed.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LazyClient } from './pg-connections.js';
import type { StoreAddress } from './pg-schema.js';
import type { DeliveryLeases, LeaseTake } from './delivery-leases.js';

const TAKE_SQL = `
WITH taken AS (
  INSERT INTO delivery_leases (key, node, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
    WHERE delivery_leases.node = excluded.node OR delivery_leases.expires_at < now()
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken) AS taken,
  GREATEST(0, EXTRACT(EPOCH FROM (l.expires_at - now())) * 1000)::float8 AS wait_ms
FROM (SELECT 1) one LEFT JOIN delivery_leases l ON l.key = $1`;

// Its own statement, so its snapshot is younger than the take: when the take found no row because
// the last holder had just deleted it, the take statement's snapshot may predate that holder's
// outcome record, but this one's cannot (the outcome committed before the delete began).
const HEAD_SQL = 'SELECT seq FROM journal_head';

export class PgLeases implements DeliveryLeases {
  readonly node = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly db: LazyClient;
  private readonly held = new Set<string>();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    address: StoreAddress,
    private readonly leaseMs: number,
    private readonly log: (msg: string) => void,
  ) {
    this.db = new LazyClient(address);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3)));
    this.renewTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(50, leaseMs));
    this.sweepTimer.unref();
  }

  async take(key: string): Promise<LeaseTake> {
    const { rows } = await this.db.query<{ taken: boolean; wait_ms: number | null }>(TAKE_SQL, [key, this.node, this.leaseMs]);
    const row = rows[0]!;
    if (!row.taken) return { taken: false, retryInMs: Math.ceil(row.wait_ms ?? 0) };
    this.held.add(key);
    const head = await this.db.query<{ seq: string }>(HEAD_SQL);
    return { taken: true, headSeq: Number(head.rows[0]!.seq) };
  }

  async finish(key: string): Promise<void> {
    await this.handBack(key);
  }

  async release(key: string): Promise<void> {
    await this.handBack(key);
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    clearInterval(this.sweepTimer);
    const keys = [...this.held];
    this.held.clear();
    if (keys.length > 0) {
      await this.db.query('DELETE FROM delivery_leases WHERE key = ANY($1) AND node = $2', [keys, this.node]).catch((err: Error) =>
        this.log(`deliveries: could not hand back ${keys.length} lease(s) (${err.message}); other nodes take them over when they expire`),
      );
    }
    await this.db.close();
  }

  /** Only this node's row: a lease that lapsed and was taken over is the new holder's. */
  private async handBack(key: string): Promise<void> {
    this.held.delete(key);
    await this.db.query('DELETE FROM delivery_leases WHERE key = $1 AND node = $2', [key, this.node]);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    await this.db.query("UPDATE delivery_leases SET expires_at = now() + $3 * interval '1 millisecond' WHERE key = ANY($1) AND node = $2", [[...this.held], this.node, this.leaseMs]).catch(
      // Unrenewed leases lapse and other nodes may take the deliveries over: at worst one is sent twice, never lost.
      (err: Error) => this.log(`deliveries: renewing ${this.held.size} lease(s) failed (${err.message}); trying again`),
    );
  }

  /**
   * Rows of nodes that died, a lease time after they lapsed. Deleting a lapsed lease lets no more
   * than taking it over does; a delivery still owed is taken again by the next node to ask.
   */
  private async sweep(): Promise<void> {
    await this.db.query("DELETE FROM delivery_leases WHERE expires_at < now() - $1 * interval '1 millisecond'", [this.leaseMs]).catch((err: Error) =>
      this.log(`deliveries: clearing lapsed leases failed (${err.message}); trying again`),
    );
  }
}
