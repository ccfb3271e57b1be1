import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  parseTwilioInbound,
  parseTwilioStatus,
  publicWebhookUrl,
  readTwilioWebhook,
  twilioParams,
  twilioSignature,
  verifyTwilioSignature,
} from '../../../src/broker/channels/twilio.js';

// The worked example in Twilio's webhook-security documentation.
const DOC_TOKEN = '12345';
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
const DOC_SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('twilioSignature', () => {
  it("matches Twilio's documented example", () => {
    expect(twilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS)).toBe(DOC_SIGNATURE);
  });

  it('agrees with openssl on a Welsh message (UTF-8, names out of order)', () => {
    const token = 'f3c9a1d27b';
    const url = 'https://desk.example.org/v1/channels/sms/webhook';
    const params = { To: '+447700900999', Body: 'Ydy’r gwrandawiad ddydd Llun? ŵ ŷ', From: '+447700900123', MessageSid: 'SM0123456789abcdef0123456789abcdef' };
    const data = `${url}Body${params.Body}From${params.From}MessageSid${params.MessageSid}To${params.To}`;
    const openssl = execFileSync('openssl', ['dgst', '-sha1', '-hmac', token, '-binary'], { input: Buffer.from(data, 'utf8') }).toString('base64');
    expect(twilioSignature(token, url, params)).toBe(openssl);
  });

  it('sorts repeated values of one name as Twilio does', () => {
    const a = twilioSignature(DOC_TOKEN, DOC_URL, { Tag: ['b', 'a'] });
    expect(a).toBe(twilioSignature(DOC_TOKEN, DOC_URL, { Tag: ['a', 'b'] }));
    expect(twilioParams(new URLSearchParams('Tag=b&To=1&Tag=a'))).toEqual({ Tag: ['b', 'a'], To: '1' });
  });
});

describe('verifyTwilioSignature', () => {
  it('accepts the right signature and refuses any change', () => {
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).toBe(true);
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, { ...DOC_PARAMS, Digits: '9999' }, DOC_SIGNATURE)).toBe(false);
    expect(verifyTwilioSignature(DOC_TOKEN, 'https://mycompany.com/myapp.php', DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(verifyTwilioSignature('54321', DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
  });

  it('refuses missing, repeated, truncated and padded headers', () => {
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, undefined)).toBe(false);
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, '')).toBe(false);
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, [DOC_SIGNATURE, DOC_SIGNATURE])).toBe(false);
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, DOC_SIGNATURE.slice(0, -1))).toBe(false);
    expect(verifyTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, `${DOC_SIGNATURE}==`)).toBe(false);
    expect(verifyTwilioSignature('', DOC_URL, DOC_PARAMS, twilioSignature('', DOC_URL, DOC_PARAMS))).toBe(false);
  });
});

describe('readTwilioWebhook', () => {
  const token = 'twilio-auth-token-for-tests';
  const url = publicWebhookUrl('https://desk.example.org/', '/v1/channels/sms/webhook');
  const body = 'ToCountry=GB&To=%2B447700900999&From=%2B447700900123&Body=Hello+there&MessageSid=SMaaaa&NumMedia=0';

  it('builds the signed URL from the public base and the path', () => {
    expect(url).toBe('https://desk.example.org/v1/channels/sms/webhook');
  });

  it('verifies over the form as received and hands the form on', () => {
    const signature = twilioSignature(token, url, twilioParams(new URLSearchParams(body)));
    const read = readTwilioWebhook(Buffer.from(body), signature, url, token);
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.form.get('Body')).toBe('Hello there');
  });

  it('answers 401 for a wrong or missing signature, 413 when too big', () => {
    expect(readTwilioWebhook(Buffer.from(body), undefined, url, token)).toMatchObject({ ok: false, status: 401 });
    const signature = twilioSignature(token, url, twilioParams(new URLSearchParams(body)));
    const tampered = body.replace('Hello', 'Hullo');
    expect(readTwilioWebhook(Buffer.from(tampered), signature, url, token)).toMatchObject({ ok: false, status: 401 });
    const big = Buffer.from(`Body=${'x'.repeat(70_000)}`);
    expect(readTwilioWebhook(big, signature, url, token)).toMatchObject({ ok: false, status: 413 });
    expect(JSON.stringify(readTwilioWebhook(Buffer.from(body), 'nope', url, token))).not.toContain(token);
  });
});

describe('parseTwilioInbound', () => {
  const now = new Date('2026-04-01T10:00:00.000Z');

  it('reads From, Body and MessageSid', () => {
    const form = new URLSearchParams({ From: '+447700900123', To: '+447700900999', Body: 'Is my hearing still on?', MessageSid: 'SM1', NumMedia: '0' });
    expect(parseTwilioInbound(form, now)).toEqual({
      ok: true,
      value: { channel: 'sms', from: '+447700900123', name: null, text: 'Is my hearing still on?', externalId: 'SM1', at: now.toISOString() },
    });
  });

  it('keeps an MMS as a flagged placeholder with its text', () => {
    const form = new URLSearchParams({ From: '+447700900123', Body: 'my letter', MessageSid: 'MM2', NumMedia: '2', MediaContentType0: 'image/jpeg', MediaContentType1: 'image/png' });
    const parsed = parseTwilioInbound(form, now);
    expect(parsed).toMatchObject({ ok: true, value: { unsupported: 'mms', externalId: 'MM2' } });
    if (parsed.ok) {
      expect(parsed.value.text).toBe('[Picture message (MMS) with 2 attachments (image/jpeg, image/png) — open the Twilio console to view it] text: my letter');
    }
  });

  it('says what is missing', () => {
    expect(parseTwilioInbound(new URLSearchParams({ Body: 'x', MessageSid: 'SM3' }))).toMatchObject({ ok: false, problem: expect.stringContaining('From') });
    expect(parseTwilioInbound(new URLSearchParams({ From: '+44', Body: 'x' }))).toMatchObject({ ok: false, problem: expect.stringContaining('MessageSid') });
  });
});

describe('parseTwilioStatus', () => {
  const now = new Date('2026-04-01T10:00:00.000Z');
  const status = (fields: Record<string, string>) => parseTwilioStatus(new URLSearchParams(fields), now);

  it('maps Twilio states onto receipt states', () => {
    expect(status({ MessageSid: 'SM1', MessageStatus: 'queued' })).toEqual({ ok: true, value: { channel: 'sms', externalId: 'SM1', state: 'sent', at: now.toISOString() } });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'sent' })).toMatchObject({ value: { state: 'sent' } });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toMatchObject({ value: { state: 'delivered' } });
  });

  it('turns undelivered and failed into failures with the error explained', () => {
    expect(status({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' })).toMatchObject({
      value: { state: 'failed', error: '30003: unreachable handset (switched off or out of coverage)' },
    });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '30410' })).toMatchObject({
      value: { state: 'failed', error: '30410: see https://www.twilio.com/docs/api/errors/30410' },
    });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'failed' })).toMatchObject({ value: { error: 'failed: Twilio gave no error code' } });
  });

  it('refuses what it cannot use', () => {
    expect(status({ MessageStatus: 'sent' })).toMatchObject({ ok: false });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'teleported' })).toMatchObject({ ok: false, problem: expect.stringContaining('teleported') });
    expect(status({ MessageSid: 'SM1', MessageStatus: 'constructor' })).toMatchObject({ ok: false });
  });
});
