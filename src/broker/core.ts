// The broker's heart: the journal, the state folded from it, and the recent history kept for
// resuming clients. Events are folded into state the moment they are appended (so the next
// command already sees them: one claim wins), but nobody hears of them until they are durable,
// and if the write fails they are taken back out (undo.ts) before anyone is answered. On a shared
// journal the store decides too, inside its transaction (JournalStore.appendDecided).
// A checkpoint of the state is written at shutdown and every so often, so a start folds only the
// events after it (the whole journal is still verified).
import { join } from 'node:path';
import type { State } from '../domain/enquiry.js';
import { emptyState } from '../domain/enquiry.js';
import type { JournalRecord } from '../domain/events.js';
import { applyEvent } from '../domain/reducer.js';
import { UndoLog } from '../domain/undo.js';
import type { EventEntry } from '../protocol/frames.js';
import { CHECKPOINT_FILE, openCheckpoint, removeCheckpoint, removeStaleCheckpoints, writeCheckpoint, type Checkpoint } from './journal/checkpoint.js';
import { captureState } from './journal/checkpoint-format.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournalUnavailableError, type JournalHealth, type JournalStore, type NewRecord, type OpenedJournal } from './journal/store.js';

/** How often an outcome that could not be recorded is tried again. */
const RECORD_RETRY_MS = 1000;

export interface CoreOptions {
  /** How many durable events stay in memory for resuming clients; older gaps get a fresh snapshot. */
  recentLimit: number;
  /** The folder for checkpoints; none are read or written without one. */
  checkpointDir?: string;
  /** Durable events after which a checkpoint is written while serving (0: only at shutdown). */
  checkpointEvery: number;
  /** The least time between two checkpoints written while serving: each costs seconds of CPU on a big state. */
  checkpointMinIntervalMs: number;
  log: (line: string) => void;
}

export interface CoreOpened {
  warnings: string[];
  /** The checkpoint's seq when the start folded only what came after it; 0 for a full replay. */
  resumedAfter: number;
  lastSeq: number;
}

export class BrokerCore {
  state: State = emptyState();
  epoch = '';
  /** The highest seq known to be on disk. */
  durableSeq = 0;
  /** Durable records kept for resuming clients; wire entries are built only when one is needed. */
  private recent: JournalRecord[] = [];
  private readonly commitListeners: Array<(entries: EventEntry[], remote: boolean) => void> = [];
  private checkpointedSeq = 0;
  private checkpointStartedAt = 0;
  private checkpointing: Promise<void> | undefined;
  /** How to take back what was folded but is not yet durable. */
  private readonly undo = new UndoLog();
  private closing = false;
  /** No client resumes from before this seq (the last retention run). */
  private resumeFloor = 0;

  constructor(
    private readonly store: JournalStore,
    private readonly options: CoreOptions,
  ) {}

  async open(): Promise<CoreOpened> {
    const dir = this.options.checkpointDir;
    let checkpoint: Checkpoint | undefined;
    let warning: string | undefined;
    try {
      if (dir) await this.fetchSharedCheckpoint(dir);
      checkpoint = dir ? await openCheckpoint(dir) : undefined;
    } catch (err) {
      warning = `checkpoint: not using ${join(dir!, CHECKPOINT_FILE)}: ${(err as Error).message}; replaying the whole journal`;
    }
    // Until the store has replayed, nothing but the fold has seen an enquiry: it may change them in place.
    const replaying = (state: State): State => {
      state.replay.inPlace = true;
      return state;
    };
    replaying(this.state);
    let opened: OpenedJournal;
    try {
      // History from before this start is not kept for resuming: a client that missed events before
      // a restart takes a fresh snapshot. Holding a million replayed records until they were trimmed
      // cost seconds of garbage collection at start.
      opened = await this.store.open(
        (record) => applyEvent(this.state, record),
        checkpoint && {
          after: checkpoint.position,
          load: async () => {
            this.state = replaying(await checkpoint.load());
          },
          onRewind: () => {
            this.state = replaying(emptyState());
          },
        },
      );
    } finally {
      this.state.replay.inPlace = false;
    }
    // Only now, holding the journal's lock: no other broker can be writing one of these.
    if (dir) await removeStaleCheckpoints(dir, this.options.log);
    await this.finishRemovals();
    this.epoch = opened.epoch;
    this.durableSeq = opened.lastSeq;
    this.checkpointedSeq = opened.resumedAfter;
    this.checkpointStartedAt = Date.now();
    this.state.undo.log = this.undo;
    this.store.onFailure((fromSeq) => this.undo.undoFrom(fromSeq));
    this.store.onCommit((records, remote) => {
      // Another node's records: the store hands them on only while nothing of this node's is folded but not durable.
      if (remote) for (const record of records) applyEvent(this.state, record);
      this.durableSeq = records[records.length - 1]?.seq ?? this.durableSeq;
      this.undo.forgetThrough(this.durableSeq);
      for (const record of records) this.remember(record);
      const entries = records.map(entryOf);
      for (const listener of this.commitListeners) listener(entries, remote);
      this.checkpointIfDue();
    });
    return { warnings: warning ? [warning, ...opened.warnings] : opened.warnings, resumedAfter: opened.resumedAfter, lastSeq: opened.lastSeq };
  }

