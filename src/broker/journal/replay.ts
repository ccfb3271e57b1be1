// Opening the journal: verify every record, hand on those the caller does not already hold, and
// cut a torn tail. Without a checkpoint, one pass parses, checks and hands on each record. With
// one, a worker thread verifies the chain up to the checkpoint's offset while the main thread
// loads the checkpoint's state and then folds only what follows; the start waits for both. If the journal does not
// hold the checkpoint's position, the caller is told and the whole journal is replayed instead.
//
// Recovery: a crash can only leave the last write incomplete, and nothing in it was acknowledged,
// so a torn or unreadable tail is cut off with a warning. Anything else that does not verify (a
// changed record, a missing one, a bad record with good ones after it) means the file was altered
// or damaged after it was written: open refuses, because a broker built on a wrong history would
// answer wrongly and confidently.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JournalRecord } from '../../domain/events.js';
import { packageRoot } from '../package-root.js';
import { damagedJournal, unreadableJournal, verifyChain, type ChainEnd } from './chain-check.js';
import { readSpan, type JournalFile } from './file-ops.js';
import { readLines, type LinesRead } from './line-reader.js';
import { checkRecordLine, genesisHash, parseHeaderLine, parseRecordLine, type LineCheck } from './record-format.js';
import type { JournalPosition, ResumeFrom } from './store.js';

export interface Replayed {
  epoch: string;
  lastSeq: number;
  lastHash: string;
  /** The end of the last good record: where the next append goes. */
  size: number;
  resumedAfter: number;
  warnings: string[];
}

/** Where a pass starts: the top of the file, or just after a record already verified. */
interface Start {
  offset: number;
  lineNo: number;
  lastSeq: number;
  lastHash: string;
  epoch: string;
}

interface Pass extends LinesRead {
  epoch: string;
  lastSeq: number;
  lastHash: string;
  /** The first record that did not verify; fatal unless nothing valid follows it. */
  bad: { offset: number; check: Exclude<LineCheck, { ok: true }> } | undefined;
}

export async function replayJournal(
  handle: JournalFile,
  file: string,
  onRecord: (record: JournalRecord) => void,
  resume: ResumeFrom | undefined,
): Promise<Replayed> {
  const warnings: string[] = [];
  let pass: Pass | undefined;
  let resumedAfter = 0;
  if (resume) {
    const start = await checkpointStart(handle, file, resume.after);
    let rewind = 'rewind' in start ? start.rewind : undefined;
    if (!('rewind' in start)) {
      const prefix = verifyBefore(file, { seq: start.lastSeq, hash: start.lastHash, offset: start.offset });
      try {
        rewind = await resume.load().then(
          () => undefined,
          (err: Error) => err.message,
        );
        if (!rewind) pass = await scan(handle, file, onRecord, start);
      } finally {
        // Without the checkpoint's state, or with a damaged tail refusing at once, the verdict on
        // the records before it no longer matters.
        if (!pass) prefix.stop();
      }
      if (pass) {
        const note = await prefix.done;
        if (note) warnings.push(note);
        resumedAfter = start.lastSeq;
      }
    }
    if (rewind) {
      resume.onRewind(rewind);
      warnings.push(`journal: not using the checkpoint (${rewind}); replayed the whole journal`);
    }
  }
  pass ??= await scan(handle, file, onRecord, undefined);

  const { bad, tornAt, end, lastSeq } = pass;
  const cut = bad?.offset ?? tornAt;
  if (cut !== undefined) {
    const dropped = end - cut;
    const next = lastSeq + 1;
    // Complete records are acknowledged only after their fdatasync, so an incomplete one never
    // was; a complete one failing its hash at the very end is rarer and worth saying so.
    const [kind, why] =
      bad?.check.problem === 'hash'
        ? ['damaged', `the record for seq ${next} did not match its hash; if it had been acknowledged, restore from backup`]
        : ['torn', `the record for seq ${next} was incomplete; it was never acknowledged`];
    await handle.truncate(cut);
    await handle.datasync();
    warnings.push(`journal: dropped a ${kind} tail of ${dropped} bytes after seq ${lastSeq} (${why})`);
  }
  const { epoch, lastHash } = pass;
  return { epoch, lastSeq, lastHash, size: cut ?? end, resumedAfter, warnings };
}

/**
 * Where the pass after a checkpoint starts, having checked cheaply that this journal holds the
 * checkpoint's record where it says (same epoch, and the line just before its offset is that
 * record with that hash). The worker then proves the chain up to it.
 */
