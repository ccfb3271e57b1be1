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
// A failed write (disk full, EIO) is cut back out of the file (truncate to the end of the last
// durable record, then fsync) before anyone is told, so a refused record can never come back
// after a restart; the store is then degraded, refuses appends and tries a small test write every
// second until one succeeds. A failed fsync is different: the kernel may have dropped pages it
// had accepted, so the store fails for good and the broker stops (see JournalHealth in store.ts).
//
// Opening verifies the whole journal and recovers from a crash mid-write: see replay.ts.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord } from '../../domain/events.js';
import { acquireLock, type HeldLock } from './lock.js';
import { diskFiles, syncDirectory, writeAll, type JournalFile, type JournalFiles } from './file-ops.js';
import { encodeRecord, newHeaderLine } from './record-format.js';
import { replayJournal, type Repair } from './replay.js';
import { CONTENT_KEYS_FILE, ContentKeys } from './content-keys.js';
import { openEvent, sealedKeyId } from './sealing.js';
import { encodeBatch } from './append-batch.js';
import { LocalLeases, type DeliveryLeases } from './delivery-leases.js';
import type { JournalPosition, JournalStore, NewRecord, OpenedJournal, ResumeFrom } from './store.js';
import { rejectAll, StoreSignals, waitOn, type Unhealthy, type Waiter } from './store-signals.js';

export const JOURNAL_FILE = 'journal.ndjson';
export const LOCK_FILE = 'journal.lock';
/** Written and removed by the test write that tells a degraded store the disk takes writes again. */
export const PROBE_FILE = 'journal.probe';
const PROBE_BYTES = Buffer.alloc(64 * 1024, 0x20);

export interface FileJournalOptions {
  dir: string;
  now?: () => Date;
  log?: (msg: string) => void;
  /** How files are opened; tests pass one that fails on cue. Default node:fs. */
  files?: JournalFiles;
  /** How often a degraded store tries its test write. Default 1,000 ms. */
  probeIntervalMs?: number;
  /** Losses the operator accepted at this start (--truncate-journal-at, --accept-lost-records). */
  repair?: Repair;
  /**
   * Seal personal content under per-enquiry keys (content-keys.ndjson), so retention can remove
   * it by destroying keys. Default true; off only to measure what sealing costs.
   */
  sealContent?: boolean;
}

type Step = 'writing' | 'syncing';

/** Appends that will share one write and one fdatasync. */
interface Group {
  lines: string[];
  /** Content-key lines this group's records need on disk (see content-keys.ts). */
  keyLines: { urgent: string[]; gifts: Array<[string, string]> };
  records: JournalRecord[];
  waiters: Waiter[];
}

const newGroup = (): Group => ({ lines: [], keyLines: { urgent: [], gifts: [] }, records: [], waiters: [] });

