// Opening the journal: verify every record, hand on those the caller does not already hold, and
// cut a torn tail. Without a checkpoint, one pass checks and hands on each record; a worker reads
// ahead of it (replay-ahead.ts), verifying the chain and opening sealed content (sharing the
// opening with this thread, which parses and folds), and the pass itself takes over wherever the
// worker stops. With a
// checkpoint, another worker verifies the chain up to the checkpoint's offset while the main
// thread loads the checkpoint's state, and the replay worker meanwhile reads, verifies and opens
// what follows it; the main thread then folds only that, and the start waits for both.
// If the journal is another one than the checkpoint was made from, the whole journal is replayed instead.
//
// Recovery: a crash can only leave the last write incomplete: bytes after the last newline. They
// were never acknowledged (a record is acknowledged after its newline is fsynced), so they are cut
// with a warning. A complete line that does not verify, anywhere, is damage, and so is a journal
// that ends before records its own checkpoint proves were written: open refuses, naming the seq
// and byte, because a broker built on a wrong history would answer wrongly and confidently. An
// operator may accept the loss on purpose (Repair); the journal then records it and starts a new
// epoch, so clients that saw the lost records take a fresh snapshot.
import { promises as fs } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { JournalRecord } from '../../domain/events.js';
import { damagedJournal, REFUSAL, unreadableJournal, verifyChain, type ChainEnd } from './chain-check.js';
import { readSpan, type JournalFile } from './file-ops.js';
import { startJournalWorker } from './journal-worker.js';
import { readLines, type LinesRead } from './line-reader.js';
import { checkRecordLine, genesisHash, parseHeaderLine, parseRecordLine, type LineCheck } from './record-format.js';
import { startReadAhead, type AheadRun, type Start } from './replay-ahead.js';
import type { JournalPosition, ResumeFrom } from './store.js';

/** What an operator has explicitly accepted losing, from the refusal's own instructions. */
export interface Repair {
  /** Cut the journal at this byte: the offset of the damaged record a refusal named. */
  truncateAt?: number;
  /** Start even though the checkpoint proves the journal is missing records from its end. */
  acceptLostRecords?: boolean;
}

export interface Replayed {
  /** The epoch in force at the end (the header's, or the last journal.epoch-started record's). */
  epoch: string;
  /** The header's epoch: which journal file this is. */
  fileEpoch: string;
  lastSeq: number;
  lastHash: string;
  /** The end of the last good record: where the next append goes. */
  size: number;
  resumedAfter: number;
  warnings: string[];
  /** Set when records were lost on the operator's say-so: the store records it and starts a new epoch. */
  lost?: { fromSeq: number; reason: string };
}

interface Pass extends LinesRead {
  epoch: string;
  fileEpoch: string;
  /** Lines read, the header included. */
  lineNo: number;
  lastSeq: number;
  lastHash: string;
  /** The first record that did not verify; fatal unless nothing valid follows it. */
  bad: { offset: number; lineNo: number; check: Exclude<LineCheck, { ok: true }> } | undefined;
}

/**
 * Less than this left to read (a checkpoint written at a clean stop leaves nothing) is read on
 * this thread: starting the worker and handing it the keys takes about 0.1 s on a big centre,
 * what this thread needs for some 20,000 records.
 */
const READ_AHEAD_FROM_BYTES = 8 * 1024 * 1024;

/** How the worker may read ahead: from the disk itself, opening sealed content with these keys (ContentKeys.openingTable). */
export interface ReadAhead {
  keys: () => string | undefined;
}

