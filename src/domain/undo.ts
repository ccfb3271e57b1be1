// Taking back events that were folded but never made durable. The broker folds an event the
// moment it is appended, so the next command is decided against it (two claims: one winner); if
// the write then fails, the state must return to exactly what the journal holds before anyone is
// answered. The state's tables record how to undo each change while a log is attached; with none
// (replay, clients) they cost one property check per change.

/** The undo steps of the events folded since the last durable one, newest last. */
export class UndoLog {
  private steps: Array<{ seq: number; undo: () => void }> = [];
  private head = 0;
  private seq = 0;

  /** The changes that follow belong to the event with this seq. */
  begin(seq: number): void {
    this.seq = seq;
  }

  push(undo: () => void): void {
    this.steps.push({ seq: this.seq, undo });
  }

  /** The events up to `seq` are durable: their steps are no longer needed. */
  forgetThrough(seq: number): void {
    while (this.head < this.steps.length && this.steps[this.head]!.seq <= seq) this.head++;
    // Compact now and then rather than shift on every commit.
    if (this.head === this.steps.length) {
      this.steps = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.steps.length) {
      this.steps = this.steps.slice(this.head);
      this.head = 0;
    }
  }

  /** Undoes every change made by the events from `seq` on, newest first. */
  undoFrom(seq: number): void {
    while (this.steps.length > this.head && this.steps[this.steps.length - 1]!.seq >= seq) this.steps.pop()!.undo();
  }

  get pending(): number {
    return this.steps.length - this.head;
  }
}

/** Where a state's tables find the log of the moment (one holder shared by all of them). */
export interface UndoHolder {
  log: UndoLog | null;
}

/** A Map whose changes can be taken back while its holder has a log. */
export class UndoableMap<K, V> extends Map<K, V> {
  // Private fields, so comparing two states compares only what they hold.
  readonly #holder: UndoHolder;

  constructor(holder: UndoHolder) {
    super();
    this.#holder = holder;
  }

  override set(key: K, value: V): this {
    const log = this.#holder.log;
    if (log) {
      if (super.has(key)) {
        const old = super.get(key) as V;
        log.push(() => super.set(key, old));
      } else {
        log.push(() => super.delete(key));
      }
    }
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const log = this.#holder.log;
    if (log && super.has(key)) {
      const old = super.get(key) as V;
      log.push(() => super.set(key, old));
    }
    return super.delete(key);
  }
}

/** A Set whose changes can be taken back while its holder has a log. */
export class UndoableSet<T> extends Set<T> {
  readonly #holder: UndoHolder;

  constructor(holder: UndoHolder) {
    super();
    this.#holder = holder;
  }

  override add(value: T): this {
    const log = this.#holder.log;
    if (log && !super.has(value)) log.push(() => super.delete(value));
    return super.add(value);
  }

  override delete(value: T): boolean {
    const log = this.#holder.log;
    if (log && super.has(value)) log.push(() => super.add(value));
    return super.delete(value);
  }
}
