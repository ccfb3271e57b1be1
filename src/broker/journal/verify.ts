// `courtdesk journal verify`: checks a data folder's journal end to end without changing anything
// (no lock taken, nothing written), so it is safe on a running broker's folder and on a backup.
// The file is cut at newlines into one span per core; the spans are verified at once, all but the
// last on worker threads (verify-worker.ts), each starting from the seq and hash written on the
// line before it. That line is the last one the span before checks, so if every span verifies,
// the whole chain does. Meanwhile the main thread checks the checkpoint's HMAC. With signed heads
// given, the journal must also still hold every one of them (verify-heads.ts).
import { availableParallelism } from 'node:os';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readSpan } from './file-ops.js';
import { JOURNAL_FILE } from './file-store.js';
import { startJournalWorker } from './journal-worker.js';
import { openCheckpointForCheck, type CheckpointReport } from './verify-checkpoint.js';
import { checkHeads, HeadsUnusable, loadHeads, type HeadsReport } from './verify-heads.js';
import { scanSpan, type Found, type Problem, type SpanRequest, type SpanResult, type SpanStart } from './verify-scan.js';

/** The journal cannot be verified as asked (no journal, no key): a usage error, not a verdict. */
export class CannotVerify extends Error {}

export interface VerifyOptions {
  /** Signed heads the journal must still hold, and the public key they are signed with. */
  heads?: { file: string; publicKeyFile: string };
  /** Threads to verify on. Default: one per core. */
  threads?: number;
  /** The fewest bytes worth a thread of their own; a smaller journal is read on one. */
  spanBytes?: number;
}

export interface VerifyReport {
  ok: boolean;
  file: string;
  /** How much of the file was read: its size, or more if it grew while being read. */
  bytes: number;
  /** The header's epoch: which journal this is. */
  journal: string | null;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** Each epoch and the seq it starts at: the header's from seq 1, then one per journal.epoch-started record. */
  epochs: Array<{ epoch: string; fromSeq: number }>;
  firstAt: string | null;
  lastAt: string | null;
  checkpoint: CheckpointReport | null;
  heads: HeadsReport | null;
  /** The first thing wrong: damage to the journal, else a signed head it does not hold. */
  problem: Problem | NonNullable<HeadsReport['problem']> | null;
  warnings: string[];
}

const DEFAULT_SPAN_BYTES = 4 * 1024 * 1024;
/** How far around a split point a newline and the line before it are looked for. */
const SPLIT_WINDOW = 64 * 1024;
/** A copy of a live journal may end mid-write: read on while the file still grows, this many times. */
const GROWTH_RETRIES = 5;

const DAMAGE_ADVICE = 'the journal was altered or damaged after it was written: restore it from a backup that verifies, and keep this copy for investigation';
const TORN_ADVICE = 'if this is a backup, it is not a clean copy: copy the journal again';

export async function verifyJournal(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const file = join(dir, JOURNAL_FILE);
  // Heads first: every head read was signed for a record already durable, so the journal read after holds it.
  const heads =
    options.heads &&
    (await loadHeads(options.heads.file, options.heads.publicKeyFile).catch((err: Error) => {
      throw err instanceof HeadsUnusable ? new CannotVerify(err.message) : err;
    }));
  const size = await fs.stat(file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      throw new CannotVerify(err.code === 'ENOENT' ? `no journal at ${file}: give --data the data folder that holds journal.ndjson` : `cannot read ${file} (${err.message})`);
    },
  );
  const checkpoint = await openCheckpointForCheck(dir);
  const wanted = [...new Set([...(heads?.heads.map((h) => h.head.seq) ?? []), ...(checkpoint?.position ? [checkpoint.position.seq] : [])])];
  const warnings: string[] = [];

  const starts = await splitPoints(file, size, Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.floor(size / (options.spanBytes ?? DEFAULT_SPAN_BYTES)))));
  const requests: SpanRequest[] = starts.map((start, i) => ({ file, start, to: starts[i + 1]?.offset ?? size, wanted, last: i === starts.length - 1 }));
  const results = await Promise.all(requests.map((r) => (r.last ? scanSpan(r) : inWorker(r, warnings))));
  let merged = merge(results);
  let to = size;
  for (let tries = 0; merged.problem?.kind === 'torn-tail' && tries < GROWTH_RETRIES; tries++) {
    // A live broker may be mid-write: if the file grew, read on from the torn bytes.
    const now = (await fs.stat(file)).size;
    if (now <= to) break;
    delete results[results.length - 1]!.problem; // a torn tail only ever ends the last span
    const start: SpanStart = merged.last ? { offset: merged.problem.offset, seq: merged.last.seq, hash: merged.last.hash } : { offset: 0 };
    if (!merged.last) results.length = 0;
    results.push(await scanSpan({ file, start, to: now, wanted, last: true }));
    merged = merge(results);
    to = now;
  }

  const epochs = merged.fileEpoch === undefined ? [] : [{ epoch: merged.fileEpoch, fromSeq: 1 }, ...merged.epochChanges.map((c) => ({ epoch: c.epoch, fromSeq: c.seq }))];
  const lastSeq = merged.last?.seq ?? 0;
  const found = (seq: number): Found | undefined => merged.found.get(seq);
  const epochAt = (seq: number) => epochs.filter((e) => e.fromSeq <= seq).pop()?.epoch;

  const damagedAt = merged.problem && merged.problem.kind !== 'torn-tail' ? (merged.problem.seq ?? 1) : undefined;
  const checkpointReport = checkpoint ? await checkpoint.check({ fileEpoch: merged.fileEpoch ?? '', lastSeq, damagedAt, epochAt, found }) : null;
  if (checkpointReport?.warning) warnings.push(`checkpoint ${checkpointReport.file}: ${checkpointReport.warning}`);

  const damaged = damagedAt !== undefined;
  const headsReport = heads && !damaged ? checkHeads(heads, { lastSeq, epochs, found }) : null;
  if (heads && damaged) warnings.push(`signed heads not checked: the journal is damaged from seq ${damagedAt}`);
  warnings.push(...(headsReport?.warnings ?? []));

  const problem = merged.problem ? { ...merged.problem, message: `${merged.problem.message}; ${merged.problem.kind === 'torn-tail' ? TORN_ADVICE : DAMAGE_ADVICE}` } : (headsReport?.problem ?? null);
  return {
    ok: problem === null,
    file,
    bytes: to,
    journal: merged.fileEpoch ?? null,
    events: merged.events,
    firstSeq: merged.first?.seq ?? null,
    lastSeq: merged.last?.seq ?? null,
    headHash: merged.last?.hash ?? null,
    epochs,
    firstAt: merged.first?.at ?? null,
    lastAt: merged.last?.at ?? null,
    checkpoint: checkpointReport,
    heads: headsReport,
    problem,
    warnings,
  };
}

