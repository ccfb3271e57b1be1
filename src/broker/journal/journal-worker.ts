// Starting one of the journal's worker threads (chain-worker, verify-worker, replay-ahead-worker),
// each with a fallback on the calling thread. A worker can only load the built JavaScript, so run
// from the TypeScript sources (the tests) none is started and the caller falls back at once,
// saying nothing; a worker that cannot start, fails or exits is a reason the caller puts in its note.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';

/**
 * Runs dist/broker/journal/`script` with `workerData`. `unusable` hears, at most once per cause,
 * why the caller must do the work itself: `undefined` from the sources, otherwise what went
 * wrong; it may be called before this returns. The caller ignores it once it has its answer.
 */
export function startJournalWorker(script: string, workerData: unknown, unusable: (why: string | undefined) => void): Worker | undefined {
  if (import.meta.url.endsWith('.ts')) {
    unusable(undefined);
    return undefined;
  }
  let worker: Worker;
  try {
    worker = new Worker(join(packageRoot(), 'dist', 'broker', 'journal', script), { workerData });
  } catch (err) {
    unusable((err as Error).message);
    return undefined;
  }
  worker.once('error', (err) => unusable(err.message));
  worker.once('exit', (code) => unusable(`it exited with code ${code}`));
  return worker;
}