export async function replayJournal(
  handle: JournalFile,
  file: string,
  onRecord: (record: JournalRecord) => void,
  resume: ResumeFrom | undefined,
  repair: Repair = {},
  readAhead?: ReadAhead,
): Promise<Replayed> {
  const warnings: string[] = [];
  /** A worker reading ahead from `start`, when there is enough left to read to be worth one. */
  const readAheadFrom = async (start: Start | undefined, held: boolean): Promise<AheadRun | undefined> =>
    readAhead && (await handle.stat()).size - (start?.offset ?? 0) >= READ_AHEAD_FROM_BYTES ? startReadAhead(file, readAhead.keys(), onRecord, start, { held }) : undefined;
  const pass = async (start: Start | undefined, ahead: AheadRun | undefined): Promise<Pass> => {
    if (!ahead) return scan(handle, file, onRecord, start);
    ahead.release();
    const { start: next, note } = await ahead.done;
    if (note) warnings.push(note);
    return scan(handle, file, onRecord, next);
  };
  let passed: Pass | undefined;
  let resumedAfter = 0;
  let lostAfterCheckpoint: JournalPosition | undefined;
  if (resume) {
    const start = await checkpointStart(handle, file, resume.after);
    let rewind = 'rewind' in start ? start.rewind : undefined;
    if ('missing' in start && start.missing) {
      if (!repair.acceptLostRecords) throw missingRecords(file, resume.after, start.missing);
      lostAfterCheckpoint = resume.after;
    }
    if (!('rewind' in start)) {
      const prefix = verifyBefore(file, { seq: start.lastSeq, hash: start.lastHash, offset: start.offset });
      // The records after the checkpoint are read, verified and opened while its state loads, and folded once it has.
      const afterCheckpoint = await readAheadFrom(start, true);
      try {
        rewind = await resume.load().then(
          () => undefined,
          (err: Error) => err.message,
        );
        if (!rewind) passed = await pass(start, afterCheckpoint);
      } finally {
        // Without the checkpoint's state, or with a damaged tail refusing at once, the verdict on
        // the records before it no longer matters, and what was read after it is not wanted.
        if (!passed) {
          prefix.stop();
          afterCheckpoint?.stop();
        }
      }
      if (passed) {
        const note = await prefix.done;
        if (note) warnings.push(note);
        resumedAfter = start.lastSeq;
      }
    }
    if (rewind) {
      resume.onRewind(rewind);
      if (!lostAfterCheckpoint) warnings.push(`journal: not using the checkpoint (${rewind}); replayed the whole journal`);
    }
  }
  passed ??= await pass(undefined, await readAheadFrom(undefined, false));

  const tail = await settleTail(handle, file, passed, onRecord, repair);
  if (tail.warning) warnings.push(tail.warning);
  const { epoch, fileEpoch } = passed;
  const lost =
    tail.lost ??
    (lostAfterCheckpoint && {
      fromSeq: tail.lastSeq + 1,
      reason: `the operator started with --accept-lost-records: the checkpoint proves records up to seq ${lostAfterCheckpoint.seq} were written, and the journal ends at seq ${tail.lastSeq}`,
    });
  return { epoch, fileEpoch, lastSeq: tail.lastSeq, lastHash: tail.lastHash, size: tail.size, resumedAfter, warnings, ...(lost ? { lost } : {}) };
}

/**
 * What to do with the end of the file. A complete line that failed its check is damage: refused
 * unless the operator named its offset. Bytes after the last newline are a torn write and cut,
 * unless they hold a whole record that verifies: then only its newline was lost, and it is kept
 * (it may have been acknowledged), or a whole record followed by more bytes, which no torn write
 * makes: damage again.
 */
async function settleTail(
  handle: JournalFile,
  file: string,
  pass: Pass,
  onRecord: (record: JournalRecord) => void,
  repair: Repair,
): Promise<{ lastSeq: number; lastHash: string; size: number; warning?: string; lost?: { fromSeq: number; reason: string } }> {
  const { bad, tornAt, end, lastSeq, lastHash } = pass;
  const next = lastSeq + 1;
  if (bad) {
    if (repair.truncateAt !== bad.offset) throw damagedTail(file, bad, lastSeq, end);
    await keepCut(handle, file, bad.offset, end);
    await cutAt(handle, bad.offset);
    const reason = `the operator cut the journal at byte ${bad.offset}, dropping ${end - bad.offset} bytes from seq ${next} on (${bad.check.detail})`;
    return { lastSeq, lastHash, size: bad.offset, warning: `journal: ${reason}`, lost: { fromSeq: next, reason } };
  }
  if (tornAt === undefined) return { lastSeq, lastHash, size: end };
  // Longer than any record: it cannot hold one, so there is no need to read it all.
  const bytes = await readSpan(handle, tornAt, Math.min(end, tornAt + MAX_RECORD_BYTES));
  const text = bytes.toString('utf8');
  const whole = checkRecordLine(text, lastHash, next);
  if (whole.ok) {
    await handle.write(Buffer.from('\n'), 0, 1, end);
    await handle.datasync();
    onRecord(whole.record);
    return { lastSeq: next, lastHash: whole.record.hash, size: end + 1, warning: `journal: the last record (seq ${next}) had lost its final newline; it verifies, so it was kept and the newline put back` };
  }
  const recordEnd = text.search(RECORD_END) + RECORD_END_LENGTH;
  const prefix = recordEnd >= RECORD_END_LENGTH ? checkRecordLine(text.slice(0, recordEnd), lastHash, next) : undefined;
  if (prefix?.ok && repair.truncateAt !== tornAt) {
    throw damagedTail(file, { offset: tornAt, lineNo: pass.lineNo + 1, check: { ok: false, problem: 'unreadable', detail: 'a whole record is followed by other bytes where its newline should be' } }, lastSeq, end);
  }
  if (prefix?.ok) await keepCut(handle, file, tornAt, end);
  await cutAt(handle, tornAt);
  if (prefix?.ok) {
    const reason = `the operator cut the journal at byte ${tornAt}, dropping ${end - tornAt} bytes from seq ${next} on (a whole record followed by other bytes)`;
    return { lastSeq, lastHash, size: tornAt, warning: `journal: ${reason}`, lost: { fromSeq: next, reason } };
  }
  return {
    lastSeq,
    lastHash,
    size: tornAt,
    warning: `journal: dropped a torn tail of ${end - tornAt} bytes after seq ${lastSeq} (the record for seq ${next} was incomplete; it was never acknowledged)`,
  };
}

/** Where a record's hash suffix ends: `"hash":"<64 hex>"}`. */
const RECORD_END = /"hash":"[0-9a-f]{64}"\}/;
const RECORD_END_LENGTH = '"hash":"'.length + 64 + 2;

