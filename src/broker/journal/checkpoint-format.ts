// The bytes of DATA/checkpoint.ndjson: the broker's folded state at one journal seq, so a start
// folds only the events after it. The journal stays the source of truth (every start still
// verifies its whole hash chain); a checkpoint is a cache that may always be deleted.
//
// Format, version 2 (newline-delimited JSON, UTF-8):
//
//   {"checkpoint":"courtdesk","version":2,"fold":1,"journal":"<uuid>","epoch":"<uuid>","seq":N,"hash":"<64 hex>","offset":B,"createdAt":"<ISO>"}
//   ["enquiry",{…}]                       one line per enquiry, in the state's order
//   ["agents",[[name,{…}],…]]             then each keyed table, in chunks of up to 10,000 entries
//   ["idempotencyKeys",[[key,id],…]]
//   ["externalIds",[[key,id],…]]
//   ["openBySender",[[key,id],…]]
//   ["refs",[[key,seq],…]]                oldest first
//   {"end":"courtdesk","lines":L,"hmac":"<64 hex>"}
//
// `journal` is the epoch in the journal's header (which journal this was folded from), `epoch` the
// one in force at `seq`; `seq` and `hash` name the last record folded in and `offset` is the
// journal byte just past its line, where a start resumes folding, and a start checks that the
// journal holds that very record there. `fold` is the reducer's FOLD_VERSION, so state folded by
// another reducer is never used. `lines` counts the lines before the end line and `hmac` is the
// HMAC-SHA256 of their bytes under DATA/checkpoint.key: a checkpoint cut short, damaged, or
// edited by anyone who cannot read that key is refused (the broker then replays the whole
// journal) rather than trusted.
import { timingSafeEqual } from 'node:crypto';
import type { Enquiry, State } from '../../domain/enquiry.js';
import { firstEntries } from '../../domain/bounded-map.js';
import { emptyState } from '../../domain/enquiry.js';
import { FOLD_VERSION, trackQueued } from '../../domain/reducer.js';
import type { JournalPosition } from './store.js';

export const CHECKPOINT_FORMAT_VERSION = 2;

const TABLE_CHUNK = 10_000;
const TABLES = ['agents', 'idempotencyKeys', 'externalIds', 'openBySender', 'refs'] as const;
type Table = (typeof TABLES)[number];

/**
 * The state at one seq, held still so it can be written out bit by bit while the broker goes on.
 * Enquiry objects are replaced, never changed, so holding the list is enough. The key tables that
 * only ever gain keys are held as "their first N entries", which later insertions leave alone (a
 * value changed since is set again when the events after the checkpoint are replayed);
 * `openBySender` loses keys, so it is copied.
 */
export interface StateCapture {
  position: JournalPosition;
  enquiries: Enquiry[];
  tables: Record<Table, Iterable<[string, unknown]>>;
}

export function captureState(state: State, position: JournalPosition): StateCapture {
  return {
    position,
    enquiries: [...state.enquiries.values()],
    tables: {
      agents: [...state.agents],
      idempotencyKeys: firstEntries(state.idempotencyKeys, state.idempotencyKeys.size),
      externalIds: firstEntries(state.externalIds, state.externalIds.size),
      openBySender: [...state.openBySender],
      refs: state.refs.entriesNow(),
    },
  };
}

/** Every line of the checkpoint but the end line, without newlines. */
export function* checkpointLines(capture: StateCapture, createdAt: Date): Generator<string> {
  const { fileEpoch, epoch, seq, hash, offset } = capture.position;
  yield JSON.stringify({ checkpoint: 'courtdesk', version: CHECKPOINT_FORMAT_VERSION, fold: FOLD_VERSION, journal: fileEpoch, epoch, seq, hash, offset, createdAt: createdAt.toISOString() });
  for (const e of capture.enquiries) yield JSON.stringify(['enquiry', e]);
  for (const table of TABLES) {
    let chunk: Array<[string, unknown]> = [];
    for (const entry of capture.tables[table]) {
      chunk.push(entry);
      if (chunk.length === TABLE_CHUNK) {
        yield JSON.stringify([table, chunk]);
        chunk = [];
      }
    }
    if (chunk.length > 0) yield JSON.stringify([table, chunk]);
  }
}

