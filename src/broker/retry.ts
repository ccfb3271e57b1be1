// Timers for work that is retried until it succeeds (reply and court-email deliveries): one pending
// attempt per key, exponential backoff with jitter, and nothing scheduled once stop() is called.
// Attempts still under way when stop() gives up are aborted through the signal each one is given.
export interface RetryPolicy {
  /** First retry delay; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long stop() waits for attempts already under way; STOP_GRACE_MS unless given. */
  stopGraceMs?: number;
}

/**
 * How long stopping waits for deliveries already under way. An outbox write takes milliseconds
 * and a working SMTP relay, callback receiver or Notify answers within a second, so 3 s lets a
 * slow but working peer finish (and its outcome be recorded, so the email is not sent again
 * after a restart). A hung peer would otherwise hold shutdown for its socket timeout (a minute
 * for SMTP). 3 s, plus the journal flush and the 2 s agent sockets get to close, keeps a stop
 * well inside the 10 s Docker allows before SIGKILL. Once the grace is over, sends still under way
 * are aborted, so their sockets do not keep the stopped process alive until they time out.
 */
export const STOP_GRACE_MS = 3000;

export class RetryTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly abandon = new AbortController();
  private stopping = false;
  private stopped = false;

  constructor(private readonly policy: RetryPolicy) {}

  /**
   * True once stop() has finished waiting: an attempt still running now is abandoned and must not
   * record anything (the journal may be closed). Attempts that finish within the grace record as usual.
   */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Runs `attempt` after `delayMs`, unless one is already pending for `key`. Its signal aborts when
   * stop() stops waiting for it: the attempt should then end its send (it records nothing anyway).
   */
  schedule(key: string, delayMs: number, attempt: (signal: AbortSignal) => Promise<void>): void {
    if (this.stopping || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const run = attempt(this.abandon.signal).finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    this.timers.set(key, timer);
  }

  /** The wait before the next try after `attempts` failures: half the ceiling plus jitter, so retries spread out. */
  backoff(attempts: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Cancels what is scheduled, then waits for the attempts under way, for at most the grace, and aborts the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.running),
      new Promise<void>((resolve) => (grace = setTimeout(resolve, this.policy.stopGraceMs ?? STOP_GRACE_MS))),
    ]);
    clearTimeout(grace);
    // Stopped first, so an attempt that ends because of the abort sees it and records nothing.
    this.stopped = true;
    this.abandon.abort();
  }
}
