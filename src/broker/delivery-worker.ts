// One worker for everything the broker sends out: court emails, channel replies and reply
// callbacks. Each kind (reply-delivery.ts, escalation/escalation-delivery.ts) says which events
// start a delivery, what is still owed, and how one attempt goes and is recorded; the worker
// schedules and retries them, and makes each happen once across broker nodes.
//
// Once across nodes: every node sees every pending delivery (its own records and other nodes'),
// and sends only those whose lease it holds (journal/delivery-leases.ts). Before deciding, the
// holder folds the journal up to where it stood when the lease was taken, so an outcome a dead
// holder recorded just before it died is seen and the delivery is not sent again. A lease that
// cannot be taken is looked at again when it would expire; a dead node's lapse, and another node
// takes them over. On a file journal every lease is this process's: nothing changes there.
import type { CourtdeskEvent } from '../domain/events.js';
import type { BrokerCore } from './core.js';
import type { DeliveryLeases } from './journal/delivery-leases.js';
import { RetryTimers, type RetryPolicy } from './retry.js';

/** What the worker does after one attempt. */
export type AttemptOutcome =
  /** Recorded for good (sent, delivered, failed) or no longer owed. */
  | { next: 'finished' }
  | { next: 'retry'; afterMs: number }
  /** Owed, but this node cannot send it (its channel is off here): another node may. */
  | { next: 'release' }
  /** The broker stopped while it was under way; nothing was recorded. */
  | { next: 'abandoned' };

export interface AttemptContext {
  signal: AbortSignal;
  /** True once stopping has given up waiting: an attempt then records nothing. */
  isStopped(): boolean;
  /** The wait before the next try after `attempts` failures. */
  backoff(attempts: number): number;
}

export interface Delivery {
  enquiryId: string;
  id: string;
}

export interface DeliveryKind {
  /** Names it in lease keys and logs: `reply`, `court-email`. */
  readonly name: string;
  /** The delivery this event starts, if it starts one. */
  startedBy(event: CourtdeskEvent): Delivery | undefined;
  /** Every delivery the current state still owes (picked up at start). */
  owed(): Iterable<Delivery>;
  isOwed(delivery: Delivery): boolean;
  /** Sends once and records the outcome. Throws only when the outcome could not be recorded. */
  attempt(delivery: Delivery, context: AttemptContext): Promise<AttemptOutcome>;
  close?(): Promise<void>;
}

export interface DeliveryWorkerOptions extends RetryPolicy {
  log(message: string): void;
}

/** How long a lease's taker waits for its state to fold up to the head it was taken at. */
const CATCH_UP_MS = 5000;

export class DeliveryWorker {
  private readonly retries: RetryTimers;

  constructor(
    private readonly core: BrokerCore,
    private readonly kinds: DeliveryKind[],
    private readonly leases: DeliveryLeases,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.retries = new RetryTimers(options);
    // Other nodes' records too: the lease, not who recorded it, says who sends.
    core.onCommit((entries) => {
      for (const { event } of entries) {
        for (const kind of kinds) {
          const delivery = kind.startedBy(event);
          if (delivery) this.schedule(kind, delivery, 0);
        }
      }
    });
  }

  /** Picks up what a previous run (of any node) left owed. */
  resumePending(): void {
    for (const kind of this.kinds) for (const delivery of kind.owed()) this.schedule(kind, delivery, 0);
  }

  /** Stops retrying; once the sends under way are done (or the grace is over), hands back its leases and closes the transports. */
  async stop(): Promise<void> {
    await this.retries.stop();
    await this.leases.close();
    for (const kind of this.kinds) await kind.close?.();
  }

  private schedule(kind: DeliveryKind, delivery: Delivery, delayMs: number): void {
    const key = `${kind.name}:${delivery.id}`;
    this.retries.schedule(key, delayMs, (signal) =>
      this.run(kind, delivery, key, signal).catch((err: Error) => {
        this.options.log(`${kind.name} ${delivery.id} on ${delivery.enquiryId}: its outcome was not recorded (${err.message}); it is sent again after a restart, or by another node`);
        if (!this.retries.isStopped) void this.leases.release(key).catch(() => {});
      }),
    );
  }

  private async run(kind: DeliveryKind, delivery: Delivery, key: string, signal: AbortSignal): Promise<void> {
    if (!kind.isOwed(delivery)) return;
    let lease;
    try {
      lease = await this.leases.take(key);
    } catch (err) {
      this.options.log(`${kind.name} ${delivery.id}: could not take its lease (${(err as Error).message}); trying again`);
      if (!this.retries.isStopped) this.schedule(kind, delivery, this.retries.backoff(1));
      return;
    }
    if (!lease.taken) {
      // Held elsewhere: look again just after it would lapse, spread so nodes do not all ask at once.
      this.schedule(kind, delivery, lease.retryInMs + 50 + Math.random() * 200);
      return;
    }
    if (!(await this.foldedThrough(lease.headSeq))) {
      await this.leases.release(key);
      this.schedule(kind, delivery, this.retries.backoff(1));
      return;
    }
    if (!kind.isOwed(delivery)) {
      // Its outcome was recorded by the node that let the lease go, or that died holding it.
      await this.leases.finish(key);
      return;
    }
    const outcome = await kind.attempt(delivery, { signal, isStopped: () => this.retries.isStopped, backoff: (n) => this.retries.backoff(n) });
    // Retried by this node, which keeps renewing the lease meanwhile.
    if (outcome.next === 'retry') this.schedule(kind, delivery, outcome.afterMs);
    if (outcome.next !== 'finished' && outcome.next !== 'release') return;
    // The outcome is in the journal: a lease left behind only lapses, and whoever takes it finds nothing owed.
    await (outcome.next === 'finished' ? this.leases.finish(key) : this.leases.release(key)).catch((err: Error) =>
      this.options.log(`${kind.name} ${delivery.id}: its outcome is recorded, but its lease could not be updated (${err.message}); it lapses by itself`),
    );
  }

  private async foldedThrough(seq: number): Promise<boolean> {
    const deadline = Date.now() + CATCH_UP_MS;
    while (this.core.durableSeq < seq) {
      if (Date.now() > deadline || this.retries.isStopped) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }
}