interface Merged extends Omit<SpanResult, 'found'> {
  found: Map<number, Found>;
}

/** The spans in file order, up to and including the first with a problem: nothing after damage counts. */
function merge(results: SpanResult[]): Merged {
  const merged: Merged = { events: 0, epochChanges: [], found: new Map() };
  for (const r of results) {
    merged.fileEpoch ??= r.fileEpoch;
    merged.events += r.events;
    merged.first ??= r.first;
    if (r.last) merged.last = r.last;
    merged.epochChanges.push(...r.epochChanges);
    for (const f of r.found) merged.found.set(f.seq, f);
    if (r.problem) {
      merged.problem = r.problem;
      break;
    }
  }
  return merged;
}

const SPLIT_LINE = /^\{"seq":(\d+),.*,"hash":"([0-9a-f]{64})"\}$/s;

/**
 * Where each span starts: the top, then up to `count - 1` points just after a newline near each
 * even share of the file, with the seq and hash written on the line before. A point whose line
 * cannot be read that way is left out: the span before it then reaches on and finds what is wrong.
 */
async function splitPoints(file: string, size: number, count: number): Promise<SpanStart[]> {
  const starts: SpanStart[] = [{ offset: 0 }];
  if (count === 1) return starts;
  const handle = await fs.open(file, 'r');
  try {
    for (let k = 1; k < count; k++) {
      const target = Math.floor((size * k) / count);
      const base = Math.max(0, target - SPLIT_WINDOW);
      const window = await readSpan(handle, base, Math.min(size, target + SPLIT_WINDOW));
      const newline = window.indexOf(10, target - base);
      const before = newline === -1 ? -1 : window.lastIndexOf(10, newline - 1);
      const match = before === -1 ? null : SPLIT_LINE.exec(window.toString('utf8', before + 1, newline));
      const offset = base + newline + 1;
      if (!match || offset >= size || offset <= starts[starts.length - 1]!.offset) continue;
      starts.push({ offset, seq: Number(match[1]), hash: match[2]! });
    }
  } finally {
    await handle.close();
  }
  return starts;
}

/** Verifies a span on a worker thread, or on this thread without one (see startJournalWorker). */
function inWorker(request: SpanRequest, warnings: string[]): Promise<SpanResult> {
  return new Promise<SpanResult>((resolve, reject) => {
    let settled = false;
    const inThread = (why: string | undefined) => {
      if (settled) return;
      settled = true;
      if (why) warnings.push(`verified a span on the main thread, as the worker could not run (${why})`);
      scanSpan(request).then(resolve, reject);
    };
    const worker = startJournalWorker('verify-worker.js', request, inThread);
    worker?.once('message', (answer: { ok: true; result: SpanResult } | { ok: false; message: string }) => {
      if (settled) return;
      settled = true;
      if (answer.ok) resolve(answer.result);
      else reject(new Error(answer.message));
    });
  });
}