async function checkpointStart(handle: JournalFile, file: string, after: JournalPosition): Promise<Start | { rewind: string }> {
  const header = await readSpan(handle, 0, 4096);
  const headerLine = header.subarray(0, Math.max(0, header.indexOf(10))).toString('utf8');
  let epoch: string;
  try {
    epoch = parseHeaderLine(headerLine).epoch;
  } catch {
    return { rewind: 'the journal has no readable header' }; // the full pass says what is wrong with it
  }
  if (after.epoch !== epoch) return { rewind: `it was made for journal epoch ${after.epoch}, and this journal is epoch ${epoch}` };
  const { size } = await handle.stat();
  if (size < after.offset) return { rewind: `it ends at byte ${after.offset} of the journal, and the journal has ${size} bytes` };
  const before = await readSpan(handle, Math.max(0, after.offset - 64 * 1024), after.offset);
  const lineStart = before.lastIndexOf(10, before.length - 2) + 1;
  const line = before.subarray(lineStart, before.length - 1).toString('utf8');
  if (before[before.length - 1] !== 10 || !line.startsWith(`{"seq":${after.seq},`) || !line.endsWith(`,"hash":"${after.hash}"}`)) {
    return { rewind: `this journal's record ${after.seq} is not the one it was made from` };
  }
  return { offset: after.offset, lineNo: after.seq + 1, lastSeq: after.seq, lastHash: after.hash, epoch };
}

/** One pass from `start` (or the top): parses, checks and hands on each record at once, so no more than a chunk is held. */
async function scan(handle: JournalFile, file: string, onRecord: (record: JournalRecord) => void, start: Start | undefined): Promise<Pass> {
  let { lineNo, lastSeq, lastHash, epoch } = start ?? { lineNo: 0, lastSeq: 0, lastHash: '', epoch: '' };
  let bad: (Pass['bad'] & { lineNo: number }) | undefined;

  const takeLine = (line: string, offset: number): void => {
    lineNo++;
    if (lineNo === 1) {
      try {
        epoch = parseHeaderLine(line).epoch;
      } catch (err) {
        throw unreadableJournal(file, (err as Error).message);
      }
      lastHash = genesisHash(line);
      return;
    }
    if (bad) {
      if (parseRecordLine(line) !== undefined) throw damagedJournal(file, bad.lineNo, bad.check, lastSeq, 'and records follow it');
      return;
    }
    const check = checkRecordLine(line, lastHash, lastSeq + 1);
    if (check.ok) {
      onRecord(check.record);
      lastSeq = check.record.seq;
      lastHash = check.record.hash;
    } else if (check.problem === 'seq') {
      // A crash cannot put a whole record in the wrong place; someone removed or moved records.
      throw damagedJournal(file, lineNo, check, lastSeq);
    } else {
      bad = { lineNo, offset, check };
    }
  };

  const read = await readLines(handle, takeLine, { from: start?.offset ?? 0 });
  if (lineNo === 0) throw unreadableJournal(file, read.end === 0 ? 'it is empty' : 'its header line is incomplete');
  return { epoch, lastSeq, lastHash, bad, ...read };
}

/**
 * Verifies the journal up to `end` on a worker thread; `done` resolves (with a note if the worker
 * could not be used) or rejects with the refusal; `stop` drops it. Run from the TypeScript sources
 * (the tests), it verifies on this thread instead: a worker can only load the built JavaScript.
 */
function verifyBefore(file: string, end: ChainEnd): { done: Promise<string | undefined>; stop: () => void } {
  let settled = false;
  let worker: Worker | undefined;
  const done = new Promise<string | undefined>((resolve, reject) => {
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      then();
    };
    const inThread = (why: string | undefined) =>
      settle(() => verifyChain(file, end).then(() => resolve(why && `journal: verified on the main thread, as the check worker could not run (${why})`), reject));
    if (import.meta.url.endsWith('.ts')) return inThread(undefined);
    try {
      worker = new Worker(join(packageRoot(), 'dist', 'broker', 'journal', 'chain-worker.js'), { workerData: { file, end } });
    } catch (err) {
      return inThread((err as Error).message);
    }
    worker.once('message', (answer: { ok: boolean; message?: string }) => settle(() => (answer.ok ? resolve(undefined) : reject(new Error(answer.message)))));
    worker.once('error', (err) => inThread(err.message));
    worker.once('exit', (code) => inThread(`it exited with code ${code}`));
  });
  // Awaited later, or dropped by `stop`: never an unhandled rejection.
  done.catch(() => {});
  return {
    done,
    stop: () => {
      settled = true;
      void worker?.terminate();
    },
  };
}
