// Turning a batch of new records into chained lines, the same for every store: each gets its seq
// and hash at once, so the caller folds them before they are durable and the store queues lines.
import type { JournalRecord } from '../../domain/events.js';
import type { ContentKeys } from './content-keys.js';
import { encodeRecord } from './record-format.js';
import { sealEvent } from './sealing.js';
import type { NewRecord } from './store.js';

export interface EncodedBatch {
  records: JournalRecord[];
  /** One line per record, without its newline. */
  lines: string[];
  lastHash: string;
  nextSeq: number;
}

/**
 * Encodes everything before the store changes any state, so a bad event throws without leaving a
 * gap. With `keys`, the lines hold the sealed events and the records the plain ones.
 */
export function encodeBatch(batch: NewRecord[], prevHash: string, seq: number, at: string, keys: Pick<ContentKeys, 'keyFor'> | undefined): EncodedBatch {
  const records: JournalRecord[] = [];
  const lines: string[] = [];
  for (const item of batch) {
    checkNewRecord(item);
    const stored = keys ? sealEvent(item.event, keys) : item.event;
    const { record, line } = encodeRecord(prevHash, seq, at, item.actor, item.ref, stored);
    if (stored !== item.event) record.event = item.event;
    records.push(record);
    lines.push(line);
    prevHash = record.hash;
    seq++;
  }
  return { records, lines, lastHash: prevHash, nextSeq: seq };
}

/** A record the replay could not read back would stop the broker on its next start. */
function checkNewRecord(item: NewRecord): void {
  const { actor, ref, event } = (item ?? {}) as Partial<NewRecord>;
  if (typeof actor !== 'object' || actor === null || typeof actor.kind !== 'string' || typeof actor.name !== 'string') {
    throw new TypeError('journal append: each record needs an actor {kind, name}');
  }
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
    throw new TypeError('journal append: each record needs an event with a string type');
  }
  if (ref !== undefined && typeof ref !== 'string') throw new TypeError('journal append: ref must be a string when given');
}
