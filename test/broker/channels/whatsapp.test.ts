import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerSubscription,
  parseWhatsAppWebhook,
  readWhatsAppWebhook,
  replyWindowOpen,
  verifyWhatsAppSignature,
} from '../../../src/broker/channels/whatsapp.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../src/broker/channels/types.js';

// ../shared/samples/whatsapp-inbound-text.json, byte for byte, copied into the repo so its tests stand alone.
const SAMPLE = readFileSync(new URL('../../fixtures/whatsapp-inbound-text.json', import.meta.url));
const SECRET = 'meta-app-secret-for-tests';
const sign = (body: Buffer, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('verifyWhatsAppSignature', () => {
  it('accepts the HMAC-SHA256 of the raw bytes with the app secret', () => {
    expect(verifyWhatsAppSignature(SAMPLE, sign(SAMPLE), SECRET)).toBe(true);
    expect(verifyWhatsAppSignature(SAMPLE, sign(SAMPLE).toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
  });

  it('refuses a signature made with another secret or over other bytes', () => {
    expect(verifyWhatsAppSignature(SAMPLE, sign(SAMPLE, 'another-secret'), SECRET)).toBe(false);
    // Re-serialised JSON is the same data but not the same bytes: only the raw body counts.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(SAMPLE.toString('utf8'))));
    expect(verifyWhatsAppSignature(reserialised, sign(SAMPLE), SECRET)).toBe(false);
  });

  it('refuses missing, repeated and malformed headers', () => {
    const good = sign(SAMPLE);
    const hex = good.slice('sha256='.length);
    expect(verifyWhatsAppSignature(SAMPLE, undefined, SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, '', SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, [good, good], SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, hex, SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, `sha1=${hex}`, SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, good.slice(0, -2), SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, `${good}00`, SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, `sha256=${'z'.repeat(64)}`, SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(SAMPLE, sign(SAMPLE, ''), '')).toBe(false);
  });
});

describe('answerSubscription', () => {
  const query = (mode: string, token: string, challenge: string): URLSearchParams =>
    new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge });

  it('echoes the challenge when the mode and token are right', () => {
    expect(answerSubscription(query('subscribe', 'verify-me', '1158201444'), 'verify-me')).toEqual({ status: 200, body: '1158201444' });
  });

  it('refuses a wrong token, a wrong mode, a missing challenge and an unconfigured token', () => {
    expect(answerSubscription(query('subscribe', 'verify-you', '1'), 'verify-me').status).toBe(403);
    expect(answerSubscription(query('unsubscribe', 'verify-me', '1'), 'verify-me').status).toBe(403);
    expect(answerSubscription(new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me' }), 'verify-me').status).toBe(403);
    expect(answerSubscription(new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }), 'verify-me').status).toBe(403);
    expect(answerSubscription(query('subscribe', '', '1'), '').status).toBe(403);
  });

  it('never puts the configured token in its answer', () => {
    const answer = answerSubscription(query('subscribe', 'guess', '1'), 'the-real-token');
    expect(answer.body).not.toContain('the-real-token');
  });
});

describe('parseWhatsAppWebhook', () => {
  it('reads the sample payload as one text message from Sheena Nelson', () => {
    const parsed = parseWhatsAppWebhook(JSON.parse(SAMPLE.toString('utf8')));
    expect(parsed.problems).toEqual([]);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.messages).toEqual([
      {
        channel: 'whatsapp',
        from: '16505551234',
        name: 'Sheena Nelson',
        text: 'Does it come in another color?',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        at: new Date(1749416383 * 1000).toISOString(),
      },
    ]);
  });

  it('walks every entry, change and message, and keeps an image as a flagged placeholder', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA-1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                contacts: [
                  { profile: { name: 'Rhys Evans' }, wa_id: '447700900001' },
                  { profile: { name: 'Amira Khan' }, wa_id: '447700900002' },
                ],
                messages: [
                  { from: '447700900001', id: 'wamid.A1', timestamp: '1750000000', type: 'text', text: { body: 'Oes modd i mi gael gwrandawiad?' } },
                  {
                    from: '447700900002',
                    id: 'wamid.A2',
                    timestamp: '1750000060',
                    type: 'image',
                    image: { mime_type: 'image/jpeg', sha256: 'abc', id: 'media-1', caption: 'my claim form 305JE126' },
                  },
                ],
              },
            },
            {
              field: 'messages',
              value: {
                contacts: [{ profile: { name: 'Amira Khan' }, wa_id: '447700900002' }],
                messages: [{ from: '447700900002', id: 'wamid.A3', timestamp: '1750000120', type: 'text', text: { body: 'Sorry, here it is' } }],
              },
            },
          ],
        },
        {
          id: 'WABA-2',
          changes: [
            {
              field: 'messages',
              value: {
                messages: [
                  { from: '447700900003', id: 'wamid.B1', timestamp: '1750000180', type: 'document', document: { filename: 'N1.pdf', mime_type: 'application/pdf', id: 'm2' } },
                  { from: '447700900003', id: 'wamid.B2', timestamp: '1750000181', type: 'audio', audio: { voice: true, id: 'm3' } },
                  { from: '447700900003', id: 'wamid.B3', timestamp: '1750000182', type: 'location', location: { latitude: 51.4816, longitude: -3.1791, name: 'Cardiff Civil Justice Centre' } },
                  { from: '447700900003', id: 'wamid.B4', timestamp: '1750000183', type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
                  { from: '447700900003', id: 'wamid.B5', timestamp: '1750000184', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes please' } } },
                ],
              },
            },
          ],
        },
      ],
    };
    const { messages, problems } = parseWhatsAppWebhook(payload);
    expect(problems).toEqual([]);
    expect(messages.map((m) => m.externalId)).toEqual(['wamid.A1', 'wamid.A2', 'wamid.A3', 'wamid.B1', 'wamid.B2', 'wamid.B3', 'wamid.B4', 'wamid.B5']);
    expect(messages[0]).toMatchObject({ name: 'Rhys Evans', text: 'Oes modd i mi gael gwrandawiad?' });
    expect(messages[0]?.unsupported).toBeUndefined();
    expect(messages[1]).toMatchObject({
      name: 'Amira Khan',
      text: '[Image received — open WhatsApp Business to view it] caption: my claim form 305JE126',
      unsupported: 'image',
      at: '2025-06-15T15:07:40.000Z',
    });
    expect(messages[2]).toMatchObject({ name: 'Amira Khan', text: 'Sorry, here it is' });
    expect(messages[3]).toMatchObject({ name: null, unsupported: 'document', text: '[Document received (N1.pdf) — open WhatsApp Business to view it]' });
    expect(messages[4]).toMatchObject({ unsupported: 'audio', text: '[Voice message received — open WhatsApp Business to listen to it]' });
    expect(messages[5]).toMatchObject({ unsupported: 'location', text: '[Location shared: Cardiff Civil Justice Centre (51.4816, -3.1791)]' });
    expect(messages[6]).toMatchObject({ unsupported: 'unsupported' });
    expect(messages[6]?.text).toContain('open WhatsApp Business');
    expect(messages[7]).toMatchObject({ unsupported: 'interactive', text: '[Button reply: Yes please]' });
  });

  it('reads statuses with their errors', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: {
                statuses: [
                  { id: 'wamid.OUT1', status: 'delivered', timestamp: '1750000300', recipient_id: '447700900001' },
                  {
                    id: 'wamid.OUT2',
                    status: 'failed',
                    timestamp: '1750000301',
                    recipient_id: '447700900002',
                    errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'More than 24 hours have passed since the recipient last replied.' } }],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    const { statuses, messages, problems } = parseWhatsAppWebhook(payload);
    expect(problems).toEqual([]);
    expect(messages).toEqual([]);
    expect(statuses).toEqual([
      { channel: 'whatsapp', externalId: 'wamid.OUT1', state: 'delivered', at: new Date(1750000300_000).toISOString() },
      {
        channel: 'whatsapp',
        externalId: 'wamid.OUT2',
        state: 'failed',
        at: new Date(1750000301_000).toISOString(),
        error: '131047: Re-engagement message — More than 24 hours have passed since the recipient last replied.',
      },
    ]);
  });

  it('names what it skipped instead of crashing on bad shapes', () => {
    expect(parseWhatsAppWebhook(null).problems).toEqual(['the payload is not a JSON object']);
    expect(parseWhatsAppWebhook({ object: 'page', entry: [] }).problems[0]).toContain('"page"');
    const now = new Date('2026-01-01T00:00:00Z');
    const odd = parseWhatsAppWebhook(
      {
        object: 'whatsapp_business_account',
        entry: [
          'nonsense',
          {
            changes: [
              { field: 'account_update', value: {} },
              {
                field: 'messages',
                value: {
                  messages: [{ id: 'wamid.X' }, { from: '44', id: 'wamid.Y', type: 'text', text: { body: 'no time' } }],
                  statuses: [{ id: 'wamid.Z', status: 'deleted' }],
                },
              },
            ],
          },
        ],
      },
      now,
    );
    expect(odd.messages).toEqual([{ channel: 'whatsapp', from: '44', name: null, text: 'no time', externalId: 'wamid.Y', at: now.toISOString() }]);
    expect(odd.statuses).toEqual([]);
    expect(odd.problems).toEqual([
      'entry[0] has no "changes" list',
      'entry[1].changes[0]: field "account_update" is not about messages; ignored',
      'entry[1].changes[1].value.messages[0] has no "from"; skipped',
      'entry[1].changes[1].value.messages[1] has no readable timestamp; using the time received',
      'entry[1].changes[1].value.statuses[0]: status "deleted" is not sent, delivered, read or failed; skipped',
    ]);
  });
});

