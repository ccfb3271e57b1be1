// openSealedLine: the replay worker's way of opening a record's sealed content without parsing the
// line. Whatever it opens must parse to exactly what openEvent gives; whatever it cannot open for
// certain it must leave as it is, for the main thread's openEvent.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRecord, HASH_SUFFIX_LENGTH } from '../../../src/broker/journal/record-format.js';
import { openEvent, openSealedLine, sealEvent, type LineKey } from '../../../src/broker/journal/sealing.js';
import type { CourtdeskEvent, JournalRecord } from '../../../src/domain/events.js';
import { lifeOf } from './helpers.js';

const keyId = '0123456789abcdef';
const key = randomBytes(32).toString('base64');
const keys = { keyFor: () => ({ keyId, key }), lookup: (id: string) => (id === keyId ? { keyId, key } : undefined) };
const keyOf: LineKey = (id, enquiryId) => (id === keyId && enquiryId.startsWith('E') ? Buffer.from(key, 'base64') : undefined);

function sealedLine(event: CourtdeskEvent, ref?: string): string {
  return encodeRecord('0'.repeat(64), 7, '2026-12-07T10:00:00.000Z', { kind: 'agent', name: 'alice' }, ref, sealEvent(event, keys)).line;
}

/** The record openEvent would give for the line: the main thread's way. */
function openedTheUsualWay(line: string): JournalRecord {
  const record = JSON.parse(line) as JournalRecord;
  return { ...record, event: openEvent(record.event, keys, () => {}) };
}

describe('opening a sealed line in place', () => {
  it('every event with personal content opens to what openEvent gives, field order included', () => {
    const events = lifeOf(5).map((r) => r.event);
    const tricky: CourtdeskEvent = {
      type: 'enquiry.message',
      enquiryId: 'E5',
      messageId: 'M5z',
      text: 'Quotes " and \\ backslashes, a newline\nand "sealed":"x"}} in the text; Welsh: Siân Ŵyn',
    };
    let opened = 0;
    for (const event of [...events, tricky]) {
      const line = sealedLine(event, 'ref-1');
      const result = openSealedLine(line, HASH_SUFFIX_LENGTH, keyOf);
      if (result !== line) opened++;
      expect(JSON.stringify(JSON.parse(result))).toBe(JSON.stringify(openedTheUsualWay(line)));
    }
    // received, replied, message, noted, escalation created and answered, and the tricky message.
    expect(opened).toBe(7);
  });

  it('leaves the line as it is when it cannot open it for certain', () => {
    const line = sealedLine(lifeOf(5)[0]!.event);
    expect(openSealedLine(line, HASH_SUFFIX_LENGTH, () => undefined)).toBe(line);
    // Another key: the tag does not check.
    expect(openSealedLine(line, HASH_SUFFIX_LENGTH, () => randomBytes(32))).toBe(line);
    // The blob moved onto another enquiry: the associated data no longer matches.
    const moved = line.replace('"enquiryId":"E5"', '"enquiryId":"E6"');
    expect(openSealedLine(moved, HASH_SUFFIX_LENGTH, keyOf)).toBe(moved);
    // A blob cut short.
    const cut = line.replace(/"sealed":"([0-9a-f]+\.)[^"]*"/, '"sealed":"$1AAAA"');
    expect(openSealedLine(cut, HASH_SUFFIX_LENGTH, keyOf)).toBe(cut);
    // Nothing sealed at all.
    const plain = encodeRecord('0'.repeat(64), 7, '2026-12-07T10:00:00.000Z', { kind: 'agent', name: 'alice' }, undefined, lifeOf(5)[1]!.event).line;
    expect(openSealedLine(plain, HASH_SUFFIX_LENGTH, keyOf)).toBe(plain);
  });
});
