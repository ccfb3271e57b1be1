import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';

let t: TestBroker;
beforeEach(async () => {
  t = await startTestBroker();
});
afterEach(async () => {
  await t.close();
});

const valid = { channel: 'web', from: 'dee@example.org', name: 'Dee Jones', text: 'Has the court received my defence for 305JE126?' };

async function journalSeq(): Promise<number> {
  return ((await (await fetch(`${t.url}/healthz`)).json()) as { seq: number }).seq;
}

describe('HTTP intake', () => {
  it('creates an enquiry that an agent sees, and reads it back', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    const res = await t.post('/v1/enquiries', valid);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; position: number; estimatedWaitSeconds: number };
    expect(created.id).toMatch(/^E[0-9A-Z]{8}$/);
    expect(created.position).toBe(1);
    expect(created.estimatedWaitSeconds).toBeGreaterThan(0);

    const seen = await agent.waitFor(() => agent.events().find((e) => e.event.type === 'enquiry.received'), 'the enquiry');
    expect(seen.event).toMatchObject({ enquiryId: created.id, text: valid.text, channel: 'web', language: 'en' });

    const got = await t.get(`/v1/enquiries/${created.id}`);
    expect(got.status).toBe(200);
    const enquiry = (await got.json()) as Record<string, unknown>;
    expect(enquiry).toMatchObject({ id: created.id, status: 'waiting', channel: 'web', from: valid.from, name: 'Dee Jones', language: 'en', claimedBy: null, caseNumbers: [], escalations: [] });
    expect(enquiry.messages).toEqual([expect.objectContaining({ author: 'customer', text: valid.text, at: expect.any(String) })]);
    agent.close();
  });

  it('guesses Welsh when no language is given, and accepts follow-ups', async () => {
    const res = await t.post('/v1/enquiries', { channel: 'sms', from: '+447700900123', text: 'Bore da, mae gen i wrandawiad yn y llys ddydd Llun. Diolch' });
    const { id } = (await res.json()) as { id: string };
    const follow = await t.post(`/v1/enquiries/${id}/messages`, { text: 'Ydych chi wedi cael fy llythyr?' });
    expect(follow.status).toBe(201);
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { language: string; messages: { author: string }[] };
    expect(enquiry.language).toBe('cy');
    // The customer's two, and between them the automatic acknowledgement sent by SMS.
    expect(enquiry.messages.map((m) => m.author)).toEqual(['customer', 'agent', 'customer']);
  });

  it('returns the first result for a repeated Idempotency-Key and records nothing new', async () => {
    const headers = { 'idempotency-key': 'form-submission-7' };
    const [a, b] = await Promise.all([t.post('/v1/enquiries', valid, headers), t.post('/v1/enquiries', valid, headers)]);
    const seqAfterBoth = await journalSeq();
    const c = await t.post('/v1/enquiries', valid, headers);
    const ids = await Promise.all([a, b, c].map(async (r) => ((await r.json()) as { id: string }).id));
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set(ids).size).toBe(1);
    expect(seqAfterBoth).toBe(1);
    expect(await journalSeq()).toBe(1);
  });

  it.each([
    ['malformed JSON', '{"channel": "web",', {}, 400, 'BAD_JSON'],
    ['a missing field', { channel: 'web', from: 'x@example.org' }, {}, 400, 'INVALID_ENQUIRY'],
    ['a wrong type', { ...valid, text: 42 }, {}, 400, 'INVALID_ENQUIRY'],
    ['an unknown language', { ...valid, language: 'fr' }, {}, 400, 'INVALID_ENQUIRY'],
    ['an unknown channel', { ...valid, channel: 'fax' }, {}, 400, 'INVALID_ENQUIRY'],
    ['text over the limit', { ...valid, text: 'x'.repeat(5000) }, {}, 400, 'INVALID_ENQUIRY'],
    ['a misspelt field', { ...valid, langauge: 'cy' }, {}, 400, 'INVALID_ENQUIRY'],
    ['a body that is not an object', '[1,2]', {}, 400, 'INVALID_ENQUIRY'],
    ['the wrong content type', 'channel=web', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over 64 KiB', { ...valid, text: 'y'.repeat(70 * 1024) }, {}, 413, 'BODY_TOO_LARGE'],
    ['no token', valid, { authorization: '' }, 401, 'UNAUTHORIZED'],
    ['a wrong token', valid, { authorization: 'Bearer cdt_not-a-real-token' }, 401, 'UNAUTHORIZED'],
  ])('refuses %s with a JSON error and records nothing', async (_what, body, headers, status, code) => {
    const res = await t.post('/v1/enquiries', body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    const payload = (await res.json()) as { error: { code: string; message: string } };
    expect(payload.error.code).toBe(code);
    expect(payload.error.message.length).toBeGreaterThan(10);
    expect(await journalSeq()).toBe(0);
  });

  it('refuses an agent token for intake (403) and unknown enquiries (404)', async () => {
    const forbidden = await t.post('/v1/enquiries', valid, { authorization: `Bearer ${t.tokens.agent}` });
    expect(forbidden.status).toBe(403);
    expect((await t.get('/v1/enquiries/ENOSUCH1')).status).toBe(404);
    expect((await t.post('/v1/enquiries/ENOSUCH1/messages', { text: 'hello' })).status).toBe(404);
    expect(await journalSeq()).toBe(0);
  });

  it('keeps internal notes from intake tokens but shows them to agents', async () => {
    const { id } = (await (await t.post('/v1/enquiries', valid)).json()) as { id: string };
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    expect((await agent.command({ type: 'claim', ref: 'c1', enquiryId: id })).ok).toBe(true);
    expect((await agent.command({ type: 'note', ref: 'n1', enquiryId: id, text: 'Caller sounded distressed' })).ok).toBe(true);
    const forIntake = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { messages: Array<{ author: string }> };
    const forAgent = (await (await t.get(`/v1/enquiries/${id}`, t.tokens.agent)).json()) as { messages: Array<{ author: string }> };
    expect(forIntake.messages.map((m) => m.author)).toEqual(['customer']);
    expect(forAgent.messages.map((m) => m.author)).toEqual(['customer', 'note']);
    agent.close();
  });

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, seq: 0 });
  });
});

describe('intake rate limit', () => {
  it('answers 429 with Retry-After once a token exceeds its rate', async () => {
    const limited = await startTestBroker({ intakeRatePerSecond: 2, intakeBurst: 3 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 6; i++) {
        const res = await limited.post('/v1/enquiries', valid);
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});

describe('routes and token hints', () => {
  it('a path no route serves is 404 before any token is asked for; a missing token is told which role the route needs', async () => {
    for (const path of ['/v1/nothing-here', '/v1/enquiries/E1/nonsense', '/v1/']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    const post = await fetch(`${t.url}/v1/enquiries`, { method: 'POST' });
    expect(post.status).toBe(401);
    expect(((await post.json()) as { error: { message: string } }).error.message).toMatch(/a live intake token \(courtdesk token add NAME --role intake\)/);
    const log = await fetch(`${t.url}/v1/access-log`);
    expect(((await log.json()) as { error: { message: string } }).error.message).toMatch(/a live supervisor or auditor token \(courtdesk token add NAME --role supervisor\)/);
  });
});
