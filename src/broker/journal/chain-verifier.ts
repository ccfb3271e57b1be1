// Proving the journal's hash chain on a worker thread while the main thread does its own part of
// the start (loading a checkpoint, or parsing and folding the records): replay.ts waits for both.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';
import { chainBefore } from './chain-check.js';

export interface ChainVerification {
  done: Promise<ChainVerdict>;
  /** Resolves true once every line before `end` has verified, false if the chain failed first. */
  verifiedTo(end: number): Promise<boolean>;
  stop(): void;
}

/** The last record before the offset verified, and a note when it had to be done on this thread. */
export interface ChainVerdict {
  seq: number;
  hash: string;
  note?: string;
}

/**
 * Verifies the journal before byte `offset` on a worker thread; `done` resolves with the last
 * record's seq and hash (and a note if the worker could not be used) or rejects with the refusal;
 * `stop` drops it. Run from the TypeScript sources (the tests), it verifies on this thread
 * instead: a worker can only load the built JavaScript.
 */
export function verifyBefore(file: string, offset: number): ChainVerification {
  let settled = false;
  let worker: Worker | undefined;
  let verified = 0;
  let failed = false;
  let waiting: Array<{ end: number; wake: (ok: boolean) => void }> = [];
  const progress = (end: number) => {
    verified = Math.max(verified, end);
    const still = waiting.filter((w) => w.end > verified);
    for (const w of waiting) if (w.end <= verified) w.wake(true);
    waiting = still;
  };
  const done = new Promise<ChainVerdict>((resolve, reject) => {
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      then();
    };
    const inThread = (why: string | undefined) =>
      settle(() =>
        chainBefore(file, offset, progress).then(
          (last) => resolve(why ? { ...last, note: `journal: verified on the main thread, as the check worker could not run (${why})` } : last),
          reject,
        ),
      );
    if (import.meta.url.endsWith('.ts')) return inThread(undefined);
    try {
      worker = new Worker(join(packageRoot(), 'dist', 'broker', 'journal', 'chain-worker.js'), { workerData: { file, offset } });
    } catch (err) {
      return inThread((err as Error).message);
    }
    worker.on('message', (answer: { verified: number } | { ok: boolean; seq: number; hash: string; message?: string }) => {
      if ('verified' in answer) return progress(answer.verified);
      settle(() => (answer.ok ? resolve({ seq: answer.seq, hash: answer.hash }) : reject(new Error(answer.message))));
    });
    worker.once('error', (err) => inThread(err.message));
    worker.once('exit', (code) => inThread(`it exited with code ${code}`));
  });
  // Awaited later, or dropped by `stop`: never an unhandled rejection.
  done.then(
    () => progress(offset),
    () => {
      failed = true;
      for (const w of waiting) w.wake(false);
      waiting = [];
    },
  );
  return {
    done,
    verifiedTo: (end) => (end <= verified ? Promise.resolve(true) : failed ? Promise.resolve(false) : new Promise((wake) => waiting.push({ end, wake }))),
    stop: () => {
      settled = true;
      void worker?.terminate();
    },
  };
}
