// Starting one of the journal's worker threads (chain-worker, verify-worker, replay-ahead-worker),
// each with a fallback on the calling thread. A worker can only load the built JavaScript, so run
// from the TypeScript sources (the tests) none is started and the caller falls back at once,
// saying nothing; a worker that cannot start, fails or exits is a reason the caller puts in its note.
import { getPriority, setPriority } from 'node:os';
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

/** How much lower than the main thread a yielding worker runs (nice values, 19 the lowest). */
const YIELD_BY = 10;

/**
 * Called first in a worker whose work runs beside the main thread's rather than ahead of it: the
 * journal read after a checkpoint while the checkpoint loads. That load is what a start waits
 * for, and with three busy threads on two cores (the chain check before the checkpoint is the
 * third) it got only about two thirds of a core. Yielding, the read takes what the other two
 * leave. The chain check keeps its priority: after a clean stop it runs beside the load alone,
 * and on a busy machine yielding would only make the start wait for it. Linux sets the nice value
 * of the calling thread alone; elsewhere it would be the whole process's, so it is left alone
 * there. A worker not allowed to runs as it is.
 */
export function yieldToMainThread(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, Math.min(19, getPriority(0) + YIELD_BY));
  } catch {
    // Lowering one's own priority is allowed everywhere but in the strictest sandboxes.
  }
}
