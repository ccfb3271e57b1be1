// The routing rule (domain/routing.ts) through real brokers and sockets: language first, the cap
// on enquiries held, away, and enquiries returned from agents gone too long; transfers.
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { addToken } from '../../src/broker/tokens.js';
import { makeTokens, postEnquiry, RawAgent, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

let t: TestBroker | undefined;
const open: RawAgent[] = [];
let refs = 0;

afterEach(async () => {
  for (const a of open.splice(0)) a.close();
  await t?.close();
  t = undefined;
});

async function start(options: Parameters<typeof startTestBroker>[0]): Promise<TestBroker> {
  t = await startTestBroker({ commandRatePerSocket: 0, commandRatePerToken: 0, ...options });
  return t;
}

async function agent(token: string): Promise<RawAgent> {
  const a = await RawAgent.connect(t!.url, token);
  await a.welcome();
  open.push(a);
  return a;
}

function send(a: RawAgent, frame: Record<string, unknown>): Promise<any> {
  return a.command({ ref: `r${++refs}`, ...frame });
}

const takeNext = (a: RawAgent) => send(a, { type: 'take-next' });
const welshText = { text: 'Bore da, pryd mae fy ngwrandawiad?', language: 'cy' };

describe('language', () => {
  it('offers a Welsh enquiry to a Welsh speaker first, and to anyone once the wait is over', async () => {
    const b = await start({ languageFirstMs: 1500 });
    const alice = await agent(b.tokens.agent);
    const carys = await agent(b.tokens.welsh);
    const welsh = await postEnquiry(b.url, b.tokens.intake, { ...welshText, from: 'c1@example.org' });
    const english = await postEnquiry(b.url, b.tokens.intake, { from: 'e1@example.org' });

    // The Welsh one waited longer, but alice works in English only: she is given the English one.
    expect(await takeNext(alice)).toMatchObject({ ok: true, data: { enquiryId: english, rule: 'longest-wait' } });
    expect(await takeNext(carys)).toMatchObject({ ok: true, data: { enquiryId: welsh, rule: 'language-first' } });

    const later = await postEnquiry(b.url, b.tokens.intake, { ...welshText, from: 'c2@example.org' });
    const refused = await takeNext(alice);
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOTHING_WAITING' } });
    expect(refused.error.message).toContain('1 enquiry waits for speakers of another language first');
    await new Promise((r) => setTimeout(r, 1600));
    const taken = await takeNext(alice);
    expect(taken).toMatchObject({ ok: true, data: { enquiryId: later, rule: 'language-open' } });
    expect(taken.data.reason).toBe('Welsh, open to anyone: no Welsh speaker took it in 2 s');
    await alice.waitFor(() => alice.events().find((e) => e.event.type === 'enquiry.claimed' && e.event.enquiryId === later && e.event.agent === 'alice'), 'the claim');
  });
});

describe('load', () => {
  it('refuses take-next above the cap with a message that says so', async () => {
    const b = await start({ maxHeldPerAgent: 2 });
    const bob = await agent(b.tokens.agent2);
    for (let i = 0; i < 4; i++) await postEnquiry(b.url, b.tokens.intake, { from: `u${i}@example.org` });
    expect((await takeNext(bob)).ok).toBe(true);
    expect((await takeNext(bob)).ok).toBe(true);
    const refused = await takeNext(bob);
    expect(refused).toMatchObject({ ok: false, error: { code: 'AT_CAP' } });
    expect(refused.error.message).toContain('You hold 2 open enquiries, the most one agent may hold at once (cap 2)');
  });

  it('honours a token’s own --max-held over the broker’s', async () => {
    const dataDir = await tempDir();
    const tokens = await makeTokens(dataDir);
    const deeToken = await addToken(dataDir, { name: 'dee', role: 'agent', maxHeld: 2 });
    t = await startTestBroker({ maxHeldPerAgent: 1 }, { dataDir, tokens });
    const b = t;
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const dee = await agent(deeToken);
    for (let i = 0; i < 3; i++) await postEnquiry(b.url, b.tokens.intake, { from: `u${i}@example.org` });
    expect((await takeNext(dee)).ok).toBe(true);
    expect((await takeNext(dee)).ok).toBe(true);
    expect(await takeNext(dee)).toMatchObject({ ok: false, error: { code: 'AT_CAP', message: expect.stringContaining('(cap 2)') } });
  });
});

describe('presence', () => {
  it('an agent set away, by themselves or by a supervisor, cannot take next', async () => {
    const b = await start({});
    const alice = await agent(b.tokens.agent);
    const bob = await agent(b.tokens.agent2);
    const sam = await agent(b.tokens.supervisor);
    await postEnquiry(b.url, b.tokens.intake);
    expect((await send(alice, { type: 'presence', state: 'away' })).ok).toBe(true);
    expect(await takeNext(alice)).toMatchObject({ ok: false, error: { code: 'AWAY' } });
    expect((await send(sam, { type: 'presence', state: 'away', agent: 'bob' })).ok).toBe(true);
    expect(await takeNext(bob)).toMatchObject({ ok: false, error: { code: 'AWAY' } });
    // An agent may not set another's presence.
    expect(await send(alice, { type: 'presence', state: 'available', agent: 'bob' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await send(bob, { type: 'presence', state: 'available' })).ok).toBe(true);
    expect((await takeNext(bob)).ok).toBe(true);
  });

  it('returns the waiting enquiries of an agent disconnected too long, with an event saying why, ranked by original wait', async () => {
    const b = await start({ returnAfterMs: 400, returnCheckMs: 50 });
    const first = await postEnquiry(b.url, b.tokens.intake, { from: 'first@example.org' });
    const alice = await agent(b.tokens.agent);
    const sam = await agent(b.tokens.supervisor);
    expect(await takeNext(alice)).toMatchObject({ ok: true, data: { enquiryId: first } });
    await postEnquiry(b.url, b.tokens.intake, { from: 'second@example.org' });
    alice.close();
    const returned = await sam.waitFor(() => sam.events().find((e) => e.event.type === 'enquiry.returned'), 'the return');
    expect(returned).toMatchObject({ actor: { kind: 'system', name: 'broker' }, event: { enquiryId: first, agent: 'alice', reason: 'disconnected' } });
    // Back at the front of the line: it has waited longest.
    const bob = await agent(b.tokens.agent2);
    expect(await takeNext(bob)).toMatchObject({ ok: true, data: { enquiryId: first } });
  });

  it('returns those of an agent away too long, but not of one still connected and available', async () => {
    const b = await start({ returnAfterMs: 300, returnCheckMs: 50 });
    const alice = await agent(b.tokens.agent);
    const bob = await agent(b.tokens.agent2);
    const mine = await postEnquiry(b.url, b.tokens.intake, { from: 'a@example.org' });
    await send(alice, { type: 'claim', enquiryId: mine });
    const bobs = await postEnquiry(b.url, b.tokens.intake, { from: 'b@example.org' });
    await send(bob, { type: 'claim', enquiryId: bobs });
    await send(alice, { type: 'presence', state: 'away' });
    const returned = await bob.waitFor(() => bob.events().find((e) => e.event.type === 'enquiry.returned'), 'the return');
    expect(returned.event).toMatchObject({ enquiryId: mine, agent: 'alice', reason: 'away' });
    await new Promise((r) => setTimeout(r, 400));
    expect(bob.events().filter((e) => e.event.type === 'enquiry.returned')).toHaveLength(1);
  });
});

describe('urgency', () => {
  it('urgent from intake and marked by an agent rank ahead, oldest first', async () => {
    const b = await start({});
    const alice = await agent(b.tokens.agent);
    const plain = await postEnquiry(b.url, b.tokens.intake, { from: 'p@example.org' });
    const marked = await postEnquiry(b.url, b.tokens.intake, { from: 'm@example.org' });
    const res = await b.post('/v1/enquiries', { channel: 'web', from: 'u@example.org', text: 'My hearing is today', priority: 'urgent' });
    expect(res.status).toBe(201);
    const fromIntake = (await res.json()) as { id: string; position: number };
    expect(fromIntake.position).toBe(1);
    expect((await send(alice, { type: 'mark-urgent', enquiryId: marked, reason: 'hearing tomorrow' })).ok).toBe(true);
    expect(await takeNext(alice)).toMatchObject({ data: { enquiryId: marked, rule: 'urgent', reason: 'urgent: hearing tomorrow' } });
    expect(await takeNext(alice)).toMatchObject({ data: { enquiryId: fromIntake.id, reason: 'urgent: sent as urgent' } });
    expect(await takeNext(alice)).toMatchObject({ data: { enquiryId: plain } });
    const bad = await b.post('/v1/enquiries', { channel: 'web', from: 'x@example.org', text: 'Hi', priority: 'asap' });
    expect(bad.status).toBe(400);
  });
});

describe('transfer', () => {
  it('by the agent holding it and by a supervisor; refused for an agent who does not hold it', async () => {
    const b = await start({});
    const alice = await agent(b.tokens.agent);
    const bob = await agent(b.tokens.agent2);
    const sam = await agent(b.tokens.supervisor);
    const id = await postEnquiry(b.url, b.tokens.intake);
    await send(alice, { type: 'claim', enquiryId: id });
    const refused = await send(bob, { type: 'transfer', enquiryId: id, toAgent: 'bob' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(refused.error.message).toContain('held by alice');
    expect((await send(alice, { type: 'transfer', enquiryId: id, toAgent: 'carys' })).ok).toBe(true);
    expect((await send(sam, { type: 'transfer', enquiryId: id, toAgent: 'bob' })).ok).toBe(true);
    const moves = await sam.waitFor(() => {
      const m = sam.events().filter((e) => e.event.type === 'enquiry.transferred');
      return m.length === 2 && m;
    }, 'both transfers');
    expect(moves.map((e: any) => [e.actor.name, e.event.fromAgent, e.event.toAgent])).toEqual([
      ['alice', 'alice', 'carys'],
      ['sam', 'carys', 'bob'],
    ]);
    // A supervisor releases anyone's.
    expect((await send(sam, { type: 'release', enquiryId: id })).ok).toBe(true);
  });
});
