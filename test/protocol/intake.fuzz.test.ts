// The intake body parsers against generated bodies, then a real broker against a few hundred of
// them: nothing a caller sends makes the broker answer 500 or stop serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/domain/events.js';
import { parseFollowUp, parseNewEnquiry, type Parsed } from '../../src/protocol/intake.js';
import { postEnquiry, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { anyText, jsonObject, mostly, nastyString } from '../helpers/arbitraries.js';

const FIELDS = ['channel', 'from', 'name', 'text', 'language', 'callbackUrl'];
const nonBlank = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() !== '');
const url = fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 2000);

/** A body whose fields are usually valid, sometimes anything, sometimes missing or unknown. */
const nearlyValid = jsonObject(
  {
    channel: mostly(fc.constantFrom(...CHANNELS), FIELDS),
    from: mostly(nonBlank(200), FIELDS),
    name: fc.oneof(mostly(fc.string({ maxLength: 200 }), FIELDS), fc.constant('null')),
    text: mostly(nonBlank(4000), FIELDS),
    language: fc.oneof(mostly(fc.constantFrom('en', 'cy'), FIELDS), fc.constant('null')),
    callbackUrl: fc.oneof(mostly(fc.oneof(url, nastyString(['ftp://x', 'http://', 'javascript:alert(1)'])), FIELDS), fc.constant('null')),
  },
  ['langauge', 'Text', 'callback_url'],
);

/** Any text at all, half the time close to a real body. */
const anyBody = fc.oneof(nearlyValid, anyText(FIELDS, [...CHANNELS]));

function parsed(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function expectRefusalOrValue<T>(result: Parsed<T>): T | null {
  if (result.ok) return result.value;
  expect(typeof result.message).toBe('string');
  expect(result.message.length).toBeGreaterThan(0);
  expect(result.message.length).toBeLessThan(800);
  return null;
}

describe('parseNewEnquiry with generated bodies', () => {
  it('never throws, and what it takes keeps every documented rule', () => {
    fc.assert(
      fc.property(anyBody, (raw) => {
        const body = parsed(raw);
        const value = expectRefusalOrValue(parseNewEnquiry(body));
        if (value === null) return;
        const sent = body as Record<string, unknown>;
        expect(Object.keys(sent).every((k) => FIELDS.includes(k))).toBe(true);
        expect(CHANNELS).toContain(value.channel);
        expect(value.from).toBe((sent.from as string).trim());
        expect(value.from.length >= 1 && value.from.length <= 200).toBe(true);
        expect(value.name === null || (value.name.length >= 1 && value.name.length <= 200 && value.name === value.name.trim())).toBe(true);
        expect(value.text).toBe(sent.text);
        expect(value.text.trim().length > 0 && value.text.length <= 4000).toBe(true);
        expect([null, 'en', 'cy']).toContain(value.language);
        if (value.callbackUrl !== null) {
          expect(value.callbackUrl.length).toBeLessThanOrEqual(2000);
          expect(['http:', 'https:']).toContain(new URL(value.callbackUrl).protocol);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('takes every body that keeps the rules', () => {
    const valid = fc.record(
      {
        channel: fc.constantFrom(...CHANNELS),
        from: nonBlank(200).filter((s) => s.trim().length <= 200),
        name: fc.option(fc.string({ maxLength: 200 })),
        text: nonBlank(4000),
        language: fc.option(fc.constantFrom('en', 'cy')),
        callbackUrl: fc.option(url),
      },
      { requiredKeys: ['channel', 'from', 'text'] },
    );
    fc.assert(
      fc.property(valid, (body) => {
        expect(parseNewEnquiry(JSON.parse(JSON.stringify(body)))).toMatchObject({ ok: true });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseFollowUp with generated bodies', () => {
  it('never throws, and takes only a lone, non-blank text of at most 4,000 characters', () => {
    const followUp = fc.oneof(jsonObject({ text: mostly(nonBlank(4000), ['text']) }, ['txt', 'channel']), anyText(['text']));
    fc.assert(
      fc.property(followUp, (raw) => {
        const body = parsed(raw);
        const value = expectRefusalOrValue(parseFollowUp(body));
        if (value === null) return;
        expect(Object.keys(body as object)).toEqual(['text']);
        expect(value.text.trim().length > 0 && value.text.length <= 4000).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a real broker against generated bodies', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await startTestBroker();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers each with 201 or a 4xx JSON error, never a 500, and keeps serving', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyBody, async (raw) => {
        const res = await t.post('/v1/enquiries', raw);
        const answer = (await res.json()) as { id?: unknown; error?: { code?: unknown; message?: unknown } };
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) {
          expect(typeof answer.id).toBe('string');
          return;
        }
        expect(res.status >= 400 && res.status < 500, `HTTP ${res.status} for ${raw.slice(0, 300)}: ${JSON.stringify(answer)}`).toBe(true);
        expect(typeof answer.error?.code).toBe('string');
        expect(typeof answer.error?.message).toBe('string');
      }),
      { numRuns: 300 },
    );
    // Both kinds of answer were exercised, not only refusals.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(4);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(10);
    expect(t.logs.filter((l) => l.startsWith('error handling'))).toEqual([]);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(await postEnquiry(t.url, t.tokens.intake)).toMatch(/^[A-Z0-9]+$/);
  });
});
