// File operations shared by the journal and its checkpoint: the two durable writes need, and
// reading a small span (a header, the line before an offset) without streaming the file.
import type { FileHandle } from 'node:fs/promises';
import { promises as fs } from 'node:fs';

/**
 * The calls the journal makes on an open file. In service it is a FileHandle; the fault tests
 * hand the store one whose writes, syncs and truncations fail on cue (ENOSPC, EIO, short writes).
 */
export interface JournalFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** How the journal opens its files: node:fs in service, a fault-injecting wrapper in tests. */
export interface JournalFiles {
  open(path: string, flags: 'r' | 'r+' | 'w', mode?: number): Promise<JournalFile>;
}

export const diskFiles: JournalFiles = { open: (path, flags, mode) => fs.open(path, flags, mode) };

/** One write call; more only if the kernel takes fewer bytes than offered. */
export async function writeAll(handle: JournalFile, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Makes a rename durable. Some platforms cannot fsync a directory; there it is a no-op. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await handle?.close();
  }
}

/** The bytes from `from` up to `to`, fewer if the file ends first. */
export async function readSpan(handle: JournalFile, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.alloc(to - from);
  const { bytesRead } = await handle.read(buf, 0, buf.length, from);
  return buf.subarray(0, bytesRead);
}
