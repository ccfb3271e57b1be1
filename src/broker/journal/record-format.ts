// The bytes of the embedded journal, DATA/journal.ndjson, kept apart from the file handling so the
// format is defined in one place (the store, tests and benchmarks all build lines with it).
//
// Format, version 1 (newline-delimited JSON, UTF-8):
//
//   Line 1 is the header:
//     {"journal":"courtdesk","version":1,"epoch":"<random uuid>","createdAt":"<ISO-8601>"}
//   Every further line is one record. Its body is
//     body = JSON.stringify({seq, at, actor, ref?, event})      (ref omitted when absent)
//   and the line is that body with `,"hash":"<64 hex>"` inserted before its final `}`, then "\n":
//     {"seq":1,"at":"…","actor":{…},"event":{…},"hash":"9f…"}
//   hash = sha256hex(prevHash + body), where prevHash is the previous record's hash, and for seq 1
//   the sha256hex of the header line without its newline. seq starts at 1 and has no gaps.
//
// Verifying a line never re-stringifies anything: the hash suffix has a fixed length, so cutting
// it off and putting back the `}` gives the exact body bytes that were hashed. That keeps replay
// of a million records to a couple of seconds.
import { randomUUID, hash as digest } from 'node:crypto';
import type { Actor, CourtdeskEvent, JournalRecord } from '../../domain/events.js';

export const JOURNAL_FORMAT_VERSION = 1;

const HASH_PREFIX = ',"hash":"';
/** `,"hash":"` + 64 hex digits + `"}` */
export const HASH_SUFFIX_LENGTH = HASH_PREFIX.length + 64 + 2;

export interface JournalHeader {
  journal: 'courtdesk';
  version: number;
  epoch: string;
  createdAt: string;
}

export function sha256hex(text: string): string {
  return digest('sha256', text, 'hex');
}

/** A header line (without its newline) for a brand-new journal. */
export function newHeaderLine(createdAt: Date): string {
  const header: JournalHeader = {
    journal: 'courtdesk',
    version: JOURNAL_FORMAT_VERSION,
    epoch: randomUUID(),
    createdAt: createdAt.toISOString(),
  };
  return JSON.stringify(header);
}

/** Reads a header line (without its newline); throws a message saying what is wrong. */
export function parseHeaderLine(line: string): JournalHeader {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new Error('line 1 is not a journal header (it is not JSON)');
  }
  if (typeof header !== 'object' || header === null || (header as { journal?: unknown }).journal !== 'courtdesk') {
    throw new Error('line 1 is not a courtdesk journal header (no "journal":"courtdesk")');
  }
  const { version, epoch, createdAt } = header as Record<string, unknown>;
  if (version !== JOURNAL_FORMAT_VERSION) {
    throw new Error(
      `the journal is format version ${String(version)} but this broker reads version ${JOURNAL_FORMAT_VERSION}; ` +
        'use the courtdesk release that wrote it',
    );
  }
  if (typeof epoch !== 'string' || epoch === '') throw new Error('the journal header has no epoch');
  if (typeof createdAt !== 'string') throw new Error('the journal header has no createdAt');
  return header as JournalHeader;
}

/** The hash that record 1 chains to. */
export function genesisHash(headerLine: string): string {
  return sha256hex(headerLine);
}

/** Builds record `seq` chained to `prevHash`: the record object and its line without the newline. */
export function encodeRecord(
  prevHash: string,
  seq: number,
  at: string,
  actor: Actor,
  ref: string | undefined,
  event: CourtdeskEvent,
): { record: JournalRecord; line: string } {
  const body = JSON.stringify(ref === undefined ? { seq, at, actor, event } : { seq, at, actor, ref, event });
  const hash = sha256hex(prevHash + body);
  const line = `${body.slice(0, -1)}${HASH_PREFIX}${hash}"}`;
  const record: JournalRecord = ref === undefined ? { seq, at, actor, event, hash } : { seq, at, actor, ref, event, hash };
  return { record, line };
}

export type LineCheck =
  | { ok: true; record: JournalRecord }
  /** Not a record at all: cut short, garbage, or not JSON of the right shape. */
  | { ok: false; problem: 'unreadable'; detail: string }
  /** A well-formed record in the wrong place. */
  | { ok: false; problem: 'seq'; seq: number; detail: string }
  /** A well-formed record whose content or chain does not match its hash. */
  | { ok: false; problem: 'hash'; seq: number; detail: string };