describe('readWhatsAppWebhook', () => {
  it('parses a signed body', () => {
    const read = readWhatsAppWebhook(SAMPLE, sign(SAMPLE), SECRET);
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.messages).toHaveLength(1);
  });

  it('answers 401 for a bad or missing signature, 400 for signed non-JSON, 413 when too big', () => {
    expect(readWhatsAppWebhook(SAMPLE, undefined, SECRET)).toMatchObject({ ok: false, status: 401, error: { code: 'BAD_SIGNATURE' } });
    expect(readWhatsAppWebhook(SAMPLE, sign(SAMPLE, 'nope'), SECRET)).toMatchObject({ ok: false, status: 401 });
    const junk = Buffer.from('{not json');
    expect(readWhatsAppWebhook(junk, sign(junk), SECRET)).toMatchObject({ ok: false, status: 400, error: { code: 'BAD_JSON' } });
    const big = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20);
    expect(readWhatsAppWebhook(big, sign(big), SECRET)).toMatchObject({ ok: false, status: 413 });
  });

  it('never echoes the secret', () => {
    const read = readWhatsAppWebhook(SAMPLE, 'sha256=00', SECRET);
    expect(JSON.stringify(read)).not.toContain(SECRET);
  });
});

describe('replyWindowOpen', () => {
  const last = '2026-03-02T09:30:00.000Z';

  it('is open for 24 hours after the customer last wrote, and says when it closes', () => {
    expect(replyWindowOpen(last, new Date('2026-03-02T09:30:00.000Z'))).toEqual({ open: true, closesAt: '2026-03-03T09:30:00.000Z' });
    expect(replyWindowOpen(last, new Date('2026-03-03T09:29:59.999Z'))).toEqual({ open: true, closesAt: '2026-03-03T09:30:00.000Z' });
  });

  it('is closed from the 24th hour on, with the time it closed in the reason', () => {
    const closed = replyWindowOpen(last, new Date('2026-03-03T09:30:00.000Z'));
    expect(closed).toMatchObject({ open: false, closedAt: '2026-03-03T09:30:00.000Z' });
    if (!closed.open) expect(closed.reason).toContain('2026-03-03T09:30:00.000Z');
    expect(replyWindowOpen(last, new Date('2026-03-10T00:00:00.000Z')).open).toBe(false);
  });

  it('is closed when the time is unreadable', () => {
    expect(replyWindowOpen('yesterday', new Date())).toMatchObject({ open: false, closedAt: null });
  });
});
