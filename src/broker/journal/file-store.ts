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
// Recovery: a crash can only leave the last write incomplete, and nothing in it was acknowledged,
// so a torn or unreadable tail is cut off with a warning. Anything else that does not verify (a
// changed record, a missing one, a bad record with good ones after it) means the file was altered
// or damaged after it was written: open refuses, because a broker built on a wrong history would
// answer wrongly and confidently.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../domain/events.js';
import { acquireLock, type HeldLock } from './lock.js';
import { syncDirectory, writeAll } from './file-ops.js';
import { readLines, type LinesRead } from './line-reader.js';
import {
  checkChainLine,
  checkRecordLine,
  encodeRecord,
  genesisHash,
  newHeaderLine,
  parseHeaderLine,
  parseRecordLine,
  type LineCheck,
} from './record-format.js';
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

/** What one pass over the journal found. */
interface Scanned extends LinesRead {
  epoch: string;
  lastSeq: number;
  lastHash: string;
  bad: { lineNo: number; offset: number; check: Exclude<LineCheck, { ok: true }> } | undefined;
}

interface Replayed extends Scanned {
  size: number;
  resumedAfter: number;
  warnings: string[];
}

/** Ends a pass early: the journal does not hold the checkpoint's position. */
class Rewind extends Error {}

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
      const replayed = await this.replay(this.handle, onRecord, resume);
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

  /**
   * Verifies every record, hands on those the caller does not already hold, and cuts a torn tail.
   * With a checkpoint, the records it covers are checked for their place in the chain only; if
   * the journal turns out not to hold the checkpoint's position, the caller is told and the whole
   * journal is replayed instead.
   */
  private async replay(handle: FileHandle, onRecord: (record: JournalRecord) => void, resume: ResumeFrom | undefined): Promise<Replayed> {
    let scanned = await this.scan(handle, onRecord, resume?.after);
    let rewound: string | undefined;
    if ('rewind' in scanned) {
      rewound = scanned.rewind;
      resume?.onRewind(rewound);
      scanned = await this.scan(handle, onRecord, undefined);
    }
    const result = scanned as Scanned; // a pass without a checkpoint never rewinds
    const warnings: string[] = [];
    if (rewound) warnings.push(`journal: not using the checkpoint (${rewound}); replayed the whole journal`);
    const { bad, tornAt, end, lastSeq } = result;
    const cut = bad?.offset ?? tornAt;
    if (cut !== undefined) {
      const dropped = end - cut;
      const next = lastSeq + 1;
      // Complete records are acknowledged only after their fdatasync, so an incomplete one never
      // was; a complete one failing its hash at the very end is rarer and worth saying so.
      const [kind, why] =
        bad?.check.problem === 'hash'
          ? ['damaged', `the record for seq ${next} did not match its hash; if it had been acknowledged, restore from backup`]
          : ['torn', `the record for seq ${next} was incomplete; it was never acknowledged`];
      await handle.truncate(cut);
      await handle.datasync();
      warnings.push(`journal: dropped a ${kind} tail of ${dropped} bytes after seq ${lastSeq} (${why})`);
    }
    return { ...result, size: cut ?? end, resumedAfter: resume && !rewound ? resume.after.seq : 0, warnings };
  }

  /**
   * One pass over the file. Records up to `after.seq` are only checked for their place in the
   * chain; later ones are parsed, checked and handed on at once, so no more than a chunk is held.
   * Ends early with `rewind` when the journal turns out not to hold `after`.
   */
  private async scan(
    handle: FileHandle,
    onRecord: (record: JournalRecord) => void,
    after: JournalPosition | undefined,
  ): Promise<Scanned | { rewind: string }> {
    let epoch = '';
    let lineNo = 0;
    let lastSeq = 0;
    let lastHash = '';
    /** The first record that did not verify; fatal unless nothing valid follows it. */
    let bad: Scanned['bad'];

    const takeLine = (line: string, offset: number): void => {
      lineNo++;
      if (lineNo === 1) {
        try {
          epoch = parseHeaderLine(line).epoch;
        } catch (err) {
          throw new Error(`${this.file} is not a journal this broker can read: ${(err as Error).message}. ${REFUSAL}`);
        }
        if (after && after.epoch !== epoch) throw new Rewind(`it was made for journal epoch ${after.epoch}, and this journal is epoch ${epoch}`);
        lastHash = genesisHash(line);
        return;
      }
      if (bad) {
        if (parseRecordLine(line) !== undefined) throw this.damaged(bad.lineNo, bad.check, lastSeq, 'and records follow it');
        return;
      }
      const held = after !== undefined && lastSeq < after.seq;
      const check = held ? checkChainLine(line, lastHash, lastSeq + 1) : checkRecordLine(line, lastHash, lastSeq + 1);
      if (check.ok) {
        lastSeq++;
        lastHash = 'record' in check ? check.record.hash : check.hash;
        if ('record' in check) onRecord(check.record);
        else if (lastSeq === after?.seq && lastHash !== after.hash) throw new Rewind(`this journal's record ${lastSeq} is not the one it was made from`);
      } else if (check.problem === 'seq') {
        // A crash cannot put a whole record in the wrong place; someone removed or moved records.
        throw this.damaged(lineNo, check, lastSeq);
      } else {
        bad = { lineNo, offset, check };
      }
    };

    let read;
    try {
      read = await readLines(handle, takeLine);
    } catch (err) {
      if (err instanceof Rewind) return { rewind: err.message };
      throw err;
    }
    if (lineNo === 0) {
      const why = read.end === 0 ? 'it is empty' : 'its header line is incomplete';
      throw new Error(`${this.file} is not a journal this broker can read: ${why}. ${REFUSAL}`);
    }
    if (after && lastSeq < after.seq) return { rewind: `it is at seq ${after.seq}, and this journal ends at seq ${lastSeq}` };
    return { epoch, lastSeq, lastHash, bad, ...read };
  }

  private damaged(lineNo: number, check: Exclude<LineCheck, { ok: true }>, lastGoodSeq: number, more?: string): Error {
    const which = check.problem === 'unreadable' ? `where seq ${lastGoodSeq + 1} should be` : `seq ${check.seq}`;
    return new Error(
      `${this.file} line ${lineNo} (${which}): ${check.detail}${more ? `, ${more}` : ''}. ` +
        `The journal was altered or damaged after it was written. ${REFUSAL}`,
    );
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

const REFUSAL = 'The broker refuses to start; restore the journal from a backup.';

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
