// The embedded journal: one append-only, hash-chained NDJSON file per data folder, the broker's
// source of truth. The line format is defined in record-format.ts; in short:
//
//   DATA/journal.ndjson
//     {"journal":"courtdesk","version":1,"epoch":"<uuid>","createdAt":"<ISO>"}          header
//     {"seq":1,"at":"<ISO>","actor":{..},"ref":"r1","event":{..},"hash":"<64 hex>"}     record
//     ...
//   hash = sha256hex(prevHash + body); body is the line without its `,"hash":".."` field;
//   prevHash of seq 1 is sha256hex(header line).
//   DATA/journal.lock holds the pid of the broker using the folder.
//
// Durability: a record is acknowledged (its `durable` resolves) only after its bytes are written
// and fdatasync'd. One writer takes everything queued while it was busy and writes it with one
// write and one fdatasync (group commit), which is what makes durable appends fast.
//
// Opening verifies the whole journal and recovers from a crash mid-write: see replay.ts.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../domain/events.js';
import { acquireLock, type HeldLock } from './lock.js';
import { syncDirectory, writeAll } from './file-ops.js';
import { encodeRecord, newHeaderLine } from './record-format.js';
import { replayJournal } from './replay.js';
import type { JournalPosition, JournalStore, NewRecord, OpenedJournal, ResumeFrom } from './store.js';

export const JOURNAL_FILE = 'journal.ndjson';
export const LOCK_FILE = 'journal.lock';

export interface FileJournalOptions {
  dir: string;
  now?: () => Date;
  log?: (msg: string) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Appends that will share one write and one fdatasync. */
interface Group {
  lines: string[];
  records: JournalRecord[];
  waiters: Waiter[];
}

const newGroup = (): Group => ({ lines: [], records: [], waiters: [] });

export class FileJournalStore implements JournalStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly now: () => Date;
  private readonly log: (msg: string) => void;
  private readonly listeners: Array<(records: JournalRecord[]) => void> = [];

  private phase: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private opening: Promise<unknown> | undefined;
  private handle: FileHandle | undefined;
  private lock: HeldLock | undefined;

  private epoch = '';
  private nextSeq = 1;
  private prevHash = '';
  /** File offset where the next write goes (the end of the last good record). */
  private size = 0;

  private queued: Group = newGroup();
  private inflight: Group | undefined;
  private writeScheduled = false;
  private writing = false;
  private failure: Error | undefined;

