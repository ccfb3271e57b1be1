// The enquiries' content keys: DATA/content-keys.ndjson (mode 0600), three kinds of line:
//
//   {"keyId":"<hex>","key":"<base64, 32 bytes>"}              a key, made ahead of use
//   {"keyId":"<hex>","enquiryId":"E7K2M9QXA"}                 which enquiry a key was given to
//   {"keyId":"<hex>","destroyed":"2026-12-02"}                retention destroyed it on that date
//
// Keys are made in batches and fdatasync'd before any is used, so a journal record never refers
// to a key that is not on disk, and a group commit costs no second fsync. Which enquiry a key was
// given to needs no fsync of its own: the sealed record names both, so a start rebuilds what a
// crash lost from the records after the checkpoint, and the key file is synced before every
// checkpoint is written. Retention rewrites the file (temp, fsync, rename, fsync the folder) with
// the destroyed keys' lines replaced by tombstones; nothing else ever rewrites it.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomPooled } from '../random-pool.js';
import { diskFiles, syncDirectory, writeAll, type JournalFile, type JournalFiles } from './file-ops.js';
import { readLines } from './line-reader.js';

export const CONTENT_KEYS_FILE = 'content-keys.ndjson';

/** Keys made per batch, and how few a start may find before it makes one before serving. */
const BATCH = 4096;
const LOW = 1024;
/**
 * How few may be left while serving before the next batch is made: half a batch, so it has the
 * time 2,048 new enquiries take to be written and synced (146 ms at 14,000 enquiries/s). With LOW
 * (73 ms) an fsync slowed by a busy disk can let the pool run dry, and each group then waits on a
 * second fsync, of the key file, for the keys made in its place. Not more: a small centre's key
 * file would hold a second batch nobody uses, read at every start.
 */
const REFILL_AT = BATCH / 2;
/** How long gifts wait to be written together (they need no sync of their own). */
const GIFT_DELAY_MS = 50;

export interface ContentKey {
  keyId: string;
  /** base64 of 32 bytes: a string costs far less memory than a Buffer per key when there are a million. */
  key: string;
}

