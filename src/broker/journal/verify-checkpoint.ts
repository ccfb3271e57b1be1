// The checkpoint, as `courtdesk journal verify` checks it: the same tests a start makes (format,
// HMAC under DATA/checkpoint.key, this journal's, its record where it says), but on the raw bytes,
// without folding the state. A checkpoint is a cache, so what is wrong with it is a warning.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FILE, CHECKPOINT_KEY_FILE, readCheckpointHeader, readCheckpointKey } from './checkpoint.js';
import { readSpan } from './file-ops.js';
import type { JournalPosition } from './store.js';
import type { Found } from './verify-scan.js';

export interface CheckpointReport {
  file: string;
  seq: number | null;
  offset: number | null;
  ok: boolean;
  /** Why a start would not use it (or would refuse to start), when it does not check out. */
  warning: string | null;
}

/** What the checkpoint must match in the journal, once the journal is read. */
export interface JournalFacts {
  fileEpoch: string;
  lastSeq: number;
  /** Set when the journal is damaged at this seq: records from there on are unknown, not missing. */
  damagedAt: number | undefined;
  epochAt(seq: number): string | undefined;
  found(seq: number): Found | undefined;
}

export interface OpenedCheckpoint {
  position: JournalPosition | undefined;
  /** Compares it with the journal; its HMAC is being checked meanwhile. */
  check(journal: JournalFacts): Promise<CheckpointReport>;
}

const CHUNK = 4 * 1024 * 1024;

/** The folder's checkpoint with its header read and its HMAC under way; undefined when there is none. */
export async function openCheckpointForCheck(dir: string): Promise<OpenedCheckpoint | undefined> {
  const file = join(dir, CHECKPOINT_FILE);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return failed(file, null, `it cannot be read (${(err as Error).message})`);
  }
  let position: JournalPosition;
  try {
    position = await readCheckpointHeader(handle);
  } catch (err) {
    await handle.close();
    return failed(file, null, (err as Error).message);
  }
  const hmac = checkHmac(handle, dir).finally(() => handle.close());
  hmac.catch(() => {}); // awaited in check()
  return {
    position,
    async check(journal) {
      const mismatch = await hmac.then(
        (problem) => problem ?? againstJournal(position, journal),
        (err: Error) => `it cannot be read (${err.message})`,
      );
      return { file, seq: position.seq, offset: position.offset, ok: mismatch === undefined, warning: mismatch ?? null };
    },
  };
}

function failed(file: string, position: JournalPosition | null, why: string): OpenedCheckpoint {
  return { position: undefined, check: async () => ({ file, seq: position?.seq ?? null, offset: position?.offset ?? null, ok: false, warning: why }) };
}

/** Why the checkpoint does not match the journal, as a start would see it; undefined if it does. */
function againstJournal(position: JournalPosition, journal: JournalFacts): string | undefined {
  if (position.fileEpoch !== journal.fileEpoch) return `it was made for journal ${position.fileEpoch}, and this journal is ${journal.fileEpoch}; a start replays the whole journal`;
  const record = journal.found(position.seq);
  if (!record && journal.damagedAt !== undefined) return `its HMAC checks out, but its record ${position.seq} cannot be compared with the journal, which is damaged from seq ${journal.damagedAt}`;
  if (!record) {
    return (
      `it proves seq ${position.seq} was written, and the journal ends at seq ${journal.lastSeq}: records were lost from its end, and a broker will refuse to start ` +
      'on this folder (restore a newer journal; if this is a copy taken while the broker ran, copy the checkpoint before the journal, or leave it out)'
    );
  }
  if (record.end !== position.offset || record.hash !== position.hash || journal.epochAt(position.seq) !== position.epoch) {
    return `the journal's record ${position.seq} is not the one it was made from, so the journal lost or changed records after it; a broker will refuse to start on this folder`;
  }
  return undefined;
}

/** Checks the end line's count and HMAC over every byte before it; resolves with what is wrong, or undefined. */
async function checkHmac(handle: FileHandle, dir: string): Promise<string | undefined> {
  const keyFile = join(dir, CHECKPOINT_KEY_FILE);
  const key = await readCheckpointKey(dir).catch(() => undefined);
  if (key === undefined) return `its HMAC cannot be checked: ${keyFile} is missing or is not a checkpoint key; a start will not use it`;
  const { size } = await handle.stat();
  const tail = await readSpan(handle, Math.max(0, size - 4096), size);
  const endStart = size - tail.length + tail.lastIndexOf(10, tail.length - 2) + 1;
  if (tail[tail.length - 1] !== 10 || endStart <= 0) return 'it has no end line (it was cut short)';
  let end: { end?: unknown; lines?: unknown; hmac?: unknown };
  try {
    end = JSON.parse(tail.toString('utf8', endStart - (size - tail.length))) as typeof end;
  } catch {
    end = {};
  }
  if (end.end !== 'courtdesk' || typeof end.hmac !== 'string') return 'it has no end line (it was cut short)';
  const digest = createHmac('sha256', key);
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  for (let at = 0; at < endStart; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, endStart - at), at);
    if (bytesRead === 0) return 'it was cut short while being read';
    const chunk = buf.subarray(0, bytesRead);
    digest.update(chunk);
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, nl + 1)) lines++;
    at += bytesRead;
  }
  if (end.lines !== lines) return `its end line counts ${String(end.lines)} lines, and it has ${lines}`;
  const [stated, computed] = [Buffer.from(end.hmac), Buffer.from(digest.digest('hex'))];
  if (stated.length !== computed.length || !timingSafeEqual(stated, computed)) return `its HMAC does not match its content under ${keyFile} (it was damaged or changed); a start will not use it`;
  return undefined;
}
