// Commands the broker has not yet acknowledged, oldest first. With a file, every change rewrites
// the whole outbox atomically (temp file, fsync, rename), so a crash leaves either the old or the
// new list and a reply typed before a restart is still there to send. Outboxes are a handful of
// commands, so rewriting the whole file is cheaper than any cleverness.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { QUERY_COMMANDS } from '../protocol/frames.js';
import { parseCommand } from '../protocol/parse-command.js';
import type { PendingCommand } from './types.js';

const FILE_VERSION = 1;

export class Outbox {
  private list: readonly PendingCommand[];
  private writing: Promise<void> | null = null;
  private dirty = false;
  private lastWritten: string | null = null;

  /**
   * Loads the outbox a previous process left. An unreadable file is moved aside (never deleted:
   * it may hold someone's reply) and `problem` says where it went.
   */
  static open(file: string | undefined, onWriteError: (message: string) => void = () => {}): { outbox: Outbox; problem: string | null } {
    if (file === undefined) return { outbox: new Outbox(undefined, [], onWriteError), problem: null };
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { outbox: new Outbox(file, [], onWriteError), problem: null };
      return {
        outbox: new Outbox(file, [], onWriteError),
        problem: `Could not read the outbox file ${file} (${(err as Error).message}); unsent commands in it were not loaded. Check its permissions.`,
      };
    }
    const parsed = parseOutbox(text);
    if (typeof parsed === 'string') {
      const aside = `${file}.unreadable-${Date.now()}`;
      let where = `It was left at ${file}`;
      try {
        renameSync(file, aside);
        where = `It was moved to ${aside}`;
      } catch {
        // Keeping it in place is the safe fallback: the next write replaces it, but nothing is deleted now.
      }
      return {
        outbox: new Outbox(file, [], onWriteError),
        problem: `The outbox file ${file} could not be read (${parsed}). ${where}; any reply in it was not sent.`,
      };
    }
    const outbox = new Outbox(file, parsed, onWriteError);
    outbox.lastWritten = text;
    return { outbox, problem: null };
  }

  private constructor(
    private readonly file: string | undefined,
    items: PendingCommand[],
    private readonly onWriteError: (message: string) => void,
  ) {
    this.list = items;
  }

  /** A new array after every change, so views can compare by identity. */
  get items(): readonly PendingCommand[] {
    return this.list;
  }

  has(ref: string): boolean {
    return this.list.some((p) => p.command.ref === ref);
  }

  add(item: PendingCommand): void {
    this.list = [...this.list, item];
    this.schedule();
  }

  /** Removes the command with this ref; returns it, or undefined if it was not here. */
  remove(ref: string): PendingCommand | undefined {
    const found = this.list.find((p) => p.command.ref === ref);
    if (!found) return undefined;
    this.list = this.list.filter((p) => p !== found);
    this.schedule();
    return found;
  }

  /** Resolves once every change made so far is on disk (or has failed and been reported). */
  flush(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  private schedule(): void {
    if (this.file === undefined) return;
    this.dirty = true;
    this.writing ??= this.drain(this.file);
  }

  /** One write at a time; changes made meanwhile are folded into the next write. */
  private async drain(file: string): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const text = serialise(this.list);
      if (text === this.lastWritten) continue;
      try {
        await writeAtomically(file, text);
        this.lastWritten = text;
      } catch (err) {
        this.onWriteError(`Could not save the outbox to ${file} (${(err as Error).message}); unsent commands are kept in memory only.`);
      }
    }
    this.writing = null;
  }
}

/** Queries record nothing and nobody waits for their answer after a restart, so they are not kept on disk. */
function serialise(items: readonly PendingCommand[]): string {
  const kept = items.filter((p) => !QUERY_COMMANDS.has(p.command.type));
  return `${JSON.stringify({ version: FILE_VERSION, pending: kept }, null, 1)}\n`;
}

function parseOutbox(text: string): PendingCommand[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || (value as { version?: unknown }).version !== FILE_VERSION) {
    return `it is not a version ${FILE_VERSION} outbox`;
  }
  const pending = (value as { pending?: unknown }).pending;
  if (!Array.isArray(pending)) return 'it has no "pending" list';
  const items: PendingCommand[] = [];
  for (const [i, entry] of pending.entries()) {
    const queuedAt = (entry as { queuedAt?: unknown } | null)?.queuedAt;
    const parsed = parseCommand(JSON.stringify((entry as { command?: unknown } | null)?.command ?? null));
    if (!parsed.ok) return `entry ${i}: ${parsed.error.message}`;
    if (typeof queuedAt !== 'string') return `entry ${i} has no "queuedAt" time`;
    items.push({ command: parsed.command, queuedAt });
  }
  return items;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable; some platforms cannot open a directory, and that is not worth failing for. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only.
  }
}
