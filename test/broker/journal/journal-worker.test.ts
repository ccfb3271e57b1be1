// yieldToMainThread (journal-worker.ts) in a real worker thread: the built module, as the journal's
// workers load it (`npm test` builds first). Linux keeps a nice value per thread, which is what
// lets a worker yield without slowing the main thread it yields to.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const BUILT = join(import.meta.dirname, '..', '..', '..', 'dist', 'broker', 'journal', 'journal-worker.js');

/** The nice value of the calling thread: field 19 of /proc/thread-self/stat (after the name, which may hold spaces). */
function niceOfThisThread(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Runs `body` in a worker that has yieldToMainThread in scope, and resolves with the worker's nice value after it. */
function niceOfWorker(body: string): Promise<number> {
  const source = `
    import { readFileSync } from 'node:fs';
    import { parentPort } from 'node:worker_threads';
    import { yieldToMainThread } from ${JSON.stringify(pathToFileURL(BUILT).href)};
    ${body}
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    parentPort.postMessage(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
  return new Promise((resolve, reject) => {
    worker.once('message', (nice: number) => {
      void worker.terminate();
      resolve(nice);
    });
    worker.once('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('a journal worker yielding to the main thread', () => {
  it('runs 10 nice levels below the main thread, which keeps its own priority', async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run \`npm run build\` first (npm test does)`).toBe(true);
    const before = niceOfThisThread();
    expect(await niceOfWorker('')).toBe(before);
    expect(await niceOfWorker('yieldToMainThread();')).toBe(Math.min(19, before + 10));
    expect(niceOfThisThread()).toBe(before);
  });
});
