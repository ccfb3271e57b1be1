// The journal behind an interface, so a PostgreSQL store can sit beside the embedded file store.
import type { Actor, CourtdeskEvent, JournalRecord } from '../../domain/events.js';
import type { DeliveryLeases } from './delivery-leases.js';
import type { SharedTokens } from './pg-tokens.js';
import type { SharedCheckpoint } from './pg-checkpoint.js';

/** An event the broker wants recorded; the store gives it its seq, time and hash. */
export interface NewRecord {
  actor: Actor;
  ref?: string;
  event: CourtdeskEvent;
}

/** A point in one journal's history: the record `seq` of journal `epoch`, whose hash is `hash`. */
export interface JournalPosition {
  epoch: string;
  /** The epoch in the journal's header: which journal this is (`epoch` moves on after a journal.epoch-started record). */
  fileEpoch: string;
  seq: number;
  hash: string;
  /** Where the store keeps the next record (the file store: the byte just past this record's newline). */
  offset: number;
}

/** A checkpoint of the caller's state, so replay can skip folding what it holds. */
export interface ResumeFrom {
  /** Records up to here are verified but not handed to `onRecord`. */
  after: JournalPosition;
  /**
   * Loads the checkpoint's state into the caller. The store calls it once it has found `after`
   * in the journal, verifies the records before it meanwhile, and hands on later records only
   * once it resolves. A rejection counts as a checkpoint the journal does not match.
   */
  load(): Promise<void>;
  /**
   * Called, before any record is handed over, when the journal does not hold `after` (another
   * epoch, a different record at that seq, a journal that ends before it) or `load` failed:
   * every record from seq 1 is handed over instead, so the caller must start from empty state.
   */
  onRewind(why: string): void;
}

export interface OpenedJournal {
  /** Identifies this journal's history; a client holding another epoch must take a fresh snapshot. */
  epoch: string;
  /** The seq of the last good record (0 when empty). */
  lastSeq: number;
  /** Its hash (for an empty journal, the hash record 1 will chain to). */
  lastHash: string;
  /** The seq after which records were handed to `onRecord`: the checkpoint's, or 0 for all of them. */
  resumedAfter: number;
  /** Human-readable warnings, e.g. a torn tail that was truncated. */
  warnings: string[];
}

/**
 * How well the store can write. `degraded`: a write failed and was cut back out of the file, so
 * nothing half-written remains; appends are refused until a test write succeeds again, which the
 * store tries by itself. `failed`: an fsync failed, after which the kernel may have dropped pages
 * it was asked to write, so no later write can be trusted (PostgreSQL's rule): the broker stops,
 * and a restart reads back what the disk really holds.
 */
export type JournalHealth =
  | { state: 'ok' }
  | { state: 'degraded'; reason: string; since: string }
  | { state: 'failed'; reason: string; since: string };

/**
 * Refusal of an append, or the failure of one that was accepted. `uncertain` means the store
 * could not prove the records are absent from the file (the cut-back failed too): nobody may be
 * told either way, and the broker stops so a restart can read what is there.
 */
export class JournalUnavailableError extends Error {
  constructor(
    message: string,
    readonly health: Exclude<JournalHealth, { state: 'ok' }>,
    readonly uncertain = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface JournalStore {
  /**
   * Reads and verifies the whole journal, handing each record to `onRecord` in seq order (only
   * those after `resume.after` when the journal holds that position), then readies the store for
   * appends. Creates an empty journal (new epoch) when there is none. Rejects with a clear message
   * when the hash chain breaks anywhere but a torn tail, checkpoint or not.
   */
  open(onRecord: (record: JournalRecord) => void, resume?: ResumeFrom): Promise<OpenedJournal>;

  /**
   * A journal only this broker writes (the file store; a store has this or appendDecided). Gives
   * the events their seq, time and hash at once (so the caller can fold them into its state
   * before anything else happens) and queues them for disk. `durable` resolves once they are
   * fsynced; many appends share one fsync (group commit). Order on disk is the order of calls.
   * Throws JournalUnavailableError at once while the store cannot write; `durable` rejects with
   * one when the write fails, after `onFailure` listeners have run.
   */
  append?(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> };

  /**
   * A journal several nodes write (PostgreSQL). Decisions made against this node's state could be
   * overtaken by another node's records, so the store runs `decide` itself, inside the transaction
   * that writes what it returns, once it holds the head and has handed on every record before it
   * (`onCommit`, remote); no other node can append until that transaction ends. `fold` gets the
   * records at once, so the next decision sees them. Resolves with them once committed ([] when
   * `decide` returned none); rejects with what `decide` threw, or a JournalUnavailableError while
   * the store cannot write, after `onFailure` listeners have taken folded records back.
   */
  appendDecided?(decide: () => NewRecord[], fold: (records: JournalRecord[]) => void): Promise<JournalRecord[]>;

  /**
   * Called synchronously, before any promise of theirs rejects, when the records from `fromSeq`
   * on will never be durable: the next append reuses their seqs, so the caller takes them back
   * out of its state before anything else can happen.
   */
  onFailure(listener: (fromSeq: number) => void): void;

  health(): JournalHealth;

  /** Called whenever `health()` changes. */
  onHealth(listener: (health: JournalHealth) => void): void;

  /** Where the last record appended so far stands (durable or not), for a checkpoint of the state folded up to it. */
  position(): JournalPosition;

  /**
   * Called after each group commit with the records it made durable, in seq order. `remote` is
   * true for records another broker node appended to a shared journal: the caller has not folded
   * them yet (they come only while nothing of this node's is folded but uncommitted). Every record
   * reaches the listeners once, in seq order, with no gaps.
   */
  onCommit(listener: (records: JournalRecord[], remote: boolean) => void): void;

  /**
   * The durable records after `afterSeq` through `throughSeq`, read back and verified, or null
   * when this store does not read history back while serving (the file store: a client resuming
   * from before what the broker holds in memory takes a fresh snapshot). On a shared journal this
   * lets a client resume on a node that started after the events it missed.
   */
  recordsBetween(afterSeq: number, throughSeq: number): Promise<JournalRecord[] | null>;

  /** Resolves when everything appended so far is durable. */
  flush(): Promise<void>;

  /** Like flush, and also makes durable what a checkpoint up to here relies on besides the journal. */
  flushForCheckpoint(): Promise<void>;

  /**
   * Destroys the content keys of these enquiries (retention), so the personal content the journal
   * holds of them can no longer be read; the records and their hashes stay. Resolves with how
   * many keys were destroyed (0 when none were left, as after a run that finished).
   */
  removeContent(enquiryIds: ReadonlySet<string>, removedOn: string): Promise<number>;

  /**
   * Who sends each outbound delivery: this process alone on a file journal; on a shared one, the
   * node holding its lease, which lapses `leaseMs` after its holder stops renewing it.
   */
  deliveryLeases(leaseMs: number): DeliveryLeases;

  /** Where the tokens of every node sharing this journal meet; undefined for a journal only this broker uses. */
  sharedTokens(): SharedTokens | undefined;

  /** Where the newest checkpoint of every node sharing this journal is kept; undefined for a journal only this broker uses. */
  readonly sharedCheckpoint: SharedCheckpoint | undefined;

  /** Flushes, then releases the file or connection. */
  close(): Promise<void>;
}
