// openSealedBody: the replay worker's way of opening a record's sealed content without parsing its
// body (the line without its hash field). Whatever it opens must parse to exactly what openEvent
// gives; whatever it cannot open for certain it must leave as it is, for the main thread's openEvent.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRecord, HASH_SUFFIX_LENGTH } from '../../../src/broker/journal/record-format.js';
import { openEvent, openSealedBody, sealEvent, type LineKey } from '../../../src/broker/journal/sealing.js';
import type { CourtdeskEvent, JournalRecord } from '../../../src/domain/events.js';
import { lifeOf } from './helpers.js';

const keyId = '0123456789abcdef';
const key = randomBytes(32).toString('base64');
const keys = { keyFor: () => ({ keyId, key }), lookup: (id: string) => (id === keyId ? { keyId, key } : undefined) };
const keyOf: LineKey = (id, enquiryId) => (id === keyId && enquiryId.startsWith('E') ? Buffer.from(key, 'base64') : undefined);

/** The record's body: its line as the journal holds it, without the hash field. */
function bodyOf(event: CourtdeskEvent, ref?: string): string {
  const { line } = encodeRecord('0'.repeat(64), 7, '2026-12-07T10:00:00.000Z', { kind: 'agent', name: 'alice' }, ref, event);
  return `${line.slice(0, -HASH_SUFFIX_LENGTH)}}`;
}

const sealedBody = (event: CourtdeskEvent, ref?: string) => bodyOf(sealEvent(event, keys), ref);

/** The record openEvent would give for the body: the main thread's way. */
function openedTheUsualWay(body: string): JournalRecord {
  const record = JSON.parse(body) as JournalRecord;
  return { ...record, event: openEvent(record.event, keys, () => {}) };
}

describe('opening a sealed record in place', () => {
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
      const body = sealedBody(event, 'ref-1');
      const result = openSealedBody(body, keyOf);
      if (result !== body) opened++;
      expect(JSON.stringify(JSON.parse(result))).toBe(JSON.stringify(openedTheUsualWay(body)));
    }
    // received, replied, message, noted, escalation created and answered, and the tricky message.
    expect(opened).toBe(7);
  });

  it('leaves the body as it is when it cannot open it for certain', () => {
    const body = sealedBody(lifeOf(5)[0]!.event);
    expect(openSealedBody(body, () => undefined)).toBe(body);
    // Another key: the tag does not check.
    expect(openSealedBody(body, () => randomBytes(32))).toBe(body);
    // The blob moved onto another enquiry: the associated data no longer matches.
    const moved = body.replace('"enquiryId":"E5"', '"enquiryId":"E6"');
    expect(openSealedBody(moved, keyOf)).toBe(moved);
    // A blob cut short.
    const cut = body.replace(/"sealed":"([0-9a-f]+\.)[^"]*"/, '"sealed":"$1AAAA"');
    expect(openSealedBody(cut, keyOf)).toBe(cut);
    // Nothing sealed at all.
    const plain = bodyOf(lifeOf(5)[1]!.event);
    expect(openSealedBody(plain, keyOf)).toBe(plain);
  });
});
