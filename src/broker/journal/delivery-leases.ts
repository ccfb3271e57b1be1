// Who sends each outbound thing (a court email, a channel reply, a reply callback). With one
// broker on a file journal that is always this process (LocalLeases). With several nodes on one
// PostgreSQL journal every node sees every pending delivery, and the one holding its lease sends
// it (pg-leases.ts): a lease has an expiry its holder keeps moving on while alive, so a dead
// node's deliveries are taken over once its leases run out.
/** Long enough that a holder's renewals (every third of it) survive a slow moment; short enough that a dead node's deliveries wait little. */
export const DEFAULT_LEASE_MS = 30_000;

export type LeaseTake =
  /** This node sends it. `headSeq`: the journal's last record when it was taken; decide only once folded up to it. */
  | { taken: true; headSeq: number }
  /** Another node holds it; look again in `retryInMs` (it may have died by then). */
  | { taken: false; retryInMs: number };

export interface DeliveryLeases {
  /** Who this node is in the lease table (shown in logs). */
  readonly node: string;
  take(key: string): Promise<LeaseTake>;
  /**
   * Its outcome is recorded for good (sent, delivered or failed), or it is no longer owed. The
   * lease is let go: a node that takes it later folds up to a head past the outcome and finds
   * nothing owed, so the journal, not the lease, says it is done.
   */
  finish(key: string): Promise<void>;
  /** This node stops trying it for now (nowhere to send it from here, or its outcome unrecorded): any node may take it. */
  release(key: string): Promise<void>;
  /** Gives up every lease still held, so another node takes them over at once, and closes. */
  close(): Promise<void>;
}

/** One process sends everything it records: nothing to share. */
export class LocalLeases implements DeliveryLeases {
  readonly node = 'local';
  async take(): Promise<LeaseTake> {
    return { taken: true, headSeq: 0 };
  }
  async finish(): Promise<void> {}
  async release(): Promise<void> {}
  async close(): Promise<void> {}
}