/** No record comes near this (a message is at most a few hundred KB). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** What an operator cuts is kept beside the journal for investigation: JOURNAL.cut-at-OFFSET. */
async function keepCut(handle: JournalFile, file: string, from: number, end: number): Promise<void> {
  const bytes = await readSpan(handle, from, end);
  await fs.writeFile(`${file}.cut-at-${from}`, bytes, { mode: 0o600, flag: 'w' });
}

async function cutAt(handle: JournalFile, offset: number): Promise<void> {
  await handle.truncate(offset);
  await handle.sync();
}

/** The refusal for damage at the end, with the flag that cuts it on purpose. */
function damagedTail(file: string, bad: NonNullable<Pass['bad']>, lastSeq: number, end: number): Error {
  const damage = damagedJournal(file, bad.lineNo, bad.check, lastSeq, `at byte ${bad.offset}`);
  return new Error(
    `${damage.message} Only bytes after the last newline can be a torn write; this is a complete record that does not verify, ` +
      `and it may have been acknowledged. To drop it and the ${end - bad.offset} bytes from it on instead, losing seq ${lastSeq + 1} onwards, ` +
      `keep a copy of the journal and start once with --truncate-journal-at ${bad.offset}: the journal records the cut and starts a new epoch.`,
  );
}

/** The refusal for a journal that ends before records its checkpoint proves were written. */
function missingRecords(file: string, after: JournalPosition, why: string): Error {
  return new Error(
    `${file} is missing records: the checkpoint proves seq ${after.seq} was written (ending at byte ${after.offset}), but ${why}. ` +
      `Records that may have been acknowledged are gone. ${REFUSAL} ` +
      'To go on without them, start once with --accept-lost-records: the journal records the loss and starts a new epoch, so agents take a fresh snapshot.',
  );
}

/**
 * Where the pass after a checkpoint starts, having checked cheaply that this journal holds the
 * checkpoint's record where it says (same epoch, and the line just before its offset is that
 * record with that hash). The worker then proves the chain up to it.
 */
async function checkpointStart(handle: JournalFile, file: string, after: JournalPosition): Promise<Start | { rewind: string; missing?: string }> {
  const header = await readSpan(handle, 0, 4096);
  const headerLine = header.subarray(0, Math.max(0, header.indexOf(10))).toString('utf8');
  let fileEpoch: string;
  try {
    fileEpoch = parseHeaderLine(headerLine).epoch;
  } catch {
    return { rewind: 'the journal has no readable header' }; // the full pass says what is wrong with it
  }
  if (after.fileEpoch !== fileEpoch) return { rewind: `it was made for journal ${after.fileEpoch}, and this journal is ${fileEpoch}` };
  // From here on it is this journal's own checkpoint: a journal that does not hold its record lost history.
  const { size } = await handle.stat();
  if (size < after.offset) {
    return { rewind: `the journal ends at byte ${size}, before the checkpoint's record ${after.seq}`, missing: `the journal ends at byte ${size}` };
  }
  const before = await readSpan(handle, Math.max(0, after.offset - 64 * 1024), after.offset);
  const lineStart = before.lastIndexOf(10, before.length - 2) + 1;
  const line = before.subarray(lineStart, before.length - 1).toString('utf8');
  if (before[before.length - 1] !== 10 || !line.startsWith(`{"seq":${after.seq},`) || !line.endsWith(`,"hash":"${after.hash}"}`)) {
    return { rewind: `this journal's record ${after.seq} is not the one it was made from`, missing: `the journal's record at byte ${after.offset} is not that record` };
  }
  return { offset: after.offset, lineNo: after.seq + 1, lastSeq: after.seq, lastHash: after.hash, epoch: after.epoch, fileEpoch };
}

/** One pass from `start` (or the top): parses, checks and hands on each record at once, so no more than a chunk is held. */
async function scan(handle: JournalFile, file: string, onRecord: (record: JournalRecord) => void, start: Start | undefined): Promise<Pass> {
  let { lineNo, lastSeq, lastHash, epoch, fileEpoch } = start ?? { lineNo: 0, lastSeq: 0, lastHash: '', epoch: '', fileEpoch: '' };
  let bad: (Pass['bad'] & { lineNo: number }) | undefined;

  const takeLine = (line: string, offset: number): void => {
    lineNo++;
    if (lineNo === 1) {
      try {
        epoch = fileEpoch = parseHeaderLine(line).epoch;
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
      if (check.record.event.type === 'journal.epoch-started') epoch = check.record.event.epoch;
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
  return { epoch, fileEpoch, lastSeq, lastHash, bad, lineNo, ...read };
}

/**
 * Verifies the journal up to `end` on a worker thread; `done` resolves (with a note if the worker
 * could not be used) or rejects with the refusal; `stop` drops it. Without the worker (see
 * startJournalWorker), it verifies on this thread instead.
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
    worker = startJournalWorker('chain-worker.js', { file, end }, inThread);
    worker?.once('message', (answer: { ok: boolean; message?: string }) => settle(() => (answer.ok ? resolve(undefined) : reject(new Error(answer.message)))));
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
