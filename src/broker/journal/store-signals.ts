// What every journal store tells the broker, kept once for the file and PostgreSQL stores alike:
// the commit, failure and health listeners, the current health, the error an append is refused
// with, and the waiters of a group commit (store.ts says what each one promises).
import type { JournalRecord } from '../../domain/events.js';
import { JournalUnavailableError, type JournalHealth } from './store.js';

export type Unhealthy = Exclude<JournalHealth, { state: 'ok' }>;

/** Someone waiting for a group commit: an append's `durable`, or a flush. */
export interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  /** A flush, not an append: a lost race leaves nothing of its group to wait for. */
  flush: boolean;
}

/** A promise settled with the group `waiters` belongs to. */
export function waitOn(waiters: Waiter[], flush: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject, flush }));
}

export function rejectAll(groups: ReadonlyArray<{ waiters: Waiter[] }>, error: Error): void {
  for (const g of groups) for (const w of g.waiters) w.reject(error);
}

export abstract class StoreSignals {
  private readonly commitListeners: Array<(records: JournalRecord[], remote: boolean) => void> = [];
  private readonly failureListeners: Array<(fromSeq: number) => void> = [];
  private readonly healthListeners: Array<(health: JournalHealth) => void> = [];
  protected current: JournalHealth = { state: 'ok' };

  /** `failedWhat` ends the sentence "The broker has stopped writing to its journal…" for a failed store. */
  protected constructor(
    protected readonly log: (msg: string) => void,
    private readonly failedWhat: string,
  ) {}

  onCommit(listener: (records: JournalRecord[], remote: boolean) => void): void {
    this.commitListeners.push(listener);
  }

  onFailure(listener: (fromSeq: number) => void): void {
    this.failureListeners.push(listener);
  }

  health(): JournalHealth {
    return this.current;
  }

  onHealth(listener: (health: JournalHealth) => void): void {
    this.healthListeners.push(listener);
  }

  protected handOn(records: JournalRecord[], remote: boolean): void {
    for (const listener of this.commitListeners) this.guarded('onCommit', () => listener(records, remote));
  }

  /** The records from `fromSeq` on will never be durable: listeners take them back before anyone is answered. */
  protected takeBack(fromSeq: number): void {
    for (const listener of this.failureListeners) this.guarded('onFailure', () => listener(fromSeq));
  }

  /** Listeners hear of a change of state or of its reason, not of the same health said again. */
  protected setHealth(health: JournalHealth): void {
    const before = this.current;
    this.current = health;
    if (before.state === health.state && (before as { reason?: string }).reason === (health as { reason?: string }).reason) return;
    for (const listener of this.healthListeners) this.guarded('onHealth', () => listener(health));
  }

  protected unavailable(health: Unhealthy, uncertain = false, cause?: Error): JournalUnavailableError {
    const what = health.state === 'degraded' ? 'cannot write to its journal' : `has stopped writing to its journal${this.failedWhat}`;
    return new JournalUnavailableError(`The broker ${what} (${health.reason}).`, health, uncertain, cause ? { cause } : undefined);
  }

  private guarded(name: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log(`journal: an ${name} listener threw: ${(err as Error).stack ?? String(err)}`);
    }
  }
}
