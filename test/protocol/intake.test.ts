import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/domain/events.js';
import { MAX_TEXT_LENGTH } from '../../src/protocol/frames.js';
import { parseFollowUp, parseNewEnquiry } from '../../src/protocol/intake.js';

const minimal = { channel: 'web', from: 'a.user@example.org', text: 'When is my hearing?' };

function refused(value: unknown, parse: (v: unknown) => { ok: boolean } = parseNewEnquiry): string {
  const result = parse(value) as { ok: true } | { ok: false; message: string };
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return result.message;
}

describe('parseNewEnquiry', () => {
  it('accepts the minimal body, filling the optional fields with null', () => {
    expect(parseNewEnquiry(minimal)).toEqual({
      ok: true,
      value: { channel: 'web', from: 'a.user@example.org', name: null, text: 'When is my hearing?', language: null, callbackUrl: null, priority: null },
    });
  });

  it('accepts every field', () => {
    const body = {
      channel: 'whatsapp',
      from: '+447700900123',
      name: 'Siân Jones',
      text: 'Bore da',
      language: 'cy',
      callbackUrl: 'https://channel.example.org/replies?conversation=42',
      priority: 'urgent',
    };
    expect(parseNewEnquiry(body)).toEqual({ ok: true, value: body });
    expect(parseNewEnquiry({ ...body, priority: 'normal' })).toMatchObject({ ok: true, value: { priority: null } });
    expect(refused({ ...minimal, priority: 'high' })).toBe('"priority" must be "urgent" or "normal", not "high"; leave it out for normal.');
  });

  it('accepts every channel', () => {
    for (const channel of CHANNELS) expect(parseNewEnquiry({ ...minimal, channel }).ok).toBe(true);
  });

  it('accepts null for the optional fields', () => {
    expect(parseNewEnquiry({ ...minimal, name: null, language: null, callbackUrl: null })).toMatchObject({
      ok: true,
      value: { name: null, language: null, callbackUrl: null },
    });
  });

  it('trims the sender and name, treats a blank name as none, and keeps the text as sent', () => {
    expect(parseNewEnquiry({ ...minimal, from: '  +447700900123 ', name: '   ', text: '  Hello\n\n' })).toMatchObject({
      ok: true,
      value: { from: '+447700900123', name: null, text: '  Hello\n\n' },
    });
    expect(parseNewEnquiry({ ...minimal, name: ' Sam ' })).toMatchObject({ ok: true, value: { name: 'Sam' } });
  });

  it('refuses a body that is not an object, with an example of one', () => {
    for (const body of [null, undefined, 'text', 42, true, [minimal]]) {
      const message = refused(body);
      expect(message).toMatch(/The body must be a JSON object/);
      expect(message).toContain('"channel":"web"');
    }
    expect(refused([minimal])).toContain('not an array');
  });

  it('refuses unknown fields by name, suggesting the field meant', () => {
    expect(refused({ ...minimal, langauge: 'cy' })).toMatch(/^Unknown field "langauge"\. Did you mean "language"\?/);
    expect(refused({ ...minimal, Text2: 'x' })).toMatch(/Did you mean "text"\?/);
    expect(refused({ ...minimal, callbackURL: 'https://x.example' })).toMatch(/Did you mean "callbackUrl"\?/);
    const unrelated = refused({ ...minimal, colour: 'blue' });
    expect(unrelated).toMatch(/^Unknown field "colour"\. The fields are "channel", "from", "name", "text", "language", "callbackUrl", "priority"\.$/);
  });

  it('refuses a missing or unknown channel, listing the channels', () => {
    expect(refused({ from: 'x', text: 'y' })).toMatch(/"channel" is missing; send one of "whatsapp", "sms", "web", "email" or "api"\./);
    expect(refused({ ...minimal, channel: 'telegram' })).toMatch(/"channel" must be one of .* not "telegram"/);
    expect(refused({ ...minimal, channel: 'WEB' })).toMatch(/not "WEB"/);
    expect(refused({ ...minimal, channel: 3 })).toMatch(/not 3/);
  });

  it('refuses a missing, blank, non-string or overlong sender', () => {
    expect(refused({ channel: 'web', text: 'y' })).toMatch(/"from" is missing/);
    expect(refused({ ...minimal, from: '  ' })).toMatch(/"from" must be a non-empty string/);
    expect(refused({ ...minimal, from: 447700900123 })).toMatch(/"from" must be a non-empty string.*not 447700900123/);
    expect(refused({ ...minimal, from: 'x'.repeat(201) })).toMatch(/"from" is 201 characters; send at most 200/);
    expect(parseNewEnquiry({ ...minimal, from: 'x'.repeat(200) }).ok).toBe(true);
  });

  it('refuses a name that is not a string, or too long', () => {
    expect(refused({ ...minimal, name: { first: 'Sam' } })).toMatch(/"name" must be a string or null, not an object/);
    expect(refused({ ...minimal, name: 'n'.repeat(201) })).toMatch(/"name" is 201 characters; send at most 200/);
    expect(parseNewEnquiry({ ...minimal, name: 'n'.repeat(200) }).ok).toBe(true);
  });

  it('refuses missing, blank, non-string or overlong text', () => {
    expect(refused({ channel: 'web', from: 'x' })).toMatch(/"text" is missing/);
    expect(refused({ ...minimal, text: ' \n\t ' })).toMatch(/"text" is blank/);
    expect(refused({ ...minimal, text: ['hi'] })).toMatch(/"text" must be a string, not an array/);
    expect(refused({ ...minimal, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) })).toMatch(new RegExp(`send at most ${MAX_TEXT_LENGTH}`));
    expect(parseNewEnquiry({ ...minimal, text: 'x'.repeat(MAX_TEXT_LENGTH) }).ok).toBe(true);
  });

  it('refuses a language other than en or cy, saying which are allowed', () => {
    const message = refused({ ...minimal, language: 'welsh' });
    expect(message).toMatch(/"language" must be "en" or "cy" \(English or Welsh\), not "welsh"/);
    expect(message).toMatch(/leave it out/);
    expect(refused({ ...minimal, language: 'CY' })).toMatch(/not "CY"/);
    expect(refused({ ...minimal, language: 1 })).toMatch(/"language" must be/);
  });

  it('accepts absolute http and https callback URLs', () => {
    for (const url of ['http://127.0.0.1:8080/replies', 'https://channel.example.org/r/1?x=y#z']) {
      expect(parseNewEnquiry({ ...minimal, callbackUrl: url })).toMatchObject({ ok: true, value: { callbackUrl: url } });
    }
    expect(parseNewEnquiry({ ...minimal, callbackUrl: ' https://a.example/x ' })).toMatchObject({ ok: true, value: { callbackUrl: 'https://a.example/x' } });
  });

  it('refuses relative, non-http or malformed callback URLs', () => {
    expect(refused({ ...minimal, callbackUrl: '/replies' })).toMatch(/"callbackUrl" must be an absolute http:\/\/ or https:\/\/ URL/);
    expect(refused({ ...minimal, callbackUrl: 'ftp://files.example.org/x' })).toMatch(/"ftp:" URLs are not accepted/);
    expect(refused({ ...minimal, callbackUrl: 'javascript:alert(1)' })).toMatch(/"javascript:" URLs are not accepted/);
    expect(refused({ ...minimal, callbackUrl: 'https://' })).toMatch(/is not one/);
    expect(refused({ ...minimal, callbackUrl: 42 })).toMatch(/"callbackUrl" must be .* not 42/);
  });

  it('refuses a callback URL over 2000 characters', () => {
    const base = 'https://channel.example.org/';
    expect(refused({ ...minimal, callbackUrl: base + 'a'.repeat(2001 - base.length) })).toMatch(/2001 characters; send at most 2000/);
    expect(parseNewEnquiry({ ...minimal, callbackUrl: base + 'a'.repeat(2000 - base.length) }).ok).toBe(true);
  });

  it('keeps error messages short when the bad value is huge', () => {
    expect(refused({ ...minimal, channel: 'x'.repeat(100_000) }).length).toBeLessThan(200);
    expect(refused({ ...minimal, ['k'.repeat(100_000)]: 1 }).length).toBeLessThan(300);
  });
});

describe('parseFollowUp', () => {
  it('accepts a text', () => {
    expect(parseFollowUp({ text: 'Any news?' })).toEqual({ ok: true, value: { text: 'Any news?' } });
  });

  it('refuses a non-object body with an example', () => {
    expect(refused('Any news?', parseFollowUp)).toMatch(/The body must be a JSON object.*\{"text":/);
  });

  it('refuses missing, blank or overlong text', () => {
    expect(refused({}, parseFollowUp)).toMatch(/"text" is missing/);
    expect(refused({ text: '' }, parseFollowUp)).toMatch(/"text" is blank/);
    expect(refused({ text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, parseFollowUp)).toMatch(/at most/);
  });

  it('refuses other fields, such as those of a new enquiry', () => {
    expect(refused({ text: 'hi', from: '+44' }, parseFollowUp)).toMatch(/^Unknown field "from"\. The fields are "text"\.$/);
    expect(refused({ txet: 'hi' }, parseFollowUp)).toMatch(/Did you mean "text"\?/);
  });
});
