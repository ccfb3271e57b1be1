// Verifying the part of the journal a checkpoint covers: every record's seq and hash, without
// parsing or folding. It runs on a worker thread beside the main thread's own work at start
// (chain-worker.ts), so it imports nothing but Node and the record format.
import { open } from 'node:fs/promises';
import { readLines } from './line-reader.js';
import { checkChainLine, genesisHash, parseHeaderLine, type LineCheck } from './record-format.js';

export const REFUSAL = 'The broker refuses to start; restore the journal from a backup.';

/** Where a verified stretch of the journal must end: record `seq`, hash `hash`, its newline just before `offset`. */
export interface ChainEnd {
  seq: number;
  hash: string;
  offset: number;
}

export function unreadableJournal(file: string, why: string): Error {
  return new Error(`${file} is not a journal this broker can read: ${why}. ${REFUSAL}`);
}

/** The refusal for a record that does not verify where it stands. */
export function damagedJournal(file: string, lineNo: number, check: Exclude<LineCheck, { ok: true }>, lastGoodSeq: number, more?: string): Error {
  const which = check.problem === 'unreadable' ? `where seq ${lastGoodSeq + 1} should be` : `seq ${check.seq}`;
  return new Error(
    `${file} line ${lineNo} (${which}): ${check.detail}${more ? `, ${more}` : ''}. ` +
      `The journal was altered or damaged after it was written. ${REFUSAL}`,
  );
}

/**
 * Checks the header and every record before `end.offset`: each in its place in the hash chain,
 * the last being `end.seq` with `end.hash`. Nothing before a record that verifies can be a torn
 * write, so any record that does not verify here is damage, and rejects with the refusal.
 */
export async function verifyChain(file: string, end: ChainEnd): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let lineNo = 0;
    let lastSeq = 0;
    let lastHash = '';
    await readLines(
      handle,
      (line) => {
        lineNo++;
        if (lineNo === 1) {
          try {
            parseHeaderLine(line);
          } catch (err) {
            throw unreadableJournal(file, (err as Error).message);
          }
          lastHash = genesisHash(line);
          return;
        }
        const check = checkChainLine(line, lastHash, lastSeq + 1);
        if (!check.ok) throw damagedJournal(file, lineNo, check, lastSeq, check.problem === 'seq' ? undefined : 'and records follow it');
        lastSeq = check.seq;
        lastHash = check.hash;
      },
      { to: end.offset },
    );
    if (lastSeq !== end.seq || lastHash !== end.hash) {
      throw new Error(`${file}: the records before seq ${end.seq + 1} do not chain to the checkpoint's record ${end.seq}. ${REFUSAL}`);
    }
  } finally {
    await handle.close();
  }
}