export class FileJournalStore extends StoreSignals implements JournalStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly now: () => Date;
  private readonly files: JournalFiles;
  private readonly probeIntervalMs: number;
  private readonly repair: Repair;
  private readonly sealContent: boolean;
  /** The content keys, when content is sealed or the journal holds sealed content. */
  private keys: ContentKeys | undefined;

  private phase: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private opening: Promise<unknown> | undefined;
  private handle: JournalFile | undefined;
  private lock: HeldLock | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  private epoch = '';
  private fileEpoch = '';
  /** The next record's seq and the hash it chains to (counting appends not yet durable). */
  private nextSeq = 1;
  private prevHash = '';
  /** The last durable record, where the chain restarts after a failed write. */
  private durableSeq = 0;
  private durableHash = '';
  /** File offset where the next write goes (the end of the last durable record). */
  private size = 0;

  private queued: Group = newGroup();
  private inflight: Group | undefined;
  private writeScheduled = false;
  private writing = false;
  /** The writer's current run, which close waits for: a failed write is still being cut back after its waiters hear. */
  private writer: Promise<void> = Promise.resolve();

  constructor(options: FileJournalOptions) {
    super(options.log ?? (() => {}), ' after a failed fsync');
    this.dir = options.dir;
    this.file = join(options.dir, JOURNAL_FILE);
    this.now = options.now ?? (() => new Date());
    this.files = options.files ?? diskFiles;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.repair = options.repair ?? {};
    this.sealContent = options.sealContent ?? true;
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
      const keysExist = await fs.stat(join(this.dir, CONTENT_KEYS_FILE)).then(() => true, () => false);
      if (this.sealContent || keysExist) this.keys = await ContentKeys.open(this.dir, this.files, this.log);
      const missing = new Set<string>();
      const opened = (record: JournalRecord): void => {
        const event = openEvent(record.event, this.keys, (keyId) => missing.add(keyId));
        if (event !== record.event) {
          this.keys!.learn(sealedKeyId(record.event), (record.event as { enquiryId: string }).enquiryId);
          // The replay made this record for this call alone: opened in place, not copied.
          record.event = event;
        }
        onRecord(record);
      };
      // Read ahead on a worker only from the disk itself: a test's injected files are this thread's.
      const readAhead = this.files === diskFiles ? { keys: () => this.keys?.openingTable() } : undefined;
      const replayed = await replayJournal(this.handle, this.file, opened, resume, this.repair, readAhead);
      if (missing.size > 0) {
        replayed.warnings.push(
          `journal: the content of ${missing.size} enquiry key(s) cannot be read: their keys are missing from ${CONTENT_KEYS_FILE}; restore it from the same backup as the journal`,
        );
      }
      this.epoch = replayed.epoch;
      this.fileEpoch = replayed.fileEpoch;
      this.nextSeq = replayed.lastSeq + 1;
      this.prevHash = this.durableHash = replayed.lastHash;
      this.durableSeq = replayed.lastSeq;
      this.size = replayed.size;
      const { warnings } = replayed;
      if (replayed.lost) {
        const record = await this.startNewEpoch(replayed.lost);
        onRecord(record);
        warnings.push(`journal: started epoch ${this.epoch} at seq ${record.seq}, so clients that saw the lost records take a fresh snapshot`);
      }
      this.phase = 'open';
      await fs.rm(join(this.dir, PROBE_FILE), { force: true });
      return { epoch: this.epoch, lastSeq: this.durableSeq, lastHash: this.durableHash, resumedAfter: replayed.resumedAfter, warnings };
    } catch (err) {
      await this.keys?.close();
      await this.handle?.close().catch(() => {});
      this.handle = undefined;
      await this.lock?.release().catch(() => {});
      this.lock = undefined;
      this.phase = 'closed';
      throw err;
    }
  }

  /** Opens the journal, first creating it with a fresh epoch if the folder has none. */
  private async openOrCreate(): Promise<JournalFile> {
    try {
      return await this.files.open(this.file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Written aside and renamed into place, so a crash never leaves a journal without its header.
    const fresh = `${this.file}.new`;
    const handle = await this.files.open(fresh, 'w', 0o600);
    try {
      await writeAll(handle, Buffer.from(`${newHeaderLine(this.now())}\n`, 'utf8'), 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(fresh, this.file);
    await syncDirectory(this.dir);
    return this.files.open(this.file, 'r+');
  }

  /**
   * Records, durably and before anything else, that history from `lost.fromSeq` on was given up on
   * the operator's say-so, and moves to a new epoch: the seqs after it will name other events.
   */
  private async startNewEpoch(lost: { fromSeq: number; reason: string }): Promise<JournalRecord> {
    const epoch = randomUUID();
    const { record, line } = encodeRecord(this.prevHash, this.nextSeq, this.now().toISOString(), { kind: 'system', name: 'broker' }, undefined, {
      type: 'journal.epoch-started',
      epoch,
      previousEpoch: this.epoch,
      reason: lost.reason,
      lostFromSeq: lost.fromSeq,
    });
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    const handle = this.handle as JournalFile;
    await writeAll(handle, bytes, this.size);
    await handle.datasync();
    this.size += bytes.length;
    this.epoch = epoch;
    this.nextSeq = record.seq + 1;
    this.prevHash = this.durableHash = record.hash;
    this.durableSeq = record.seq;
    return record;
  }

  append(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> } {
    if (this.phase !== 'open') {
      throw new Error(this.phase === 'new' || this.phase === 'opening' ? 'the journal is not open yet' : 'the journal is closed');
    }
    if (this.current.state !== 'ok') throw this.unavailable(this.current);
    if (batch.length === 0) return { records: [], durable: this.flush() };
    const { records, lines, lastHash, nextSeq } = encodeBatch(batch, this.prevHash, this.nextSeq, this.now().toISOString(), this.sealContent ? this.keys : undefined);
    this.prevHash = lastHash;
    this.nextSeq = nextSeq;

    const group = this.queued;
    if (this.keys) {
      const { urgent, gifts } = this.keys.takePending();
      group.keyLines.urgent.push(...urgent);
      group.keyLines.gifts.push(...gifts);
    }
    for (const line of lines) group.lines.push(`${line}\n`);
    for (const record of records) group.records.push(record);
    const durable = waitOn(group.waiters, false);
    this.scheduleWrite();
    return { records, durable };
  }

  position(): JournalPosition {
    // Computed when asked (a checkpoint, every few minutes at most) rather than kept up to date on
    // every append: the bytes still queued or being written come after `size`.
    const pending = [...(this.inflight?.lines ?? []), ...this.queued.lines].reduce((n, line) => n + Buffer.byteLength(line), 0);
    return { epoch: this.epoch, fileEpoch: this.fileEpoch, seq: this.nextSeq - 1, hash: this.prevHash, offset: this.size + pending };
  }

  flush(): Promise<void> {
    const group = this.queued.lines.length > 0 ? this.queued : this.inflight;
    return group ? waitOn(group.waiters, true) : Promise.resolve();
  }

  async flushForCheckpoint(): Promise<void> {
    await this.flush();
    // Which enquiry each key went to is written without a sync of its own; a start learns what
    // was lost again from the records after the checkpoint, so everything before it must be durable.
    await this.keys?.sync();
  }

  async removeContent(enquiryIds: ReadonlySet<string>, removedOn: string): Promise<number> {
    return this.keys ? this.keys.destroy(enquiryIds, removedOn) : 0;
  }

  /** Resuming beyond the history kept in memory takes a fresh snapshot, as after a restart. */
  async recordsBetween(): Promise<null> {
    return null;
  }

  /** Only this broker uses the file: its own folder holds its checkpoint. */
  readonly sharedCheckpoint = undefined;

  /** Only this broker uses the file: its tokens.json is the whole list. */
  sharedTokens(): undefined {
    return undefined;
  }

  /** Only this process writes the file: it sends everything it records. */
  deliveryLeases(): DeliveryLeases {
    return new LocalLeases();
  }

  async close(): Promise<void> {
    if (this.phase === 'opening') await this.opening;
    if (this.phase === 'new' || this.phase === 'closed') {
      this.phase = 'closed';
      return;
    }
    if (this.phase === 'closing') throw new Error('the journal is already closing');
    this.phase = 'closing';
    clearTimeout(this.probeTimer);
    let failed: unknown;
    try {
      await this.flush();
    } catch (err) {
      failed = err;
    }
    await this.writer;
    await this.keys?.close();
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
      this.writer = this.writeQueued();
    });
  }

  /** The single writer: one write and one fdatasync per group, never two in flight. */
  private async writeQueued(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    const handle = this.handle as JournalFile;
    while (this.queued.lines.length > 0 && this.current.state === 'ok') {
      const group = this.queued;
      this.queued = newGroup();
      this.inflight = group;
      const bytes = Buffer.from(group.lines.join(''), 'utf8');
      // The keys a group's records first use are on disk by the time they are acknowledged:
      // both files are written and synced at once, and a failure of either fails the group.
      const steps: { journal: Step; keys: Step } = { journal: 'writing', keys: 'writing' };
      const results = await Promise.allSettled([
        (async () => {
          await writeAll(handle, bytes, this.size);
          steps.journal = 'syncing';
          await handle.datasync();
        })(),
        this.keys?.write(group.keyLines.urgent, () => (steps.keys = 'syncing')),
      ]);
      const [journalResult, keysResult] = results;
      if (journalResult.status === 'rejected' || keysResult.status === 'rejected') {
        this.inflight = undefined;
        // Only a failed fsync is fatal; a failed write is cut back and retried later.
        const syncFailed = (journalResult.status === 'rejected' && steps.journal === 'syncing') || (keysResult.status === 'rejected' && steps.keys === 'syncing');
        const failure = (journalResult.status === 'rejected' ? journalResult.reason : (keysResult as PromiseRejectedResult).reason) as NodeJS.ErrnoException;
        await this.abandon(group, syncFailed ? 'syncing' : 'writing', failure);
        break;
      }
      this.inflight = undefined;
      this.size += bytes.length;
      const last = group.records[group.records.length - 1]!;
      this.durableSeq = last.seq;
      this.durableHash = last.hash;
      for (const w of group.waiters) w.resolve();
      // Only this broker writes the file: nothing it hands on is ever `remote`.
      this.handOn(group.records, false);
    }
    this.writing = false;
  }

  /**
   * A write or fdatasync of `group` failed: nothing from its first record on will be durable.
   * The chain goes back to the last durable record, the caller takes the records back out of its
   * state, and the file is cut back to the last durable byte, all before anyone is answered.
   */
  private async abandon(group: Group, step: 'writing' | 'syncing', err: NodeJS.ErrnoException): Promise<void> {
    const lost = [group, this.queued];
    this.queued = newGroup();
    this.nextSeq = this.durableSeq + 1;
    this.prevHash = this.durableHash;
    const since = this.now().toISOString();
    let reason = `${step} ${this.file} failed (${describeError(err)})`;
    this.setHealth(step === 'writing' ? { state: 'degraded', reason, since } : { state: 'failed', reason, since });
    this.takeBack(group.records[0]!.seq);
    let cutBack = true;
    try {
      const handle = this.handle as JournalFile;
      await handle.truncate(this.size);
      await handle.sync();
      this.keys?.abandon(lost.flatMap((g) => g.keyLines.gifts));
    } catch (cutErr) {
      cutBack = false;
      reason += `; cutting it back to the last durable record failed too (${describeError(cutErr as NodeJS.ErrnoException)})`;
      this.setHealth({ state: 'failed', reason, since });
    }
    this.log(
      `journal: ${reason}; records from seq ${group.records[0]!.seq} on were ${cutBack ? 'cut back out of the file and ' : ''}not acknowledged` +
        (this.current.state === 'degraded' ? '; refusing writes until a test write succeeds' : '; the broker must stop'),
    );
    rejectAll(lost, this.unavailable(this.current as Unhealthy, !cutBack, err));
    if (this.current.state === 'degraded') this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.phase !== 'open') return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** A small durable write beside the journal: when it succeeds, the disk takes writes again. */
  private async probe(): Promise<void> {
    if (this.current.state !== 'degraded' || this.phase !== 'open') return;
    const path = join(this.dir, PROBE_FILE);
    try {
      const handle = await this.files.open(path, 'w', 0o600);
      try {
        await writeAll(handle, PROBE_BYTES, 0);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await fs.rm(path, { force: true });
    } catch {
      await fs.rm(path, { force: true }).catch(() => {});
      this.scheduleProbe();
      return;
    }
    if (this.phase !== 'open' || this.current.state !== 'degraded') return;
    this.log(`journal: writes work again after failing since ${this.current.since}; serving normally`);
    this.setHealth({ state: 'ok' });
  }
}

/** Node's messages already start with the code ("ENOSPC: no space left on device, write"); others get it added. */
function describeError(err: NodeJS.ErrnoException): string {
  return err.code && !err.message.startsWith(err.code) ? `${err.code}: ${err.message}` : err.message;
}