export function endLine(lines: number, hmac: string): string {
  return JSON.stringify({ end: 'courtdesk', lines, hmac });
}

/** Rebuilds the state line by line; each method throws a message saying what is wrong. */
export class CheckpointReader {
  private readonly state = emptyState();
  private position: JournalPosition | undefined;
  private lines = 0;
  private end: { lines: number; hmac: string } | undefined;

  /** Takes the next line; returns true for the end line, which must be the last. */
  take(line: string): boolean {
    if (this.end) throw new Error('it has lines after its end line');
    if (this.lines === 0) {
      this.position = parseCheckpointHeader(line);
      this.state.seq = this.position.seq;
      this.lines++;
      return false;
    }
    const value = parse(line);
    if (Array.isArray(value)) {
      this.takeEntry(value);
    } else if (isEndLine(value)) {
      this.end = value;
      return true;
    } else {
      throw new Error(`line ${this.lines + 1} is neither state nor the end line`);
    }
    this.lines++;
    return false;
  }

  /** The state and where it stands, once the HMAC of the lines before the end line is known. */
  finish(hmac: string): { state: State; position: JournalPosition } {
    if (!this.position) throw new Error('it is empty');
    if (!this.end) throw new Error('it has no end line (it was cut short)');
    if (this.end.lines !== this.lines) throw new Error(`its end line counts ${this.end.lines} lines, and it has ${this.lines}`);
    const [stated, computed] = [Buffer.from(this.end.hmac), Buffer.from(hmac)];
    if (stated.length !== computed.length || !timingSafeEqual(stated, computed)) {
      throw new Error('its HMAC does not match its content under DATA/checkpoint.key (it was damaged or changed)');
    }
    return { state: this.state, position: this.position };
  }

  private takeEntry([section, value]: unknown[]): void {
    const state = this.state;
    if (section === 'enquiry') {
      const e = value as Enquiry;
      state.enquiries.set(e.id, e);
      trackQueued(state, e);
      return;
    }
    const table = (TABLES as readonly unknown[]).includes(section) ? tablesOf(state)[section as Table] : undefined;
    if (!table || !Array.isArray(value)) throw new Error(`line ${this.lines + 1} is not a known part of the state`);
    for (const [key, entry] of value as Array<[string, never]>) table.set(key, entry);
  }
}

/** The state's keyed tables by their names in the file. */
function tablesOf(state: State): Record<Table, { set(key: string, value: never): unknown }> {
  const { agents, idempotencyKeys, externalIds, openBySender, refs } = state;
  return { agents, idempotencyKeys, externalIds, openBySender, refs };
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error('a line is not JSON (it was cut short or damaged)');
  }
}

/** Which journal record a checkpoint was folded up to, from its header line; throws saying what is wrong. */
export function parseCheckpointHeader(line: string): JournalPosition {
  const h = (parse(line) ?? {}) as Record<string, unknown>;
  if (h.checkpoint !== 'courtdesk') throw new Error('line 1 is not a courtdesk checkpoint header');
  if (h.version !== CHECKPOINT_FORMAT_VERSION) throw new Error(`it is format version ${String(h.version)}, and this broker reads version ${CHECKPOINT_FORMAT_VERSION}`);
  if (h.fold !== FOLD_VERSION) throw new Error(`it was folded by reducer version ${String(h.fold)}, and this broker's is ${FOLD_VERSION}`);
  if (typeof h.journal !== 'string' || typeof h.epoch !== 'string' || !Number.isSafeInteger(h.seq) || typeof h.hash !== 'string' || !Number.isSafeInteger(h.offset)) {
    throw new Error('its header lacks the journal, epoch, seq, hash or offset');
  }
  return { fileEpoch: h.journal, epoch: h.epoch, seq: h.seq as number, hash: h.hash, offset: h.offset as number };
}

function isEndLine(value: unknown): value is { lines: number; hmac: string } {
  const v = (value ?? {}) as Record<string, unknown>;
  return v.end === 'courtdesk' && Number.isSafeInteger(v.lines) && typeof v.hmac === 'string';
}
