// Reads and writes DATA/checkpoint.ndjson (format in checkpoint-format.ts). A checkpoint is
// written beside the journal and renamed into place, so a reader finds the old one or the new
// one, never half of either; one that does not check out is set aside with a warning, never used.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { State } from '../../domain/enquiry.js';
import { CheckpointReader, checkpointLines, endLine, type StateCapture } from './checkpoint-format.js';
import { syncDirectory, writeAll } from './file-ops.js';
import { readLines } from './line-reader.js';
import type { JournalPosition } from './store.js';

export const CHECKPOINT_FILE = 'checkpoint.ndjson';

/** Bytes gathered before each write. */
const WRITE_CHUNK = 1024 * 1024;
/** A paced write gives the event loop back after this much work, so agents and intake barely notice it. */
const PACE_MS = 5;

export interface LoadedCheckpoint {
  state: State;
  position: JournalPosition;
}

/** The checkpoint in `dir`: undefined with no warning when there is none. */
export async function readCheckpoint(dir: string): Promise<{ loaded?: LoadedCheckpoint; warning?: string }> {
  const file = join(dir, CHECKPOINT_FILE);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { warning: `checkpoint: cannot read ${file} (${(err as Error).message}); replaying the whole journal` };
  }
  try {
    const reader = new CheckpointReader();
    const digest = createHash('sha256');
    let endAt: number | undefined;
    await readLines(handle, (line, offset) => {
      if (reader.take(line)) endAt = offset;
    }, {
      // The digest covers every byte before the end line.
      onChunk: (bytes, offset) => digest.update(endAt === undefined || endAt >= offset + bytes.length ? bytes : bytes.subarray(0, endAt - offset)),
    });
    return { loaded: reader.finish(digest.digest('hex')) };
  } catch (err) {
    return { warning: `checkpoint: not using ${file}: ${(err as Error).message}; replaying the whole journal` };
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
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    const digest = createHash('sha256');
    let pending: string[] = [];
    let pendingLength = 0;
    let lines = 0;
    let position = 0;
    let slice = performance.now();
    const writeOut = async (): Promise<void> => {
      const bytes = Buffer.from(pending.join(''), 'utf8');
      digest.update(bytes);
      await writeAll(handle, bytes, position);
      position += bytes.length;
      pending = [];
      pendingLength = 0;
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
