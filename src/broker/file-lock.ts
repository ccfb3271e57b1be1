// A lock that processes wait for, for files several short-lived commands change (tokens.json: ten
// `courtdesk token add` at once lost 43 of 100 tokens without one). Like the journal's lock it is
// a file created exclusively ('wx') holding the owner's pid, and a lock whose pid is no longer
// running is taken over; unlike it, a live lock is waited for, up to a bound, not refused.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { isRunning } from './journal/lock.js';

export interface LockOptions {
  /** How long to wait for another holder before giving up. Default 10 s. */
  timeoutMs?: number;
  /** What the error says is being changed, e.g. "the token file". */
  what: string;
}

/** Locks this process holds, so a lock with our pid left by an earlier process (pid 1 in a container) is known to be stale. */
const heldHere = new Set<string>();

/** A lock file without a readable pid this young may be one whose owner has not yet written it. */
const UNREADABLE_GRACE_MS = 2_000;
/** A takeover guard this old was left by a process that died taking over; a live one holds it for a moment. */
const GUARD_STALE_MS = 2_000;

/** Runs `change` holding the lock at `lockPath`, waiting for other holders (in this process too). */
export async function withFileLock<T>(lockPath: string, options: LockOptions, change: () => Promise<T>): Promise<T> {
  const path = resolve(lockPath);
  await acquire(path, options);
  try {
    return await change();
  } finally {
    // Removed before it is forgotten: a waiter here that saw our pid on it unremembered would take it for stale.
    try {
      await fs.rm(path, { force: true });
    } finally {
      heldHere.delete(path);
    }
  }
}

async function acquire(path: string, options: LockOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    // Checked before the attempt, so two holders in one process cannot both think they own it.
    if (!heldHere.has(path) && (await createExclusive(path))) {
      heldHere.add(path);
      return;
    }
    const owner = await readOwner(path);
    if (owner.stale) await takeOver(path, owner.ino);
    else if (Date.now() > deadline) {
      throw new Error(
        `${options.what} is locked by another process (pid ${owner.pid ?? 'unknown'}) for more than ${timeoutMs / 1000} s; ` +
          `try again, or if no courtdesk command is running, remove ${path}`,
      );
    } else await new Promise((done) => setTimeout(done, wait * (0.5 + Math.random())));
  }
}

async function createExclusive(path: string): Promise<boolean> {
  try {
    await fs.writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

interface Owner {
  pid: number | undefined;
  stale: boolean;
  /** Which lock file was judged, so a takeover removes that one and not a newer lock. */
  ino: number | undefined;
}

async function readOwner(path: string): Promise<Owner> {
  let text: string;
  let stat: { ino: number; mtimeMs: number };
  try {
    stat = await fs.stat(path);
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    // Gone between our attempt and this read: its owner let go; the next attempt may take it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { pid: undefined, stale: false, ino: undefined };
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { pid: undefined, stale: Date.now() - stat.mtimeMs > UNREADABLE_GRACE_MS, ino: stat.ino };
  const alive = pid === process.pid ? heldHere.has(path) : isRunning(pid);
  return { pid, stale: !alive, ino: stat.ino };
}

/**
 * Removes a stale lock. Two waiters may judge the same lock stale; if both simply removed it, the
 * second could remove the lock the first had just created. So a takeover first takes a guard
 * file, and removes the lock only if it is still the very file (same inode) judged stale.
 */
async function takeOver(path: string, ino: number | undefined): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard))) {
    const age = await fs.stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > GUARD_STALE_MS) await fs.rm(guard, { force: true });
    return;
  }
  try {
    const now = await fs.stat(path).catch(() => undefined);
    if (now !== undefined && now.ino === ino && (await readOwner(path)).stale) await fs.rm(path, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}
