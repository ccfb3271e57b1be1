// One clock for the whole screen. Every wait on screen is derived from the same `now`, and the
// ticks fall on the second so all clocks turn over together (one frame per second, not several).
export class Ticker {
  now: number;
  private listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private gate: ((nowMs: number) => boolean) | null = null;

  constructor(private readonly clock: () => number = Date.now, private readonly intervalMs = 1000) {
    this.now = clock();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.timer === null) this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  };

  getNow = (): number => this.now;

  /**
   * Offers each new second to `gate` first (the clock painter): when it returns true the screen is
   * already right, and the listeners are not woken. They read the new time when they next draw.
   */
  setGate(gate: ((nowMs: number) => boolean) | null): void {
    this.gate = gate;
  }

  private schedule(): void {
    const wait = this.intervalMs - (this.clock() % this.intervalMs);
    this.timer = setTimeout(() => {
      this.now = this.clock();
      this.schedule();
      if (this.gate?.(this.now)) return;
      for (const l of this.listeners) l();
    }, wait);
    // The socket and stdin keep the process alive; the clock alone must not.
    this.timer.unref?.();
  }
}