const UNREADABLE = { ok: false, problem: 'unreadable', detail: 'it is not a complete journal record' } as const;
const wrongSeq = (seq: number, expected: number) =>
  ({ ok: false, problem: 'seq', seq, detail: `it has seq ${seq} where seq ${expected} should be` }) as const;
const wrongHash = (seq: number) => ({ ok: false, problem: 'hash', seq, detail: 'its hash does not match its content and the record before it' }) as const;

/** Where a record line's body ends and its `,"hash":"…"}` suffix starts, or -1 when it has none. */
function bodyEnd(line: string): number {
  const cut = line.length - HASH_SUFFIX_LENGTH;
  // Every byte of the suffix is checked: the hash's closing quote and brace too, or a record with
  // one of them altered would still verify.
  return cut >= 1 && line.endsWith('"}') && line.startsWith(HASH_PREFIX, cut) ? cut : -1;
}

/** The hash the line's body chains to after `prevHash`, if the line carries that hash; else undefined. */
function chainedHash(line: string, body: string, prevHash: string): string | undefined {
  const hash = sha256hex(prevHash + body);
  return line.endsWith(hash, line.length - 2) ? hash : undefined;
}

/** Checks one line (without its newline) against the record before it. */
export function checkRecordLine(line: string, prevHash: string, expectedSeq: number): LineCheck {
  const cut = bodyEnd(line);
  if (cut === -1) return UNREADABLE;
  // Parsing the body rather than the whole line skips the hash field, which is read off its fixed
  // place instead: parsing is most of the cost of replay.
  const body = `${line.slice(0, cut)}}`;
  const record = recordShaped(parseJson(body));
  if (record === undefined) return UNREADABLE;
  if (record.seq !== expectedSeq) return wrongSeq(record.seq, expectedSeq);
  const hash = chainedHash(line, body, prevHash);
  if (hash === undefined) return wrongHash(record.seq);
  // The computed copy, not a slice of the line: a slice would keep the whole line alive.
  record.hash = hash;
  return { ok: true, record };
}

/**
 * Checks one line's place in the chain without parsing it, for records a checkpoint has already
 * folded: the seq is read off the body's fixed start (`{"seq":N,`) and the hash is verified as in
 * `checkRecordLine`. A line whose hash matches is byte for byte what the broker wrote, so its
 * shape needs no second look.
 */
export function checkChainLine(line: string, prevHash: string, expectedSeq: number): ChainCheck {
  const cut = bodyEnd(line);
  const seq = cut === -1 ? undefined : leadingSeq(line);
  if (seq === undefined) return UNREADABLE;
  if (seq !== expectedSeq) return wrongSeq(seq, expectedSeq);
  const body = `${line.slice(0, cut)}}`;
  const hash = chainedHash(line, body, prevHash);
  return hash === undefined ? wrongHash(seq) : { ok: true, seq, hash, body };
}

/** A verified line's seq and hash, and its body: the line without its hash field, as it was hashed. */
export type ChainCheck = { ok: true; seq: number; hash: string; body: string } | Exclude<LineCheck, { ok: true }>;

const SEQ_PREFIX = '{"seq":';

/** The digits after `{"seq":` up to the comma, or undefined when they are not a plain seq. */
function leadingSeq(line: string): number | undefined {
  if (!line.startsWith(SEQ_PREFIX)) return undefined;
  let seq = 0;
  let i = SEQ_PREFIX.length;
  for (; i < line.length && i < SEQ_PREFIX.length + 16; i++) {
    const c = line.charCodeAt(i);
    if (c === 44) break;
    if (c < 48 || c > 57) return undefined;
    seq = seq * 10 + (c - 48);
  }
  return i > SEQ_PREFIX.length && line.charCodeAt(i) === 44 && seq > 0 ? seq : undefined;
}

/** The record on a line if it has a record's shape (hash unchecked), otherwise undefined. */
export function parseRecordLine(line: string): JournalRecord | undefined {
  const record = recordShaped(parseJson(line));
  return record !== undefined && typeof record.hash === 'string' && record.hash.length === 64 ? record : undefined;
}

function parseJson(text: string): unknown {
  if (text.charCodeAt(0) !== 123) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The value if it has a journal record's shape (its hash unchecked), otherwise undefined. */
export function recordShaped(value: unknown): JournalRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (
    !Number.isSafeInteger(r.seq) ||
    typeof r.at !== 'string' ||
    typeof r.actor !== 'object' ||
    r.actor === null ||
    typeof r.event !== 'object' ||
    r.event === null ||
    typeof (r.event as { type?: unknown }).type !== 'string'
  ) {
    return undefined;
  }
  return value as JournalRecord;
}
