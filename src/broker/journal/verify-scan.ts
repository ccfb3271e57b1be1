// One stretch of the journal checked the way a start without a checkpoint checks it: every line
// parsed, in its place in the seq order and the hash chain. `courtdesk journal verify` runs two
// of these at once, one per half of the file (verify-worker.ts runs the first), so this imports
// nothing but Node and the record format, and returns only plain data a worker can post.
import { open } from 'node:fs/promises';
import { readSpan } from './file-ops.js';
import { readLines } from './line-reader.js';
import { checkRecordLine, genesisHash, parseHeaderLine } from './record-format.js';

/** What is wrong at the first place the journal goes wrong. */
export type ProblemKind = 'bad-header' | 'hash-mismatch' | 'seq-gap' | 'bad-json' | 'torn-tail';

export interface Problem {
  kind: ProblemKind;
  /** The seq the journal should have at `offset` (null for the header). */
  seq: number | null;
  /** The byte where the bad line starts. */
  offset: number;
  message: string;
}

/** Where a span starts: the top of the file (header first), or just after a record whose seq and hash are known. */
export type SpanStart = { offset: 0 } | { offset: number; seq: number; hash: string };

export interface SpanRequest {
  file: string;
  start: SpanStart;
  /** The byte to stop at (the file's size when the check began, for the last span). */
  to: number;
  /** Records whose hash and place the caller needs (signed heads, the checkpoint's record). */
  wanted: number[];
  /** The last span reads what lies after the last newline; the others end on one. */
  last: boolean;
}

/** Where record `seq` stands: its hash and the bytes of its line, newline included. */
export interface Found {
  seq: number;
  hash: string;
  offset: number;
  end: number;
}

export interface SpanResult {
  /** The header's epoch, when the span starts at the top. */
  fileEpoch?: string;
  /** Records that verified. */
  events: number;
  first?: { seq: number; at: string };
  last?: { seq: number; hash: string; at: string };
  /** Every journal.epoch-started record: from `seq` on, the journal is in `epoch`. */
  epochChanges: Array<{ seq: number; epoch: string }>;
  found: Found[];
  problem?: Problem;
}

/** Thrown from inside the line callback to stop reading at the first problem. */
const STOP = Symbol('stop');

const TORN_READ_LIMIT = 16 * 1024 * 1024;

export async function scanSpan({ file, start, to, wanted, last }: SpanRequest): Promise<SpanResult> {
  const wants = new Set(wanted);
  const result: SpanResult = { events: 0, epochChanges: [], found: [] };
  let seq = 'seq' in start ? start.seq : 0;
  let hash = 'hash' in start ? start.hash : '';
  let at = '';
  let atTop = start.offset === 0;
  const fail = (problem: Problem): never => {
    result.problem = problem;
    throw STOP;
  };

  const takeLine = (line: string, offset: number): void => {
    if (atTop) {
      atTop = false;
      try {
        result.fileEpoch = parseHeaderLine(line).epoch;
      } catch (err) {
        fail({ kind: 'bad-header', seq: null, offset, message: `${(err as Error).message} (bad header)` });
      }
      hash = genesisHash(line);
      return;
    }
    const check = checkRecordLine(line, hash, seq + 1);
    if (!check.ok) fail(lineProblem(check, seq, offset));
    const { record } = check as Extract<typeof check, { ok: true }>;
    seq = record.seq;
    hash = record.hash;
    result.events++;
    at = record.at;
    result.first ??= { seq, at };
    if (record.event.type === 'journal.epoch-started') result.epochChanges.push({ seq, epoch: record.event.epoch });
    if (wants.has(seq)) result.found.push({ seq, hash, offset, end: offset + Buffer.byteLength(line) + 1 });
  };

  const handle = await open(file, 'r');
  try {
    const read = await readLines(handle, takeLine, { from: start.offset, to });
    if (atTop) fail({ kind: 'bad-header', seq: null, offset: 0, message: read.end === 0 ? 'the journal is empty' : 'its header line is incomplete' });
    if (last && read.tornAt !== undefined) fail(await tornTail(handle, read.tornAt, read.end, seq, hash));
  } catch (err) {
    if (err !== STOP) throw err;
  } finally {
    await handle.close();
  }
  if (result.events > 0) result.last = { seq, hash, at };
  return result;
}

function lineProblem(check: Exclude<ReturnType<typeof checkRecordLine>, { ok: true }>, lastSeq: number, offset: number): Problem {
  const expected = lastSeq + 1;
  if (check.problem === 'hash') {
    return { kind: 'hash-mismatch', seq: expected, offset, message: `seq ${expected} at byte ${offset}: its hash does not match its content and the record before it (hash mismatch)` };
  }
  if (check.problem === 'seq') {
    const what = check.seq > expected ? `seq ${expected}${check.seq > expected + 1 ? `–${check.seq - 1}` : ''} missing` : `seq ${check.seq} repeated or moved`;
    return { kind: 'seq-gap', seq: expected, offset, message: `seq ${expected} at byte ${offset}: the record there is seq ${check.seq} (seq gap: ${what})` };
  }
  return { kind: 'bad-json', seq: expected, offset, message: `seq ${expected} at byte ${offset}: the line there is not a complete journal record (bad JSON)` };
}

/** Bytes after the last newline: what a crash mid-write leaves, or a copy taken mid-write. */
async function tornTail(handle: Awaited<ReturnType<typeof open>>, tornAt: number, end: number, lastSeq: number, lastHash: string): Promise<Problem> {
  const next = lastSeq + 1;
  const bytes = await readSpan(handle, tornAt, Math.min(end, tornAt + TORN_READ_LIMIT));
  const whole = checkRecordLine(bytes.toString('utf8'), lastHash, next);
  const message = whole.ok
    ? `seq ${next} at byte ${tornAt}: the last record lacks its final newline (torn tail); it verifies, and a broker started on this journal would put the newline back and keep it`
    : `seq ${next} at byte ${tornAt}: the ${end - tornAt} bytes after the last newline are an incomplete record (torn tail); a broker started on this journal would cut them as a write cut short by a crash`;
  return { kind: 'torn-tail', seq: next, offset: tornAt, message };
}
