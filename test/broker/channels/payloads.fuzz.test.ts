// The WhatsApp and Twilio payload readers against generated payloads. Both providers sign what they
// send, but a reader that throws on an odd payload turns one odd delivery into a 500 the provider
// retries for days: whatever arrives, they read what they can and name what they skipped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTwilioInbound, parseTwilioStatus } from '../../../src/broker/channels/twilio.js';
import { parseWhatsAppWebhook } from '../../../src/broker/channels/whatsapp.js';
import type { InboundMessage, StatusUpdate } from '../../../src/broker/channels/types.js';
import { jsonObject, jsonRecord, jsonValue, mostly, nastyString, quoted } from '../../helpers/arbitraries.js';
import { PROTOTYPE_NAMES } from '../../helpers/prototype-names.js';

const RUNS = { numRuns: 1000 };
const TYPES = ['text', 'image', 'video', 'document', 'audio', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction', 'system', 'unknown'];
const PART_KEYS = ['body', 'caption', 'filename', 'voice', 'latitude', 'longitude', 'name', 'address', 'button_reply', 'list_reply', 'title', 'description', 'emoji', 'payload', 'text'];
/** Timestamps either side of what a Date can hold (±8.64e15 ms), as text and as numbers. */
const timestamp = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 12n }).map((n) => quoted(String(n))),
  fc.constantFrom('"99999999999999999999"', '99999999999999999999', '1e308', '8640000000000', '8640000000001', '"8640000000001"', '-1', '0', '1.5', '"1e3"', '1e400'),
  jsonValue(),
);

const part = fc.oneof({ weight: 3, arbitrary: jsonRecord(PART_KEYS, ['hello']) }, { weight: 1, arbitrary: jsonValue(PART_KEYS) });
const message = fc.constantFrom(...TYPES, ...PROTOTYPE_NAMES).chain((type) =>
  jsonObject({
    from: mostly(fc.stringMatching(/^\d{6,15}$/)),
    id: mostly(fc.stringMatching(/^wamid\.[A-Za-z0-9]{1,20}$/)),
    timestamp,
    type: fc.oneof({ weight: 4, arbitrary: fc.constant(quoted(type)) }, { weight: 1, arbitrary: jsonValue() }),
    [type]: part,
    contacts: jsonValue(['name', 'phones', 'formatted_name', 'phone']),
  }),
);
const status = jsonObject({
  id: mostly(fc.stringMatching(/^wamid\.[A-Za-z0-9]{1,20}$/)),
  status: mostly(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', ...PROTOTYPE_NAMES)),
  timestamp,
  errors: jsonValue(['code', 'title', 'message', 'error_data', 'details']),
});
const list = (item: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: fc.array(item, { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`) }, { weight: 1, arbitrary: jsonValue() });
const value = jsonObject({
  contacts: list(jsonObject({ wa_id: mostly(fc.stringMatching(/^\d{6,15}$/)), profile: jsonObject({ name: mostly(nastyString()) }) })),
  messages: list(message),
  statuses: list(status),
  errors: list(jsonRecord(['code', 'title', 'message', 'error_data'])),
});
const change = jsonObject({ field: mostly(fc.constantFrom('messages', 'account_update', ...PROTOTYPE_NAMES)), value: fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: jsonValue() }) });
const payload = fc.oneof(
  { weight: 4, arbitrary: jsonObject({ object: mostly(fc.constant('whatsapp_business_account')), entry: list(jsonObject({ id: mostly(fc.string()), changes: list(change) })) }) },
  { weight: 1, arbitrary: jsonValue(['object', 'entry', 'changes', 'value']) },
);

function expectIsoTime(at: string): void {
  expect(new Date(at).toISOString()).toBe(at);
}

function expectMessage(m: InboundMessage): void {
  expect(typeof m.from === 'string' && m.from !== '').toBe(true);
  expect(typeof m.externalId === 'string' && m.externalId !== '').toBe(true);
  expect(typeof m.text).toBe('string');
  expectIsoTime(m.at);
}

function expectStatus(s: StatusUpdate): void {
  expect(typeof s.externalId === 'string' && s.externalId !== '').toBe(true);
  expect(['sent', 'delivered', 'read', 'failed']).toContain(s.state);
  expectIsoTime(s.at);
}

describe('parseWhatsAppWebhook with generated payloads', () => {
  it('never throws; every message and receipt it returns is complete; every problem is one short line', () => {
    fc.assert(
      fc.property(payload, (raw) => {
        const read = parseWhatsAppWebhook(JSON.parse(raw), new Date('2026-11-22T09:00:00Z'));
        read.messages.forEach(expectMessage);
        read.statuses.forEach(expectStatus);
        for (const problem of read.problems) {
          expect(typeof problem).toBe('string');
          // Problems go to the log: what the payload held is quoted, never pasted whole.
          expect(problem.length).toBeLessThan(600);
        }
      }),
      { numRuns: 600 },
    );
  });
});

const formValue = fc.oneof(nastyString(['+447700900123', 'SM123', 'delivered', 'failed', '30003']), fc.constantFrom('1e10', '99999999', '4294967296', '-1', '3.5', '10', '2', 'NaN'));
const formName = fc.constantFrom('From', 'To', 'Body', 'MessageSid', 'SmsMessageSid', 'SmsSid', 'NumMedia', 'MediaContentType0', 'MediaContentType1', 'MessageStatus', 'SmsStatus', 'ErrorCode', ...PROTOTYPE_NAMES);
const form = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: formName }, { weight: 1, arbitrary: nastyString() }), formValue), { maxLength: 12 }).map((pairs) => new URLSearchParams(pairs));

describe('the Twilio form readers with generated forms', () => {
  it('parseTwilioInbound never throws, and a message it returns is complete', () => {
    fc.assert(
      fc.property(form, (f) => {
        const read = parseTwilioInbound(f);
        if (read.ok) expectMessage(read.value);
        else expect(read.problem.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('parseTwilioStatus never throws, and a receipt it returns is complete', () => {
    fc.assert(
      fc.property(form, (f) => {
        const read = parseTwilioStatus(f);
        if (read.ok) expectStatus(read.value);
        else expect(read.problem.length).toBeLessThan(600);
      }),
      RUNS,
    );
  });
});
