// The journal behind an interface, so a PostgreSQL store can sit beside the embedded file store.
import type { Actor, CourtdeskEvent, JournalRecord } from '../../domain/events.js';

/** An event the broker wants recorded; the store gives it its seq, time and hash. */
export interface NewRecord {
  actor: Actor;
  ref?: string;
  event: CourtdeskEvent;
}

export interface OpenedJournal {
  /** Identifies this journal's history; a client holding another epoch must take a fresh snapshot. */
  epoch: string;
  /** The seq of the last good record (0 when empty). */
  lastSeq: number;
  /** Human-readable warnings, e.g. a torn tail that was truncated. */
  warnings: string[];
}

export interface JournalStore {
  /**
   * Reads and verifies the whole journal, handing each record to `onRecord` in seq order, then
   * readies the store for appends. Creates an empty journal (new epoch) when there is none.
   * Rejects with a clear message when the hash chain breaks anywhere but a torn tail.
   */
  open(onRecord: (record: JournalRecord) => void): Promise<OpenedJournal>;

  /**
   * Gives the events their seq, time and hash at once (so the caller can fold them into its state
   * before anything else happens) and queues them for disk. `durable` resolves once they are
   * fsynced; many appends share one fsync (group commit). Order on disk is the order of calls.
   */
  append(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> };

  /** Called after each group commit with the records it made durable, in seq order. */
  onCommit(listener: (records: JournalRecord[]) => void): void;

  /** Resolves when everything appended so far is durable. */
  flush(): Promise<void>;

  /** Flushes, then releases the file or connection. */
  close(): Promise<void>;
}
