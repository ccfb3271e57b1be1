// Reads and writes DATA/checkpoint.ndjson (format in checkpoint-format.ts). A checkpoint is
// written beside the journal and renamed into place, so a reader finds the old one or the new
// one, never half of either; one that does not check out is never used. Its HMAC key,
// DATA/checkpoint.key, is made on first use and never leaves the data folder.
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { State } from '../../domain/enquiry.js';
import { CheckpointReader, checkpointLines, endLine, parseCheckpointHeader, type StateCapture } from './checkpoint-format.js';
import { readSpan, syncDirectory, writeAll } from './file-ops.js';
import { readLines } from './line-reader.js';
import type { JournalPosition } from './store.js';

export const CHECKPOINT_FILE = 'checkpoint.ndjson';
export const CHECKPOINT_KEY_FILE = 'checkpoint.key';
/** Temp files of checkpoints being written: `.checkpoint.ndjson.<pid>.tmp`. */
const TEMP_PATTERN = /^\.checkpoint\.ndjson\.\d+\.tmp$/;

/** Bytes gathered before each write. */
const WRITE_CHUNK = 256 * 1024;
/**
 * A paced write syncs this often, so the disk never holds much of it unwritten: on ext4
 * (data=ordered) the journal's own fdatasync can otherwise wait for all of it.
 */
const SYNC_EVERY = 8 * 1024 * 1024;
/**
 * A paced write gives the event loop back after this much work. Measured on a 150,000-enquiry
 * state: with 5 ms slices intake's p50 went from 3 to 15 ms while the checkpoint was written; with
 * 2 ms, to 7 ms, and the write still took about 3 s.
 */
const PACE_MS = 2;

export interface Checkpoint {
  /** The journal record the state was folded up to. */
  position: JournalPosition;
  /** Reads the rest: the state, once the digest checks out. Rejects saying what is wrong. */
  load(): Promise<State>;
}

/**
 * The checkpoint in `dir` with only its header read, so the journal's verification can start
 * while the state loads; undefined when there is none. Rejects saying what is wrong with it.
 */
export async function openCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const file = join(dir, CHECKPOINT_FILE);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const position = await readCheckpointHeader(handle).finally(() => handle.close());
  return { position, load: () => loadState(file, position) };
}

/** The journal position an open checkpoint file's header line names. Rejects saying what is wrong with it. */
export async function readCheckpointHeader(handle: FileHandle): Promise<JournalPosition> {
  const head = await readSpan(handle, 0, 4096);
  const newline = head.indexOf(10);
  if (newline === -1) throw new Error('its header line is incomplete');
  return parseCheckpointHeader(head.toString('utf8', 0, newline));
}

async function loadState(file: string, position: JournalPosition): Promise<State> {
  const key = await readCheckpointKey(join(file, '..'));
  const handle = await fs.open(file, 'r');
  try {
    const reader = new CheckpointReader();
    const digest = createHmac('sha256', key);
    let endAt: number | undefined;
    await readLines(handle, (line, offset) => {
      if (reader.take(line)) endAt = offset;
    }, {
      // The digest covers every byte before the end line.
      onChunk: (bytes, offset) => digest.update(endAt === undefined || endAt >= offset + bytes.length ? bytes : bytes.subarray(0, endAt - offset)),
    });
    const loaded = reader.finish(digest.digest('hex'));
    if (loaded.position.seq !== position.seq || loaded.position.hash !== position.hash) throw new Error('it was replaced while it was being read');
    return loaded.state;
  } finally {
    await handle.close();
  }
}

/**
 * Writes `capture` as the folder's checkpoint. With `paced`, the work is spread over many turns of
 * the event loop, for a broker that is serving while it writes; without, it runs flat out (at
 * shutdown). Resolves once the new checkpoint is durable and in place.
 */
