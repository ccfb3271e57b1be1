// Bounded memory for idempotency keys and the like: remembers at least the newest `limit` entries
// and at most twice that, in two generations. When the current generation fills it becomes the
// previous one and the oldest generation is dropped whole. Evicting one entry per insert from a
// Map looks O(1) but is not in V8 (each new iterator steps over every deleted slot), and copying
// to trim costs a second per million inserts; swapping generations costs nothing.
import type { UndoHolder } from './undo.js';

export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  readonly #holder: UndoHolder | undefined;

  /** With a holder, each `set` can be taken back while the holder has a log (see undo.ts). */
  constructor(
    private readonly limit: number,
    holder?: UndoHolder,
  ) {
    this.#holder = holder;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  get(key: K): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  has(key: K): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  /**
   * The entries as they are now, oldest first, read lazily: entries set after this call are not
   * reached (keys are only ever added, so the first N of each generation stay put).
   */
  entriesNow(): Iterable<[K, V]> {
    const { previous, current } = this;
    const previousSize = previous.size;
    const currentSize = current.size;
    return (function* () {
      yield* firstEntries(previous, previousSize);
      yield* firstEntries(current, currentSize);
    })();
  }

  /** A key set again while still in the previous generation is found in the current one first. */
  set(key: K, value: V): void {
    const log = this.#holder?.log;
    if (log) {
      const { current, previous } = this;
      const had = current.has(key);
      const old = current.get(key) as V;
      log.push(() => {
        this.current = current;
        this.previous = previous;
        if (had) current.set(key, old);
        else current.delete(key);
      });
    }
    this.current.set(key, value);
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}

/** The first `count` entries of a map, read lazily: entries added after the call are not reached. */
export function* firstEntries<K, V>(map: Map<K, V>, count: number): Generator<[K, V]> {
  if (count === 0) return;
  let taken = 0;
  for (const entry of map) {
    yield entry;
    if (++taken === count) return;
  }
}
