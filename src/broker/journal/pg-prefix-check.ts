// A node that starts from a checkpoint verifies only the records after it before serving; the
// records the checkpoint covers are verified meanwhile on a worker thread (pg-chain-worker.ts).
// Reading a million rows back costs seconds, and the checkpoint is no more trustworthy for
// having waited: it is kept in the same database (pg-checkpoint.ts). Damage found stops the node
// as it would have refused to start; the whole chain is verified on every start either way.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';
import type { PrefixJob, PrefixResult } from './pg-chain-worker.js';

export interface PrefixCheckCallbacks {
  onVerified(ms: number): void;
  /** The chain breaks before the checkpoint. */
  onDamage(message: string): void;
  /** It could not be read (the connection failed): unverified until the next start. */
  onUnverified(message: string): void;
}

/** Starts verifying; the returned function stops it (at close). */
export function checkPrefix(job: PrefixJob, callbacks: PrefixCheckCallbacks): () => Promise<void> {
  const started = performance.now();
  const worker = new Worker(join(packageRoot(), 'dist', 'broker', 'journal', 'pg-chain-worker.js'), { workerData: job });
  let settled = false;
  worker.unref();
  worker.once('message', (result: PrefixResult) => {
    settled = true;
    if (result.ok) callbacks.onVerified(performance.now() - started);
    else if (result.damage) callbacks.onDamage(result.message);
    else callbacks.onUnverified(result.message);
  });
  worker.once('error', (err) => {
    if (settled) return;
    settled = true;
    callbacks.onUnverified(err.message);
  });
  return async () => {
    settled = true;
    await worker.terminate();
  };
}