export async function writeCheckpoint(dir: string, capture: StateCapture, { paced, now = new Date() }: { paced: boolean; now?: Date }): Promise<void> {
  const file = join(dir, CHECKPOINT_FILE);
  const temp = join(dir, `.${CHECKPOINT_FILE}.${process.pid}.tmp`);
  const key = await checkpointKey(dir);
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    const digest = createHmac('sha256', key);
    let pending: string[] = [];
    let pendingLength = 0;
    let lines = 0;
    let position = 0;
    let slice = performance.now();
    let unsynced = 0;
    const writeOut = async (): Promise<void> => {
      const bytes = Buffer.from(pending.join(''), 'utf8');
      digest.update(bytes);
      await writeAll(handle, bytes, position);
      position += bytes.length;
      pending = [];
      pendingLength = 0;
      unsynced += bytes.length;
      if (paced && unsynced >= SYNC_EVERY) {
        await handle.datasync();
        unsynced = 0;
      }
    };
    for (const line of checkpointLines(capture, now)) {
      pending.push(`${line}\n`);
      pendingLength += line.length + 1;
      lines++;
      if (pendingLength >= WRITE_CHUNK) await writeOut();
      if (paced && performance.now() - slice >= PACE_MS) {
        await nextTurn();
        slice = performance.now();
      }
    }
    await writeOut();
    await writeAll(handle, Buffer.from(`${endLine(lines, digest.digest('hex'))}\n`, 'utf8'), position);
    await handle.sync();
    await handle.close();
    await fs.rename(temp, file);
    await syncDirectory(dir);
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** Deletes the folder's checkpoint, durably (retention: it may hold removed content in the clear). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await fs.rm(join(dir, CHECKPOINT_FILE), { force: true });
  await syncDirectory(dir);
}

/**
 * Removes checkpoints half-written by a process that died (kill -9 mid-write leaves one each time).
 * Only the broker holding the journal's lock calls this, so no live writer owns them.
 */
export async function removeStaleCheckpoints(dir: string, log: (line: string) => void): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => TEMP_PATTERN.test(n))) {
    const path = join(dir, name);
    const { size } = await fs.stat(path).catch(() => ({ size: 0 }));
    await fs.rm(path, { force: true });
    log(`checkpoint: removed ${path} (${size} bytes), left half-written by a broker that stopped while writing it`);
  }
}

/** The folder's checkpoint key, made (durably, 0600) the first time a checkpoint is written. */
async function checkpointKey(dir: string): Promise<Buffer> {
  const path = join(dir, CHECKPOINT_KEY_FILE);
  try {
    return await readCheckpointKey(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const handle = await fs.open(path, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') return undefined; // made meanwhile by another writer
    throw err;
  });
  if (handle) {
    try {
      await writeAll(handle, Buffer.from(`${randomBytes(32).toString('hex')}\n`), 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(dir);
  }
  return readCheckpointKey(dir);
}

/** DATA/checkpoint.key as a key. Rejects when it is missing or is not one. */
export async function readCheckpointKey(dir: string): Promise<Buffer> {
  const text = (await fs.readFile(join(dir, CHECKPOINT_KEY_FILE), 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${join(dir, CHECKPOINT_KEY_FILE)} is not a checkpoint key (64 hex digits)`);
  return Buffer.from(text, 'hex');
}

/** The folder's checkpoint and the key it is signed with, as bytes, to be copied elsewhere; undefined when there is none. */
export async function checkpointFiles(dir: string): Promise<{ body: Buffer; key: string } | undefined> {
  try {
    const key = (await fs.readFile(join(dir, CHECKPOINT_KEY_FILE), 'utf8')).trim();
    return { body: await fs.readFile(join(dir, CHECKPOINT_FILE)), key };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Puts another node's checkpoint and its key in place of the folder's, each written aside and
 * renamed. A crash between the two leaves a checkpoint its key does not verify: it is set aside
 * and the journal replayed in full, never used.
 */
export async function installCheckpoint(dir: string, body: Buffer, key: string): Promise<void> {
  for (const [name, bytes] of [
    [CHECKPOINT_KEY_FILE, Buffer.from(`${key}\n`)],
    [CHECKPOINT_FILE, body],
  ] as const) {
    const temp = join(dir, `.${CHECKPOINT_FILE}.${process.pid}.tmp`);
    const handle = await fs.open(temp, 'w', 0o600);
    try {
      await writeAll(handle, bytes, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, join(dir, name));
  }
  await syncDirectory(dir);
}