  /**
   * Appends and folds at once; `durable` resolves when the events are on disk. Throws
   * JournalUnavailableError (nothing folded) while the journal cannot be written; if the write
   * fails later the events are taken back out of the state before `durable` rejects.
   */
  record(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> } {
    if (!this.store.append) throw new Error('a shared journal decides inside its own transaction: record with recordDecided');
    const appended = this.store.append(batch);
    for (const record of appended.records) applyEvent(this.state, record);
    return appended;
  }

  /**
   * For the outcome of something already done outside (a reply or court email sent): while the
   * journal cannot write, it is kept and tried again every second rather than lost, so the thing
   * is not done twice. Rejects only if the journal fails for good or the broker stops.
   */
  async recordEventually(batch: NewRecord[]): Promise<void> {
    for (;;) {
      try {
        await this.recordDecided(() => batch);
        return;
      } catch (err) {
        if (!(err instanceof JournalUnavailableError) || err.health.state === 'failed' || this.closing) throw err;
        await sleep(RECORD_RETRY_MS);
      }
    }
  }

  /**
   * Decides with `decide` against the state and records what it returns (nothing when it returns
   * no records). On a shared journal the store runs `decide` inside the transaction that writes
   * it, against the state caught up to the journal's head: no other node's record can come
   * between. Resolves with the records once durable.
   */
  async recordDecided(decide: () => NewRecord[]): Promise<JournalRecord[]> {
    if (this.store.appendDecided) {
      return this.store.appendDecided(decide, (records) => {
        for (const record of records) applyEvent(this.state, record);
      });
    }
    const batch = decide();
    if (batch.length === 0) return [];
    const { records, durable } = this.record(batch);
    await durable;
    return records;
  }

  /** `remote` is true for events another broker node recorded (a shared journal): this node has folded them already when listeners hear. */
  onCommit(listener: (entries: EventEntry[], remote: boolean) => void): void {
    this.commitListeners.push(listener);
  }

  /**
   * Retention's last step, after its event is durable: the checkpoint on disk (which may hold the
   * content in the clear) goes first, then the keys, then the copies kept for resuming clients.
   * A crash anywhere in between leaves the event, and the next start finishes the job.
   */
  async removeContent(enquiryIds: readonly string[], removedOn: string): Promise<number> {
    const dir = this.options.checkpointDir;
    if (dir) await removeCheckpoint(dir);
    await this.store.sharedCheckpoint?.remove();
    this.checkpointedSeq = 0;
    const destroyed = await this.store.removeContent(new Set(enquiryIds), removedOn);
    // Clients resuming after this take a fresh snapshot, which reads as removed.
    this.recent = [];
    this.resumeFloor = this.durableSeq;
    return destroyed;
  }

  /** On a shared journal, a newer checkpoint another node wrote replaces the folder's (a new node has none). */
  private async fetchSharedCheckpoint(dir: string): Promise<void> {
    const shared = this.store.sharedCheckpoint;
    if (!shared) return;
    const local = await openCheckpoint(dir).catch(() => undefined);
    try {
      if (await shared.fetchInto(dir, local?.position.seq ?? 0)) this.options.log('checkpoint: starting from the newest checkpoint kept in the shared journal');
    } catch (err) {
      this.options.log(`checkpoint: could not read the shared journal's checkpoint (${(err as Error).message}); starting from this folder's`);
    }
  }