export class ContentKeys {
  private readonly keys = new Map<string, string>();
  private readonly destroyed = new Map<string, string>();
  /** The key new content of each enquiry is sealed with. */
  private readonly current = new Map<string, string>();
  /** Every key each enquiry was given, for retention. */
  private readonly given = new Map<string, string[]>();
  /** Keys on disk not yet given to an enquiry. */
  private pool: string[] = [];
  /** Lines not yet written: keys made because the pool ran dry (written and synced with the group that uses them), and gifts. */
  private urgent: string[] = [];
  /** Gift lines not yet written. */
  private gifts: string[] = [];
  /** Gifts since the last group was formed, as [keyId, enquiryId]. */
  private recentGifts: Array<[string, string]> = [];
  private size = 0;
  /** Writes to the file, one after another. */
  private writes: Promise<void> = Promise.resolve();
  private refilling = false;
  private giftTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly file: string,
    private readonly files: JournalFiles,
    private handle: JournalFile,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens (or creates) the folder's key file and reads every key. Rejects saying what is wrong. */
  static async open(dir: string, files: JournalFiles = diskFiles, log: (line: string) => void = () => {}): Promise<ContentKeys> {
    const file = join(dir, CONTENT_KEYS_FILE);
    let handle: JournalFile;
    try {
      handle = await files.open(file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(file, (err as Error).message);
      const created = await files.open(file, 'w', 0o600);
      await created.sync();
      await created.close();
      await syncDirectory(dir);
      handle = await files.open(file, 'r+');
    }
    const keys = new ContentKeys(file, files, handle, log);
    const read = await readLines(handle, (line) => keys.take(line)).catch(async (err: unknown) => {
      await handle.close().catch(() => {});
      throw err;
    });
    // A line torn by a crash was a batch never used, or a gift the records say again.
    keys.size = read.tornAt ?? read.end;
    if (read.tornAt !== undefined) await handle.truncate(read.tornAt);
    const given = new Set([...keys.given.values()].flat());
    keys.pool = [...keys.keys.keys()].filter((id) => !given.has(id));
    // A full pool before the first enquiry, so no group waits for a key to be synced.
    if (keys.pool.length < LOW) await keys.makeBatch();
    return keys;
  }

  /**
   * The folder's keys for reading only (exports, verification): nothing is written, no batch is
   * made, a torn last line is left as it is. Undefined when the folder has no key file.
   */
  static async readOnly(dir: string): Promise<ContentKeys | undefined> {
    const file = join(dir, CONTENT_KEYS_FILE);
    const handle = await diskFiles.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw unreadable(file, err.message);
    });
    if (!handle) return undefined;
    const keys = new ContentKeys(file, diskFiles, handle, () => {});
    try {
      await readLines(handle, (line) => keys.take(line));
    } finally {
      await handle.close();
    }
    return keys;
  }

  private take(line: string): void {
    let parsed: { keyId?: unknown; key?: unknown; enquiryId?: unknown; destroyed?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      throw unreadable(this.file, 'a line is not JSON');
    }
    const keyId = parsed?.keyId;
    if (typeof keyId !== 'string') throw unreadable(this.file, 'a line has no keyId');
    if (typeof parsed.destroyed === 'string') {
      this.destroyed.set(keyId, parsed.destroyed);
      this.keys.delete(keyId);
    } else if (typeof parsed.key === 'string') {
      if (Buffer.byteLength(parsed.key, 'base64') !== 32) throw unreadable(this.file, `key ${keyId} is not 32 bytes`);
      if (!this.destroyed.has(keyId)) this.keys.set(keyId, parsed.key);
    } else if (typeof parsed.enquiryId === 'string') {
      this.remember(keyId, parsed.enquiryId);
    } else {
      throw unreadable(this.file, `the line for key ${keyId} is neither a key, a gift nor a tombstone`);
    }
  }

  private remember(keyId: string, enquiryId: string): void {
    const list = this.given.get(enquiryId);
    if (list?.includes(keyId)) return;
    if (list) list.push(keyId);
    else this.given.set(enquiryId, [keyId]);
    if (this.keys.has(keyId)) this.current.set(enquiryId, keyId);
  }

  /** The key to seal new content of this enquiry with; one from the pool if it has none. */
  keyFor(enquiryId: string): ContentKey {
    const existing = this.current.get(enquiryId);
    if (existing) return { keyId: existing, key: this.keys.get(existing)! };
    let keyId = this.pool.pop();
    if (keyId === undefined) {
      // The pool ran dry (a burst): this key is written and synced with the group that uses it.
      keyId = randomPooled(8).toString('hex');
      const key = randomPooled(32).toString('base64');
      this.keys.set(keyId, key);
      this.urgent.push(`${JSON.stringify({ keyId, key })}\n`);
    }
    this.remember(keyId, enquiryId);
    this.gift(keyId, enquiryId);
    if (this.pool.length < REFILL_AT) this.refill();
    return { keyId, key: this.keys.get(keyId)! };
  }

  /** A sealed record read back names its key and enquiry: a gift a crash lost is learned again. */
  learn(keyId: string, enquiryId: string): void {
    if (this.given.get(enquiryId)?.includes(keyId)) return;
    this.remember(keyId, enquiryId);
    this.pool = this.pool.filter((id) => id !== keyId);
    this.gift(keyId, enquiryId);
  }

  /** Queues a gift line; gifts are written together a little later, with no sync (see the top of this file). */
  private gift(keyId: string, enquiryId: string): void {
    this.recentGifts.push([keyId, enquiryId]);
    this.gifts.push(`${JSON.stringify({ keyId, enquiryId })}\n`);
    this.giftTimer ??= setTimeout(() => {
      this.giftTimer = undefined;
      void this.writeGifts().catch((err: Error) => this.log(`content keys: could not write which enquiry keys went to (${err.message}); tried again at the next checkpoint`));
    }, GIFT_DELAY_MS);
    this.giftTimer.unref();
  }

  private writeGifts(): Promise<void> {
    return this.serially(async () => {
      const lines = this.gifts;
      this.gifts = [];
      if (lines.length === 0) return;
      try {
        await this.append(lines);
      } catch (err) {
        this.gifts = [...lines, ...this.gifts];
        throw err;
      }
    });
  }

  /**
   * Each live key and the enquiry it was given to, a line `keyId key enquiryId` each: what the
   * replay worker opens sealed records with (one string, so handing it over copies no objects).
   */
  openingTable(): string {
    const lines: string[] = [];
    for (const [enquiryId, keyIds] of this.given) {
      for (const keyId of keyIds) {
        const key = this.keys.get(keyId);
        if (key !== undefined) lines.push(`${keyId} ${key} ${enquiryId}`);
      }
    }
    return lines.join('\n');
  }

  /** The key with this id, or the date it was destroyed. */
  lookup(keyId: string): ContentKey | { destroyed: string } | undefined {
    const key = this.keys.get(keyId);
    if (key) return { keyId, key };
    const on = this.destroyed.get(keyId);
    return on === undefined ? undefined : { destroyed: on };
  }

  /**
   * Keys made in a hurry since the last call (the group being written must have them on disk),
   * and the gifts made meanwhile (so a failed group can undo them in memory).
   */
  takePending(): { urgent: string[]; gifts: Array<[string, string]> } {
    const urgent = this.urgent;
    this.urgent = [];
    const gifts = this.recentGifts;
    this.recentGifts = [];
    return { urgent, gifts };
  }

  /** Writes and fdatasyncs a group's urgent keys before it may be acknowledged; `onSyncing` marks the write done. */
  write(urgent: string[], onSyncing: () => void): Promise<void> {
    if (urgent.length === 0) {
      onSyncing();
      return Promise.resolve();
    }
    return this.serially(async () => {
      await this.append(urgent);
      onSyncing();
      await this.handle.datasync();
    });
  }

  /** Makes every gift made so far durable: before a checkpoint, whose records' gifts it covers. */
  async sync(): Promise<void> {
    await this.writeGifts();
    await this.serially(() => this.handle.datasync());
  }

  /**
   * A group failed and its records were taken back. Its lines may be on disk already, so its keys
   * stay spent (never given again); the enquiries just take another key for their next content.
   */
  abandon(gifts: Array<[string, string]>): void {
    for (const [keyId, enquiryId] of gifts) if (this.current.get(enquiryId) === keyId) this.current.delete(enquiryId);
  }

  /**
   * Destroys every key of these enquiries: the file is rewritten with tombstones in their place
   * and renamed over the old one, so a crash leaves the old file or the new, never half.
   */
  destroy(enquiryIds: ReadonlySet<string>, on: string): Promise<number> {
    return this.serially(async () => {
      const doomed = new Set<string>();
      for (const id of enquiryIds) for (const keyId of this.given.get(id) ?? []) if (this.keys.has(keyId)) doomed.add(keyId);
      if (doomed.size === 0) return 0;
      const lines: string[] = [];
      for (const [keyId, date] of this.destroyed) lines.push(JSON.stringify({ keyId, destroyed: date }));
      for (const keyId of doomed) lines.push(JSON.stringify({ keyId, destroyed: on }));
      for (const [keyId, key] of this.keys) if (!doomed.has(keyId)) lines.push(JSON.stringify({ keyId, key }));
      for (const [enquiryId, keyIds] of this.given) for (const keyId of keyIds) lines.push(JSON.stringify({ keyId, enquiryId }));
      const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
      const dir = dirname(this.file);
      const temp = join(dir, `.${basename(this.file)}.${process.pid}.tmp`);
      const handle = await this.files.open(temp, 'w', 0o600);
      try {
        await writeAll(handle, bytes, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.file);
      await syncDirectory(dir);
      await this.handle.close();
      this.handle = await this.files.open(this.file, 'r+');
      this.size = bytes.length;
      for (const keyId of doomed) {
        this.keys.delete(keyId);
        this.destroyed.set(keyId, on);
      }
      for (const [enquiryId, keyId] of this.current) if (doomed.has(keyId)) this.current.delete(enquiryId);
      return doomed.size;
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.giftTimer);
    await this.writeGifts().catch(() => {});
    await this.writes.catch(() => {});
    await this.handle.close().catch(() => {});
  }

  /** Makes the next batch of keys before the pool runs out; a failure is logged and tried again when next needed. */
  private refill(): void {
    if (this.refilling) return;
    this.refilling = true;
    this.makeBatch()
      .catch((err: Error) => this.log(`content keys: could not make the next batch of keys (${err.message}); keys are made one group at a time meanwhile`))
      .finally(() => (this.refilling = false));
  }

  /** A batch of keys, durable before any of it joins the pool. */
  private makeBatch(): Promise<void> {
    // One draw for the whole batch: two per key cost intake as much as sealing's ciphers did.
    const random = randomBytes(BATCH * 40);
    const batch: Array<[string, string]> = Array.from({ length: BATCH }, (_, i) => [random.toString('hex', i * 40, i * 40 + 8), random.toString('base64', i * 40 + 8, i * 40 + 40)]);
    random.fill(0);
    return this.serially(async () => {
      await this.append(batch.map(([keyId, key]) => `${JSON.stringify({ keyId, key })}\n`));
      await this.handle.datasync();
      for (const [keyId, key] of batch) this.keys.set(keyId, key);
      this.pool.push(...batch.map(([keyId]) => keyId));
    });
  }

  private async append(lines: string[]): Promise<void> {
    const bytes = Buffer.from(lines.join(''), 'utf8');
    try {
      await writeAll(this.handle, bytes, this.size);
    } catch (err) {
      await this.handle.truncate(this.size).catch(() => {});
      throw err;
    }
    this.size += bytes.length;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work, work);
    this.writes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

function unreadable(file: string, why: string): Error {
  return new Error(`${file} cannot be read (${why}): the broker needs it to read court users' messages. Restore it from the same backup as the journal.`);
}