  constructor(options: FileJournalOptions) {
    this.dir = options.dir;
    this.file = join(options.dir, JOURNAL_FILE);
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => {});
  }

  open(onRecord: (record: JournalRecord) => void, resume?: ResumeFrom): Promise<OpenedJournal> {
    if (this.phase !== 'new') {
      return Promise.reject(new Error(`the journal in ${this.dir} was already opened; make a new store to open it again`));
    }
    this.phase = 'opening';
    const opening = this.openAndReplay(onRecord, resume);
    this.opening = opening.catch(() => {});
    return opening;
  }

  private async openAndReplay(onRecord: (record: JournalRecord) => void, resume: ResumeFrom | undefined): Promise<OpenedJournal> {
    try {
      // The journal holds court users' messages: readable by the broker's user alone.
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.lock = await acquireLock(join(this.dir, LOCK_FILE), this.dir, this.log);
      this.handle = await this.openOrCreate();
      const replayed = await replayJournal(this.handle, this.file, onRecord, resume);
      this.epoch = replayed.epoch;
      this.nextSeq = replayed.lastSeq + 1;
      this.prevHash = replayed.lastHash;
      this.size = replayed.size;
      this.phase = 'open';
      const { epoch, lastSeq, lastHash, resumedAfter, warnings } = replayed;
      return { epoch, lastSeq, lastHash, resumedAfter, warnings };
    } catch (err) {
      await this.handle?.close().catch(() => {});
      this.handle = undefined;
      await this.lock?.release().catch(() => {});
      this.lock = undefined;
      this.phase = 'closed';
      throw err;
    }
  }

  /** Opens the journal, first creating it with a fresh epoch if the folder has none. */
  private async openOrCreate(): Promise<FileHandle> {
    try {
      return await fs.open(this.file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Written aside and renamed into place, so a crash never leaves a journal without its header.
    const fresh = `${this.file}.new`;
    const handle = await fs.open(fresh, 'w', 0o600);
    try {
      await handle.writeFile(`${newHeaderLine(this.now())}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(fresh, this.file);
    await syncDirectory(this.dir);
    return fs.open(this.file, 'r+');
  }

  append(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> } {
    if (this.phase !== 'open') {
      throw new Error(this.phase === 'new' || this.phase === 'opening' ? 'the journal is not open yet' : 'the journal is closed');
    }
    if (batch.length === 0) return { records: [], durable: this.flush() };
    // Encode everything before changing any state, so a bad event throws without leaving a gap.
    const at = this.now().toISOString();
    const records: JournalRecord[] = [];
    const lines: string[] = [];
    let prevHash = this.prevHash;
    let seq = this.nextSeq;
    for (const item of batch) {
      checkNewRecord(item);
      const { record, line } = encodeRecord(prevHash, seq, at, item.actor, item.ref, item.event);
      records.push(record);
      lines.push(`${line}\n`);
      prevHash = record.hash;
      seq++;
    }
    this.prevHash = prevHash;
    this.nextSeq = seq;

    if (this.failure) return { records, durable: Promise.reject(this.failure) };
    const group = this.queued;
    for (const line of lines) group.lines.push(line);
    for (const record of records) group.records.push(record);
    const durable = new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    this.scheduleWrite();
    return { records, durable };
  }

  position(): JournalPosition {
    // Computed when asked (a checkpoint, every few minutes at most) rather than kept up to date on
    // every append: the bytes still queued or being written come after `size`.
    const pending = [...(this.inflight?.lines ?? []), ...this.queued.lines].reduce((n, line) => n + Buffer.byteLength(line), 0);
    return { epoch: this.epoch, seq: this.nextSeq - 1, hash: this.prevHash, offset: this.size + pending };
  }

  onCommit(listener: (records: JournalRecord[]) => void): void {
    this.listeners.push(listener);
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const group = this.queued.lines.length > 0 ? this.queued : this.inflight;
    if (!group) return Promise.resolve();
    return new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.phase === 'opening') await this.opening;
    if (this.phase === 'new' || this.phase === 'closed') {
      this.phase = 'closed';
      return;
    }
    if (this.phase === 'closing') throw new Error('the journal is already closing');
    this.phase = 'closing';
    let failed: unknown;
    try {
      await this.flush();
    } catch (err) {
      failed = err;
    }
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    await this.lock?.release();
    this.lock = undefined;
    this.phase = 'closed';
    if (failed) throw failed;
  }

  /**
   * Waits a turn of the event loop before writing, so appends made by everything that arrived in
   * the same turn (one socket read, one HTTP request burst) share the first write.
   */
  private scheduleWrite(): void {
    if (this.writeScheduled || this.writing) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      void this.writeQueued();
    });
  }

  /** The single writer: one write and one fdatasync per group, never two in flight. */
  private async writeQueued(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.queued.lines.length > 0 && !this.failure) {
      const group = this.queued;
      this.queued = newGroup();
      this.inflight = group;
      try {
        const bytes = Buffer.from(group.lines.join(''), 'utf8');
        await writeAll(this.handle as FileHandle, bytes, this.size);
        await (this.handle as FileHandle).datasync();
        this.size += bytes.length;
      } catch (err) {
        // What reached the disk is unknown now, so nothing after this point can be trusted: fail
        // this group and everything after it rather than retry into a possibly half-written file.
        this.failure = new Error(
          `journal: writing ${this.file} failed (${(err as Error).message}); records from seq ${group.records[0]?.seq} ` +
            'on are not durable and the broker must stop',
          { cause: err },
        );
        for (const w of group.waiters) w.reject(this.failure);
        for (const w of this.queued.waiters) w.reject(this.failure);
        this.queued = newGroup();
        break;
      } finally {
        this.inflight = undefined;
      }
      for (const w of group.waiters) w.resolve();
      for (const listener of this.listeners) {
        try {
          listener(group.records);
        } catch (err) {
          this.log(`journal: an onCommit listener threw: ${(err as Error).stack ?? String(err)}`);
        }
      }
    }
    this.writing = false;
  }
}

/** A record the replay could not read back would stop the broker on its next start. */
function checkNewRecord(item: NewRecord): void {
  const { actor, ref, event } = (item ?? {}) as Partial<NewRecord>;
  if (typeof actor !== 'object' || actor === null || typeof actor.kind !== 'string' || typeof actor.name !== 'string') {
    throw new TypeError('journal append: each record needs an actor {kind, name}');
  }
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
    throw new TypeError('journal append: each record needs an event with a string type');
  }
  if (ref !== undefined && typeof ref !== 'string') throw new TypeError('journal append: ref must be a string when given');
}
