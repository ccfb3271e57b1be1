// Timers dialogs set through their host (the court search waits for typing to pause), one per
// name, so setting one again replaces it and closing the workbench clears them all.
export class NamedTimers {
  private timers = new Map<string, NodeJS.Timeout>();

  /** Runs `run` after `ms` under `name`, replacing what ran under it; null `ms` only cancels. */
  set(name: string, ms: number | null, run?: () => void): void {
    const running = this.timers.get(name);
    if (running) clearTimeout(running);
    this.timers.delete(name);
    if (ms === null || !run) return;
    const t = setTimeout(() => {
      this.timers.delete(name);
      run();
    }, ms);
    t.unref?.();
    this.timers.set(name, t);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
