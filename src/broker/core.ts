// The broker's heart: the journal, the state folded from it, and the recent history kept for
// resuming clients. Events are folded into state the moment they are appended (so the next
// command already sees them: one claim wins), but nobody hears of them until they are durable.
import type { State } from '../domain/enquiry.js';
import { emptyState } from '../domain/enquiry.js';
import type { JournalRecord } from '../domain/events.js';
import { applyEvent } from '../domain/reducer.js';
import type { EventEntry } from '../protocol/frames.js';
import type { JournalStore, NewRecord } from './journal/store.js';

export class BrokerCore {
  readonly state: State = emptyState();
  epoch = '';
  /** The highest seq known to be on disk. */
  durableSeq = 0;
  /** Durable records kept for resuming clients; wire entries are built only when one is needed. */
  private recent: JournalRecord[] = [];
  private readonly commitListeners: Array<(entries: EventEntry[]) => void> = [];

  constructor(
    private readonly store: JournalStore,
    /** How many durable events stay in memory for resuming clients; older gaps get a fresh snapshot. */
    private readonly recentLimit: number,
  ) {}

  async open(): Promise<string[]> {
    // History from before this start is not kept for resuming: a client that missed events before
    // a restart takes a fresh snapshot. Holding a million replayed records until they were trimmed
    // cost seconds of garbage collection at start.
    const opened = await this.store.open((record) => applyEvent(this.state, record));
    this.epoch = opened.epoch;
    this.durableSeq = opened.lastSeq;
    this.store.onCommit((records) => {
      this.durableSeq = records[records.length - 1]?.seq ?? this.durableSeq;
      for (const record of records) this.remember(record);
      const entries = records.map(entryOf);
      for (const listener of this.commitListeners) listener(entries);
    });
    return opened.warnings;
  }

  /** Appends and folds at once; `durable` resolves when the events are on disk. */
  record(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> } {
    const appended = this.store.append(batch);
    for (const record of appended.records) applyEvent(this.state, record);
    return appended;
  }

  onCommit(listener: (entries: EventEntry[]) => void): void {
    this.commitListeners.push(listener);
  }

  /** Durable events after `seq`, or null when they are no longer all in memory. */
  eventsAfter(seq: number): EventEntry[] | null {
    if (seq > this.durableSeq) return null;
    if (seq === this.durableSeq) return [];
    const first = this.recent[0];
    if (!first || first.seq > seq + 1) return null;
    return this.recent.slice(seq + 1 - first.seq).map(entryOf);
  }

  flush(): Promise<void> {
    return this.store.flush();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private remember(record: JournalRecord): void {
    this.recent.push(record);
    // Trim in chunks: dropping one element per event would make every append O(n).
    if (this.recent.length > this.recentLimit * 1.25) this.recent = this.recent.slice(this.recent.length - this.recentLimit);
  }
}

function entryOf(record: JournalRecord): EventEntry {
  return { seq: record.seq, at: record.at, actor: record.actor, event: record.event };
}