  /** Finishes removals a retention run recorded but was stopped before completing. */
  private async finishRemovals(): Promise<void> {
    const byDate = new Map<string, string[]>();
    for (const e of this.state.enquiries.values()) {
      if (e.contentRemovedOn) byDate.set(e.contentRemovedOn, [...(byDate.get(e.contentRemovedOn) ?? []), e.id]);
    }
    let finished = 0;
    for (const [on, ids] of byDate) {
      const live = await this.store.removeContent(new Set(ids), on);
      if (live > 0) {
        if (this.options.checkpointDir) await removeCheckpoint(this.options.checkpointDir);
        await this.store.sharedCheckpoint?.remove();
        finished += live;
      }
    }
    if (finished > 0) this.options.log(`retention: finished a removal that was cut short: destroyed ${finished} more content key(s)`);
  }

  /**
   * What a resuming client missed after `seq`: from memory, or, on a store that reads history back
   * (a shared journal, where the client may come from a node that started earlier), from the
   * store for what memory does not hold. Null when neither can say: the client takes a snapshot.
   */
  async missedSince(seq: number): Promise<EventEntry[] | null> {
    const inMemory = this.eventsAfter(seq);
    // Past retention's last run, a snapshot (which reads as removed) is given instead.
    if (inMemory || seq > this.durableSeq || seq < this.resumeFloor || this.durableSeq - seq > this.options.recentLimit) return inMemory;
    const firstHeld = this.recent[0]?.seq ?? this.durableSeq + 1;
    const older = await this.store.recordsBetween(seq, firstHeld - 1).catch((err: Error) => {
      this.options.log(`resume: could not read seq ${seq + 1}-${firstHeld - 1} back from the journal (${err.message}); the client takes a fresh snapshot`);
      return null;
    });
    if (!older || older.length !== firstHeld - 1 - seq) return null;
    const newer = this.eventsAfter(firstHeld - 1);
    return newer && [...older.map(entryOf), ...newer];
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

  /**
   * Resolves once everything folded up to `seq` is durable, rejecting if the write fails (and
   * the state no longer holds it): what a reader saw at `seq` may then be shown.
   */
  durableThrough(seq: number): Promise<void> {
    return seq <= this.durableSeq ? Promise.resolve() : this.store.flush();
  }

  health(): JournalHealth {
    return this.store.health();
  }

  onHealth(listener: (health: JournalHealth) => void): void {
    this.store.onHealth(listener);
  }

  /** Writes a last checkpoint (unless nothing happened since the one before, or `checkpoint` is false), then closes the journal. */
  async close({ checkpoint = true }: { checkpoint?: boolean } = {}): Promise<void> {
    this.closing = true;
    await this.checkpointing;
    // After a failed fsync nothing more is written: the next start reads back what the disk holds.
    if (checkpoint && this.state.seq > this.checkpointedSeq && this.store.health().state !== 'failed') await this.checkpoint(false);
    await this.store.close();
  }

  private checkpointIfDue(): void {
    const { checkpointEvery, checkpointMinIntervalMs } = this.options;
    if (this.checkpointing || checkpointEvery === 0 || this.durableSeq - this.checkpointedSeq < checkpointEvery) return;
    if (Date.now() - this.checkpointStartedAt < checkpointMinIntervalMs) return;
    this.checkpointing = this.checkpoint(true).finally(() => (this.checkpointing = undefined));
  }

  /** Never rejects: a checkpoint that could not be written only makes the next start slower. */
  private async checkpoint(paced: boolean): Promise<void> {
    const dir = this.options.checkpointDir;
    if (!dir || this.state.seq === 0) return;
    this.checkpointStartedAt = Date.now();
    // Every record appended is folded at once, so the state is exactly as of the store's position.
    const capture = captureState(this.state, this.store.position());
    try {
      // The state may hold events not yet on disk; the checkpoint must not get ahead of the journal.
      await this.store.flushForCheckpoint();
      await writeCheckpoint(dir, capture, { paced });
      this.checkpointedSeq = Math.max(this.checkpointedSeq, capture.position.seq);
      await this.store.sharedCheckpoint?.publish(dir, capture.position).catch((err: Error) => {
        this.options.log(`warning: checkpoint at seq ${capture.position.seq} written here but not shared (${err.message}); a new node replays more of the journal`);
      });
    } catch (err) {
      this.options.log(`warning: checkpoint at seq ${capture.position.seq} not written (${(err as Error).message}); the next start replays more of the journal`);
    }
  }

  private remember(record: JournalRecord): void {
    this.recent.push(record);
    // Trim in chunks: dropping one element per event would make every append O(n).
    if (this.recent.length > this.options.recentLimit * 1.25) this.recent = this.recent.slice(this.recent.length - this.options.recentLimit);
  }
}

function entryOf(record: JournalRecord): EventEntry {
  return { seq: record.seq, at: record.at, actor: record.actor, event: record.event };
}
