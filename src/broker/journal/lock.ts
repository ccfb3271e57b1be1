// One broker per data folder: two writers would interleave their hash chains and ruin the journal.
// Node has no flock, so the lock is a file created exclusively ('wx') that holds the owner's pid;
// a lock whose pid is no longer running was left by a crash and is taken over.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';

export interface HeldLock {
  release(): Promise<void>;
}

/** Locks this process holds: a lock with our own pid that is not in here was left by an earlier
 *  process that had the same pid, as happens to pid 1 in containers. */
const heldHere = new Set<string>();

/** A lock without a readable pid this young may belong to a broker that is still writing it. */
const UNREADABLE_GRACE_MS = 5_000;

export async function acquireLock(lockPath: string, dataDir: string, log: (msg: string) => void): Promise<HeldLock> {
  const path = resolve(lockPath);
  // Two attempts: the second follows removing a stale lock. Losing that race to another starting
  // broker is reported like any live lock.
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(path)) {
      heldHere.add(path);
      return {
        release: async () => {
          heldHere.delete(path);
          await fs.rm(path, { force: true });
        },
      };
    }
    const owner = await readOwner(path);
    if (attempt > 0 || owner.alive) {
      throw new Error(`another broker (pid ${owner.pid ?? 'unknown'}) is using ${dataDir}; stop it or use another --data folder`);
    }
    log(`journal: taking over a stale lock ${path} (pid ${owner.pid ?? 'unreadable'} is not running)`);
    await fs.rm(path, { force: true });
  }
}

async function createExclusive(path: string): Promise<boolean> {
  try {
    await fs.writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readOwner(path: string): Promise<{ pid: number | undefined; alive: boolean }> {
  let text: string;
  let ageMs: number;
  try {
    [text, ageMs] = await Promise.all([fs.readFile(path, 'utf8'), fs.stat(path).then((s) => Date.now() - s.mtimeMs)]);
  } catch (err) {
    // Gone between our attempt and this read: its owner let go, so it is free to take.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { pid: undefined, alive: false };
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { pid: undefined, alive: ageMs < UNREADABLE_GRACE_MS };
  return { pid, alive: pid === process.pid ? heldHere.has(path) : isRunning(pid) };
}

/** Whether a process with this pid is alive (one of another user's counts). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user, which still means it is running.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
