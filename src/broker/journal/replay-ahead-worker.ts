// The worker thread that reads the journal ahead of the main thread at start: it verifies each
// record's place in the hash chain and opens its sealed content (while the main thread is busy
// enough, see OPEN_WHEN_WAITING), and hands the records over in batches, as their bodies (the
// hash field, which the main thread need not parse, sent apart), so the main thread parses and
// folds them. Started by replay-ahead.ts, which says what each message means. It stops at the
// first line it cannot verify: the main thread's own pass takes over there and says what is wrong.
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { yieldToMainThread } from './journal-worker.js';
import { readLines } from './line-reader.js';
import type { AheadRequest } from './replay-ahead.js';
import { checkChainLine, genesisHash, parseHeaderLine } from './record-format.js';
import { openSealedBody, type LineKey } from './sealing.js';

/** Characters of bodies per batch: big enough that posting costs little, small enough to keep both threads busy. */
const BATCH_CHARS = 1024 * 1024;
/** Batches posted and not yet folded before the worker waits: bounds the memory the lines take meanwhile. */
const AHEAD = 8;
/**
 * The same while held (the checkpoint's state still loading, nothing folded yet): enough for the
 * tail a crash leaves at the default --checkpoint-every of 100,000 events, some 42 MB of lines,
 * so the whole of it is verified and opened meanwhile.
 */
const HELD_AHEAD = 48;

/**
 * Opening sealed content is most of this thread's work, and the main thread can do it too (its
 * openEvent). So each batch is opened here only while the main thread has this many or more
 * still to fold; otherwise it goes over sealed, sooner, and the main thread opens it. The two
 * threads then share the work rather than one of them waiting on the other.
 */
const OPEN_WHEN_WAITING = 2;

const request = workerData as AheadRequest;
const ahead = request.held ? HELD_AHEAD : AHEAD;
if (request.held) yieldToMainThread();
const folded = new Int32Array(request.progress);
const stopped = new Error('stopped');

async function readAhead(): Promise<void> {
  const keys = keyTable(request.keys);
  const handle = await open(request.file, 'r');
  let { lastSeq, lastHash } = request.from ?? { lastSeq: 0, lastHash: '' };
  let bodies: string[] = [];
  let hashes: string[] = [];
  let chars = 0;
  let posted = 0;
  const from = request.from?.offset ?? 0;
  // The last line taken and its offset: where a batch ends is worked out from them when it is posted.
  let lastLine = '';
  let lastOffset = from - 1;
  /** Whether this batch's sealed content is opened here (see OPEN_WHEN_WAITING). */
  let opening = false;
  const post = (): void => {
    const end = lastOffset + Buffer.byteLength(lastLine) + 1;
    for (let done = Atomics.load(folded, 0); posted - done >= ahead; done = Atomics.load(folded, 0)) {
      if (Atomics.load(folded, 1) !== 0) throw stopped;
      Atomics.wait(folded, 0, done, 100);
    }
    parentPort!.postMessage({ batch: `[${bodies.join(',')}]`, hashes: hashes.join(''), count: bodies.length, end });
    posted++;
    bodies = [];
    hashes = [];
    chars = 0;
  };
  try {
    await readLines(
      handle,
      (line, offset) => {
        if (Atomics.load(folded, 1) !== 0) throw stopped;
        if (!request.from && offset === 0) {
          let epoch: string;
          try {
            ({ epoch } = parseHeaderLine(line));
          } catch {
            throw stopped;
          }
          lastHash = genesisHash(line);
          parentPort!.postMessage({ header: { epoch, hash: lastHash, end: Buffer.byteLength(line) + 1 } });
          return;
        }
        const check = checkChainLine(line, lastHash, lastSeq + 1);
        if (!check.ok) throw stopped;
        lastSeq = check.seq;
        lastHash = check.hash;
        if (bodies.length === 0) opening = keys !== undefined && posted - Atomics.load(folded, 0) >= OPEN_WHEN_WAITING;
        const opened = opening ? openSealedBody(check.body, keys!) : check.body;
        bodies.push(opened);
        hashes.push(check.hash);
        chars += opened.length;
        lastLine = line;
        lastOffset = offset;
        if (chars >= BATCH_CHARS) post();
      },
      { from },
    );
  } catch (err) {
    // A line that does not verify, or a header that does not read: what was verified before it is still handed over.
    if (err !== stopped) throw err;
  } finally {
    await handle.close();
  }
  if (bodies.length > 0 && Atomics.load(folded, 1) === 0) post();
  parentPort!.postMessage({ done: true });
}

/**
 * The key for a sealed line, from the main thread's table: only a live key the key file says was
 * given to that very enquiry, so the main thread would have nothing to learn from the record.
 */
function keyTable(table: string | undefined): LineKey | undefined {
  if (table === undefined) return undefined;
  const entries = new Map<string, { key: string | Buffer; enquiryId: string }>();
  for (const line of table.split('\n')) {
    const [keyId, key, enquiryId] = line.split(' ');
    if (keyId && key && enquiryId) entries.set(keyId, { key, enquiryId });
  }
  return (keyId, enquiryId) => {
    const entry = entries.get(keyId);
    if (entry?.enquiryId !== enquiryId) return undefined;
    if (typeof entry.key === 'string') entry.key = Buffer.from(entry.key, 'base64');
    return entry.key;
  };
}

readAhead().catch((err: unknown) => parentPort!.postMessage({ failed: err instanceof Error ? err.message : String(err) }));
