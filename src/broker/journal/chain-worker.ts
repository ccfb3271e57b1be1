// The worker thread that verifies the journal up to a checkpoint while the main thread loads the
// checkpoint and folds what came after it: on two cores the start then takes the longer of the
// two, not their sum. Without a checkpoint it verifies the whole journal while the main thread
// parses and folds it. Started by replay.ts with the file and where to stop; answers with the last
// record's seq and hash, which replay.ts compares with what it expected.
import { parentPort, workerData } from 'node:worker_threads';
import { chainBefore } from './chain-check.js';

const { file, offset } = workerData as { file: string; offset: number };
chainBefore(file, offset, (verified) => parentPort?.postMessage({ verified })).then(
  (last) => parentPort?.postMessage({ ok: true, ...last }),
  (err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
