// The worker thread that verifies the journal up to a checkpoint while the main thread loads the
// checkpoint and folds what came after it: on two cores the start then takes the longer of the
// two, not their sum. Started by replay.ts with the file and where the chain must end.
import { parentPort, workerData } from 'node:worker_threads';
import { verifyChain, type ChainEnd } from './chain-check.js';

const { file, end } = workerData as { file: string; end: ChainEnd };
verifyChain(file, end).then(
  () => parentPort?.postMessage({ ok: true }),
  (err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
