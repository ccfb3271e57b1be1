// The worker thread that verifies one span of the journal for `courtdesk journal verify`, while
// the main thread verifies another (verify.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { scanSpan, type SpanRequest } from './verify-scan.js';

scanSpan(workerData as SpanRequest).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (err: unknown) => parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
