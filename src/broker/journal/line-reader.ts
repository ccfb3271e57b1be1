// Reads a file line by line in big chunks, splitting on the raw bytes: readline costs seconds on a
// million lines, and the journal and its checkpoint are read at every start.

import type { JournalFile } from './file-ops.js';

const READ_CHUNK = 4 * 1024 * 1024;
/** No record comes near this; a longer "line" is damage, skipped without holding it in memory. */
const MAX_LINE = 64 * 1024 * 1024;

export interface LinesRead {
  /** The file's size as read. */
  end: number;
  /** Where trailing bytes without a final newline start (a torn last write), if there are any. */
  tornAt: number | undefined;
}

/**
 * Hands each complete line (without its newline) and its file offset to `onLine`, in order, from
 * `from` to `to` (default: the end of the file). A line longer than 64 MiB is handed over as '' so it counts as
 * unreadable without being held. `onChunk` then sees the raw bytes of those lines and their
 * offset, for a digest of the file.
 */
export async function readLines(
  handle: JournalFile,
  onLine: (line: string, offset: number) => void,
  { from = 0, to = Infinity, onChunk }: { from?: number; to?: number; onChunk?: (bytes: Buffer, offset: number) => void } = {},
): Promise<LinesRead> {
  let buf = Buffer.allocUnsafe(READ_CHUNK);
  let bufOffset = from; // file offset of buf[0]
  let have = 0; // bytes of buf holding file data
  let skipping: number | undefined; // file offset of an over-long line being skipped
  for (;;) {
    if (have === buf.length) {
      if (buf.length < MAX_LINE) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      } else {
        skipping ??= bufOffset;
        bufOffset += have;
        have = 0;
      }
    }
    const wanted = Math.min(buf.length - have, to - (bufOffset + have));
    const { bytesRead } = wanted > 0 ? await handle.read(buf, have, wanted, bufOffset + have) : { bytesRead: 0 };
    if (bytesRead === 0) break;
    have += bytesRead;
    const view = buf.subarray(0, have);
    let start = 0;
    for (let nl = view.indexOf(10, 0); nl !== -1; nl = view.indexOf(10, start)) {
      if (skipping !== undefined) {
        onLine('', skipping);
        skipping = undefined;
      } else {
        onLine(view.toString('utf8', start, nl), bufOffset + start);
      }
      start = nl + 1;
    }
    if (onChunk && start > 0) onChunk(view.subarray(0, start), bufOffset);
    buf.copy(buf, 0, start, have);
    bufOffset += start;
    have -= start;
  }
  return { end: bufOffset + have, tornAt: skipping ?? (have > 0 ? bufOffset : undefined) };
}
