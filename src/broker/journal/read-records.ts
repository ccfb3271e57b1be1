// Reading the journal without owning it: every record in order, each verified against the hash
// chain, for exports (the CLI's offline path and the broker's export route both come here). It
// never writes, never takes journal.lock, and never repairs: a running broker may be appending to
// the same file, so bytes after the last newline are a write in progress or a torn write, and are
// left alone with a note. Every export goes through this one function, so whatever must happen to
// a record before anyone outside the broker reads it happens here.
// Under it, readVerifiedLines is the one verified pass over the file's lines, which
// `courtdesk store import` shares: it copies each line verbatim, sealed, once it has verified.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../domain/events.js';
import { damagedJournal, REFUSAL, unreadableJournal } from './chain-check.js';
import { JOURNAL_FILE } from './file-store.js';
import { readLines } from './line-reader.js';
import { CONTENT_KEYS_FILE, ContentKeys } from './content-keys.js';
import { openEvent } from './sealing.js';
import { checkRecordLine, genesisHash, parseHeaderLine, type LineCheck } from './record-format.js';

export interface RecordsRead {
  /** The last record read: the journal's head as far as this read went (0 and the genesis hash when empty). */
  headSeq: number;
  headHash: string;
  /** The epoch in force at the head: the header's, or the last journal.epoch-started record's. */
  epoch: string;
  /** What the reader should know about the file, e.g. a torn tail that was ignored. */
  notes: string[];
}

export interface ReadOptions {
  /**
   * Stop at this record: later ones are not checked or handed over. The broker passes its last
   * durable seq, since records after it may still be cut back out of the file.
   */
  throughSeq?: number;
}

/**
 * Hands every record of DATA/journal.ndjson to `onRecord` in seq order, having verified it.
 * Rejects, before handing over anything after it, at the first record that does not verify, with
 * the journal's own account of the damage.
 */
export async function readRecords(dataDir: string, onRecord: (record: JournalRecord) => void, { throughSeq = Infinity }: ReadOptions = {}): Promise<RecordsRead> {
  const file = join(dataDir, JOURNAL_FILE);
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`there is no journal at ${file}; give the broker's data folder with --data`);
    throw err;
  });
  // Sealed content is opened here, so every export reads as the broker would (removed content
  // reads as removed); a key that is missing is said in a note.
  const keys = await ContentKeys.readOnly(dataDir).catch(async (err: unknown) => {
    await handle.close();
    throw err;
  });
  const missing = new Set<string>();
  try {
    const read = await readVerifiedLines(handle, {
      throughSeq,
      unreadable: (why) => notExported(unreadableJournal(file, why)),
      damaged: (lineNo, check, lastGoodSeq) => notExported(damagedJournal(file, lineNo, check, lastGoodSeq)),
      onRecord: (record) => {
        const event = openEvent(record.event, keys, (keyId) => missing.add(keyId));
        onRecord(event === record.event ? record : { ...record, event });
      },
    });
    const { headSeq, headHash, epoch } = read;
    const notes =
      read.tornAt !== undefined && headSeq < throughSeq
        ? [`the journal ends with ${read.end - read.tornAt} bytes after seq ${headSeq} with no final newline (a write in progress, or a torn write); they were not read`]
        : [];
    if (missing.size > 0) notes.push(`the content sealed under ${missing.size} key(s) cannot be read: they are missing from ${CONTENT_KEYS_FILE}; restore it from the same backup as the journal`);
    return { headSeq, headHash, epoch, notes };
  } finally {
    await handle.close();
  }
}

export interface VerifiedLinesOptions {
  /** Stop at this record, as readRecords' option. */
  throughSeq?: number;
  /** Each record once it has verified in its place, with its line as the file holds it (sealed content still sealed). */
  onRecord(record: JournalRecord, line: string): void;
  /** The refusal for a file with no readable header, in the caller's words. */
  unreadable(why: string): Error;
  /** The refusal for a record that does not verify where it stands, in the caller's words. */
  damaged(lineNo: number, check: Exclude<LineCheck, { ok: true }>, lastGoodSeq: number): Error;
}

export interface VerifiedLines extends Omit<RecordsRead, 'notes'> {
  /** The header line, verbatim. */
  header: string;
  /** Where the file ended when it was read, and where the bytes after its last newline begin, if any. */
  end: number;
  tornAt: number | undefined;
}

/** The file's header, then each record in seq order, each verified in its place in the hash chain before it is handed on. */
export async function readVerifiedLines(handle: FileHandle, o: VerifiedLinesOptions): Promise<VerifiedLines> {
  const throughSeq = o.throughSeq ?? Infinity;
  let lineNo = 0;
  let header = '';
  let headSeq = 0;
  let headHash = '';
  let epoch = '';
  const read = await readLines(handle, (line) => {
    lineNo++;
    if (lineNo === 1) {
      try {
        epoch = parseHeaderLine(line).epoch;
      } catch (err) {
        throw o.unreadable((err as Error).message);
      }
      header = line;
      headHash = genesisHash(line);
      return;
    }
    if (headSeq >= throughSeq) return;
    const check = checkRecordLine(line, headHash, headSeq + 1);
    if (!check.ok) throw o.damaged(lineNo, check, headSeq);
    if (check.record.event.type === 'journal.epoch-started') epoch = check.record.event.epoch;
    headSeq = check.record.seq;
    headHash = check.record.hash;
    o.onRecord(check.record, line);
  });
  if (lineNo === 0) throw o.unreadable(read.end === 0 ? 'it is empty' : 'its header line is incomplete');
  return { header, headSeq, headHash, epoch, end: read.end, tornAt: read.tornAt };
}

/** The journal's refusal, with what it means here: nothing is exported, rather than the broker not starting. */
function notExported(err: Error): Error {
  return new Error(err.message.replace(REFUSAL, 'Nothing was exported; restore the journal from a backup.'));
}
