// Timers for work that is retried until it succeeds (reply and court-email deliveries): one pending
// attempt per key, exponential backoff with jitter, and nothing scheduled after stop().
export interface RetryPolicy {
  /** First retry delay; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export class RetryTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly policy: RetryPolicy) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs `attempt` after `delayMs`, unless one is already pending for `key`. */
  schedule(key: string, delayMs: number, attempt: () => Promise<void>): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void attempt();
    }, delayMs);
    this.timers.set(key, timer);
  }

  /** The wait before the next try after `attempts` failures: half the ceiling plus jitter, so retries spread out. */
  backoff(attempts: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
