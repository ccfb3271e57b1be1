// Temp folders for tests that touch real files, and a way to see that nothing in one changed.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Call once at the top of a test file. Returns a function that makes a fresh temp folder; every
 * folder made during a test is removed after it.
 */
export function freshFolders(prefix = 'courtdesk-test-'): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** Every path under `dir` with its size, mode and modification time: what any write there would change. */
export async function folderState(dir: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  for (const path of (await readdir(dir, { recursive: true })).sort()) {
    const found = await stat(join(dir, path)).catch(() => null);
    state[path] = found ? `${found.size} bytes, mode ${found.mode.toString(8)}, modified ${found.mtimeMs}` : 'gone';
  }
  return state;
}
