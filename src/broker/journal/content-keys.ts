// The enquiries' content keys: DATA/content-keys.ndjson (mode 0600), one line per key,
//
//   {"keyId":"<hex>","enquiryId":"E7K2M9QXA","key":"<base64, 32 bytes>"}
//   {"keyId":"<hex>","enquiryId":"E7K2M9QXA","destroyed":"2026-12-02"}    after retention
//
// A new enquiry's key is appended and fdatasync'd in the same group commit as the journal record
// that first uses it, so no acknowledged record refers to a key that is not on disk. Retention
// rewrites the file (temp, fsync, rename, fsync the folder) with the keys it removes replaced by
// tombstones, which say when; nothing else ever rewrites it.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diskFiles, syncDirectory, writeAll, type JournalFile, type JournalFiles } from './file-ops.js';
import { readLines } from './line-reader.js';

export const CONTENT_KEYS_FILE = 'content-keys.ndjson';

export interface ContentKey {
  keyId: string;
  enquiryId: string;
  /** base64 of 32 bytes: a string costs far less memory than a Buffer per key when there are a million. */
  key: string;
}

type KeyLine = { keyId: string; enquiryId: string; key: string } | { keyId: string; enquiryId: string; destroyed: string };

export class ContentKeys {
  private readonly byId = new Map<string, ContentKey>();
  private readonly destroyed = new Map<string, string>();
  /** The key new content of each enquiry is sealed with. */
  private readonly current = new Map<string, ContentKey>();
  /** Lines of keys made since the last write, not yet on disk. */
  private pending: string[] = [];
  private size = 0;

  private constructor(
    private readonly file: string,
    private readonly files: JournalFiles,
    private handle: JournalFile,
  ) {}

  /** Opens (or creates) the folder's key file and reads every key. Rejects saying what is wrong. */
  static async open(dir: string, files: JournalFiles = diskFiles): Promise<ContentKeys> {
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
    const keys = new ContentKeys(file, files, handle);
    const read = await readLines(handle, (line) => keys.take(line));
    // A key line torn by a crash belonged to a group that was never acknowledged.
    keys.size = read.tornAt ?? read.end;
    if (read.tornAt !== undefined) await handle.truncate(read.tornAt);
    return keys;
  }

  private take(line: string): void {
    let parsed: KeyLine;
    try {
      parsed = JSON.parse(line) as KeyLine;
    } catch {
      throw unreadable(this.file, 'a line is not JSON');
    }
    if ('destroyed' in parsed) {
      this.destroyed.set(parsed.keyId, parsed.destroyed);
      this.byId.delete(parsed.keyId);
      if (this.current.get(parsed.enquiryId)?.keyId === parsed.keyId) this.current.delete(parsed.enquiryId);
      return;
    }
    const key = { keyId: parsed.keyId, enquiryId: parsed.enquiryId, key: parsed.key };
    if (Buffer.byteLength(key.key, 'base64') !== 32) throw unreadable(this.file, `key ${parsed.keyId} is not 32 bytes`);
    this.byId.set(key.keyId, key);
    this.current.set(key.enquiryId, key);
  }

  /** The key to seal new content of this enquiry with; a new one (written with the next group) if it has none. */
  keyFor(enquiryId: string): ContentKey {
    const existing = this.current.get(enquiryId);
    if (existing) return existing;
    const key = { keyId: randomBytes(8).toString('hex'), enquiryId, key: randomBytes(32).toString('base64') };
    this.byId.set(key.keyId, key);
    this.current.set(enquiryId, key);
    this.pending.push(`${JSON.stringify({ keyId: key.keyId, enquiryId, key: key.key })}\n`);
    return key;
  }

  /** The key with this id, or the date it was destroyed. */
  lookup(keyId: string): ContentKey | { destroyed: string } | undefined {
    const key = this.byId.get(keyId);
    if (key) return key;
    const on = this.destroyed.get(keyId);
    return on === undefined ? undefined : { destroyed: on };
  }

  /** Keys made since the last call, to be written with the group that first uses them. */
  takePending(): string[] {
    const lines = this.pending;
    this.pending = [];
    return lines;
  }

  /** Writes and fdatasyncs key lines at the end of the file; `onSyncing` marks the write done. */
  async write(lines: string[], onSyncing: () => void): Promise<void> {
    if (lines.length === 0) return void onSyncing();
    const bytes = Buffer.from(lines.join(''), 'utf8');
    await writeAll(this.handle, bytes, this.size);
    onSyncing();
    await this.handle.datasync();
    this.size += bytes.length;
  }

  /**
   * A group failed: its keys are cut back out of the file and forgotten, as its records are.
   * Throws if the cut-back fails, like the journal's.
   */
  async abandon(lines: string[]): Promise<void> {
    for (const line of lines) {
      const { keyId, enquiryId } = JSON.parse(line) as { keyId: string; enquiryId: string };
      this.byId.delete(keyId);
      if (this.current.get(enquiryId)?.keyId === keyId) this.current.delete(enquiryId);
    }
    await this.handle.truncate(this.size);
    await this.handle.sync();
  }

  /**
   * Destroys every key of these enquiries: the file is rewritten with tombstones in their place
   * and renamed over the old one, so a crash leaves the old file or the new, never half.
   */
  async destroy(enquiryIds: ReadonlySet<string>, on: string): Promise<number> {
    const doomed = [...this.byId.values()].filter((k) => enquiryIds.has(k.enquiryId));
    if (doomed.length === 0) return 0;
    const lines: string[] = [];
    for (const [keyId, date] of this.destroyed) lines.push(JSON.stringify({ keyId, enquiryId: '', destroyed: date }));
    for (const key of this.byId.values()) {
      lines.push(
        enquiryIds.has(key.enquiryId)
          ? JSON.stringify({ keyId: key.keyId, enquiryId: key.enquiryId, destroyed: on })
          : JSON.stringify({ keyId: key.keyId, enquiryId: key.enquiryId, key: key.key }),
      );
    }
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
    for (const key of doomed) {
      this.byId.delete(key.keyId);
      this.destroyed.set(key.keyId, on);
      if (this.current.get(key.enquiryId)?.keyId === key.keyId) this.current.delete(key.enquiryId);
    }
    return doomed.length;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}

function unreadable(file: string, why: string): Error {
  return new Error(`${file} cannot be read (${why}): the broker needs it to read court users' messages. Restore it from the same backup as the journal.`);
}
