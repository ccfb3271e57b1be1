// Replay on two threads: a worker reads the journal, verifies the chain and opens sealed content
// (replay-ahead-worker.ts), while this thread parses and folds what it hands over, opening what the
// worker left sealed to share that work. On two cores a start then costs about the larger of the
// two shares rather than their sum. After a checkpoint the worker starts while the checkpoint's
// state loads, and what it hands over waits here until the state is in. The worker only
// hands over records that verify; where it stops, for whatever reason, the main thread's own pass
// (replay.ts) goes on from the last record folded, and deals with damage and torn tails as it
// always has. So the worker can only make a start faster, never change what it concludes.
import type { Worker } from 'node:worker_threads';
import type { JournalRecord } from '../../domain/events.js';
import { startJournalWorker } from './journal-worker.js';
import { recordShaped } from './record-format.js';

/** Where a pass starts: the top of the file, or just after a record already verified and folded. */
export interface Start {
  offset: number;
  lineNo: number;
  lastSeq: number;
  lastHash: string;
  epoch: string;
  fileEpoch: string;
}

/** What the worker is given. `progress` holds [batches folded, stop flag]. */
export interface AheadRequest {
  file: string;
  /** The content keys that open sealed lines (ContentKeys.openingTable); none: lines are handed over sealed. */
  keys: string | undefined;
  /** Where to start: the top of the file when undefined. */
  from: Start | undefined;
  /**
   * Whether nothing is folded until the main thread says so (the checkpoint's state still
   * loading): the worker may then run further ahead, and it yields the CPU to the main thread.
   */
  held: boolean;
  progress: SharedArrayBuffer;
}

type Message =
  /** The header read and checked: its epoch, the hash record 1 chains to, and where it ends. */
  | { header: { epoch: string; hash: string; end: number } }
  /** `batch`: a JSON array of the records' bodies; `hashes`: their hashes, end to end. */
  | { batch: string; hashes: string; count: number; end: number }
  | { done: true }
  | { failed: string };

export interface Ahead {
  /** Where the main thread's pass goes on from: after the last record folded here. */
  start: Start | undefined;
  /** Said when the worker could not be used all the way. */
  note?: string;
}

/** A read-ahead under way (see startReadAhead). */
export interface AheadRun {
  /** Resolves, once everything the worker handed over is folded, with where the rest of the pass begins. Rejects only with what `onRecord` threw. */
  done: Promise<Ahead>;
  /** Lets a held read-ahead's records through to `onRecord`, those already read first. */
  release(): void;
  /** Drops it: the worker stops, and nothing more is folded. */
  stop(): void;
}

/**
 * Starts folding, through `onRecord`, the records the worker verifies and opens from `start` (or
 * the top). `held`: nothing is folded until `release()`, while the worker reads on (as far as
 * its HELD_AHEAD), so a start from a checkpoint reads the journal after it while the state loads.
 * Without the worker (see startJournalWorker), it hands everything to the main thread's pass.
 */
export function startReadAhead(file: string, keys: string | undefined, onRecord: (record: JournalRecord) => void, start: Start | undefined, { held = false } = {}): AheadRun {
  const progress = new SharedArrayBuffer(8);
  const folded = new Int32Array(progress);
  const request: AheadRequest = { file, keys, from: start, held, progress };
  let at = start;
  let batches = 0;
  let worker: Worker | undefined;
  let finished = false;
  let settle: (outcome: { note?: string; error?: unknown }) => void = () => {};
  const done = new Promise<Ahead>((resolve, reject) => {
    settle = (outcome) => (outcome.error !== undefined ? reject(outcome.error) : resolve({ start: at, ...(outcome.note ? { note: outcome.note } : {}) }));
  });
  const finish = (outcome: { note?: string; error?: unknown }): void => {
    if (finished) return;
    finished = true;
    Atomics.store(folded, 1, 1);
    Atomics.notify(folded, 0);
    void worker?.terminate();
    settle(outcome);
  };
  const onThisThread = (why: string | undefined) =>
    finish(why === undefined ? {} : { note: `journal: replayed on the main thread from seq ${(at?.lastSeq ?? 0) + 1}, as the replay worker could not (${why})` });
  const take = (message: Message): void => {
    if (finished) return;
    if ('header' in message) {
      const { epoch, hash, end } = message.header;
      at = { offset: end, lineNo: 1, lastSeq: 0, lastHash: hash, epoch, fileEpoch: epoch };
    } else if ('batch' in message) {
      if (!at) return onThisThread('it sent records before the header');
      const records = recordsOf(message, at.lastSeq);
      if (!records) return onThisThread(`its batch after seq ${at.lastSeq} did not read back`);
      let { epoch } = at;
      try {
        for (const record of records) {
          if (record.event.type === 'journal.epoch-started') epoch = record.event.epoch;
          onRecord(record);
        }
      } catch (err) {
        return finish({ error: err });
      }
      const last = records.at(-1)!;
      at = { offset: message.end, lineNo: at.lineNo + message.count, lastSeq: last.seq, lastHash: last.hash, epoch, fileEpoch: at.fileEpoch };
      Atomics.store(folded, 0, ++batches);
      Atomics.notify(folded, 0);
    } else if ('done' in message) {
      finish({});
    } else {
      onThisThread(message.failed);
    }
  };
  // Messages that came while held, in order; a failure or the end among them waits its turn too.
  let waiting: Message[] | undefined = held ? [] : undefined;
  worker = startJournalWorker('replay-ahead-worker.js', request, (why) => (waiting ? waiting.push(why === undefined ? { done: true } : { failed: why }) : onThisThread(why)));
  worker?.on('message', (message: Message) => (waiting ? waiting.push(message) : take(message)));
  return {
    done,
    release: () => {
      const queued = waiting ?? [];
      waiting = undefined;
      for (const message of queued) take(message);
    },
    stop: () => finish({}),
  };
}

/** A batch's records, each with a record's shape and in seq order after `lastSeq`, their hashes put back; undefined if any is not. */
function recordsOf(message: { batch: string; hashes: string; count: number }, lastSeq: number): JournalRecord[] | undefined {
  let values: unknown;
  try {
    values = JSON.parse(message.batch);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== message.count || message.count === 0 || message.hashes.length !== message.count * 64) return undefined;
  for (let i = 0; i < values.length; i++) {
    const record = recordShaped(values[i]);
    if (!record || record.seq !== lastSeq + 1 + i) return undefined;
    record.hash = message.hashes.slice(i * 64, i * 64 + 64);
  }
  return values as JournalRecord[];
}
