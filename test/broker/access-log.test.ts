// The access log against a real broker: every way of opening an enquiry's whole conversation (the
// socket's open, GET, courtdesk show) records who, which, how, why and when in the journal, before
// the conversation is given; routine queue summaries record nothing; only roles that may read the
// access log see its records; and the broker reads them back through GET /v1/access-log.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerOptions } from '../../src/broker/broker-options.js';
import { addToken } from '../../src/broker/tokens.js';
import { emptyState } from '../../src/domain/enquiry.js';
import { applyEvent } from '../../src/domain/reducer.js';
import { FaultyFiles } from '../helpers/faulty-files.js';
import { BIN, makeTokens, postEnquiry, RawAgent, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

let t: TestBroker | undefined;
let dataDir: string | undefined;
let auditor: string;
const agents: RawAgent[] = [];

afterEach(async () => {
  for (const a of agents.splice(0)) a.close();
  await t?.close();
  t = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function start(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  dataDir = await tempDir();
  const tokens = await makeTokens(dataDir);
  auditor = await addToken(dataDir, { name: 'audrey', role: 'auditor' });
  t = await startTestBroker(options, { dataDir, tokens });
  return t;
}

async function agentFor(token: string, query = ''): Promise<RawAgent> {
  const agent = await RawAgent.connect(t!.url, token, query);
  agents.push(agent);
  await agent.welcome();
  return agent;
}

let refs = 0;
const ref = () => `r${++refs}`;

/** The access records in the journal file, as written. */
async function accessRecords(): Promise<any[]> {
  const text = await readFile(join(t!.dataDir, 'journal.ndjson'), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
    .filter((r) => r.event.type === 'enquiry.accessed');
}

function get(path: string, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t!.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

/** Runs the real binary against the in-process broker (asynchronously: the broker shares this process). */
function courtdesk(args: string[], token: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--broker', t!.url, '--token', token], { env: { ...process.env, COURTDESK_BROKER: '', COURTDESK_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('opening a conversation on the agent socket', () => {
  it('records who, which, how, why and when before the conversation arrives, once per socket and reason', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const alice = await agentFor(t!.tokens.agent);
    const before = Date.now();
    const ack = await alice.command({ type: 'open', ref: ref(), enquiryId: id, reason: '  The customer rang about it  ' });
    expect(ack).toMatchObject({ ok: true, seq: null, enquiry: { id, messages: [{ author: 'customer' }] } });
    // On disk by the time the conversation arrived.
    const [first] = await accessRecords();
    expect(first).toMatchObject({
      actor: { kind: 'agent', name: 'alice' },
      event: { type: 'enquiry.accessed', enquiryId: id, by: 'alice', role: 'agent', via: 'workbench', reason: 'The customer rang about it' },
    });
    expect(first.ref).toBeUndefined();
    expect(Date.parse(first.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(first.at)).toBeLessThanOrEqual(Date.now());

    // The same open on the same socket is the same access; another reason, or another client, is not.
    await alice.command({ type: 'open', ref: ref(), enquiryId: id, reason: 'The customer rang about it' });
    expect(await accessRecords()).toHaveLength(1);
    await alice.command({ type: 'open', ref: ref(), enquiryId: id, reason: 'Checking the reply went' });
    await alice.command({ type: 'open', ref: ref(), enquiryId: id });
    await alice.command({ type: 'open', ref: ref(), enquiryId: id });
    expect((await accessRecords()).map((r) => r.event.reason ?? null)).toEqual(['The customer rang about it', 'Checking the reply went', null]);
    const again = await agentFor(t!.tokens.agent);
    await again.command({ type: 'open', ref: ref(), enquiryId: id });
    expect(await accessRecords()).toHaveLength(4);
    // A refused open records nothing.
    expect(await alice.command({ type: 'open', ref: ref(), enquiryId: 'ENOSUCH1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await alice.command({ type: 'open', ref: ref(), enquiryId: id, via: 'api' })).toMatchObject({ ok: false, error: { code: 'BAD_FIELD' } });
    expect(await accessRecords()).toHaveLength(4);
  });

  it('gives the access records only to roles that may read the access log: others get record.withheld at the same seq', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const [sam, audrey, bob] = [await agentFor(t!.tokens.supervisor), await agentFor(auditor), await agentFor(t!.tokens.agent2)];
    const before = (await bob.welcome()).seq;
    const alice = await agentFor(t!.tokens.agent);
    await alice.command({ type: 'open', ref: ref(), enquiryId: id, reason: 'Complaint' });
    await alice.command({ type: 'claim', ref: ref(), enquiryId: id });
    const [record] = await accessRecords();
    for (const reader of [sam, audrey]) {
      const seen = await reader.waitFor(() => reader.events().find((e) => e.seq === record.seq), 'the access record');
      expect(seen.event).toEqual(record.event);
    }
    await bob.waitFor(() => bob.events().some((e) => e.event.type === 'enquiry.claimed'), 'the claim after it');
    const bobs = bob.events();
    expect(bobs.map((e) => e.seq)).toEqual([before + 1, before + 2]);
    const { type: _frame, ...withheld } = bobs[0];
    expect(withheld).toEqual({ seq: record.seq, at: record.at, actor: { kind: 'system', name: 'courtdesk' }, event: { type: 'record.withheld' } });
    expect(JSON.stringify(bob.frames)).not.toContain('Complaint');

    // A resumed agent is caught up the same way.
    const epoch = (await bob.welcome()).epoch;
    const resumed = await agentFor(t!.tokens.agent2, `?epoch=${epoch}&after=${before}`);
    expect((await resumed.welcome()).resumed).toBe(true);
    await resumed.waitFor(() => resumed.events().length === 2, 'the catch-up');
    expect(resumed.events()[0].event).toEqual({ type: 'record.withheld' });
  });
});

describe('GET /v1/enquiries/{id}', () => {
  it('records every role that reads it, as via api, with the reason from X-Access-Reason', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const reason = 'Gwirio dyddiad y gwrandawiad — ŵ';
    for (const token of [t!.tokens.agent, t!.tokens.supervisor, auditor, t!.tokens.intake]) {
      expect((await get(`/v1/enquiries/${id}`, token, { 'x-access-reason': encodeURIComponent(reason) })).status).toBe(200);
    }
    expect((await accessRecords()).map((r) => [r.actor.kind, r.event.by, r.event.role, r.event.via, r.event.reason])).toEqual([
      ['agent', 'alice', 'agent', 'api', reason],
      ['supervisor', 'sam', 'supervisor', 'api', reason],
      ['auditor', 'audrey', 'auditor', 'api', reason],
      ['intake', 'webform', 'intake', 'api', reason],
    ]);
    // Every GET is a read: there is no session to fold repeats into.
    await get(`/v1/enquiries/${id}`, t!.tokens.intake);
    expect((await accessRecords()).at(-1).event).toEqual({ type: 'enquiry.accessed', enquiryId: id, by: 'webform', role: 'intake', via: 'api' });
  });

  it('records nothing for an unknown enquiry or an unreadable reason, and reads nothing either', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    expect((await get('/v1/enquiries/ENOSUCH1', t!.tokens.agent)).status).toBe(404);
    const bad = await get(`/v1/enquiries/${id}`, t!.tokens.agent, { 'x-access-reason': '100%' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({ code: 'BAD_ACCESS_REASON', message: expect.stringContaining('encodeURIComponent') });
    expect(await accessRecords()).toEqual([]);
  });
});

describe('while the journal cannot write', () => {
  it('refuses to open or GET a conversation, since the read could not be recorded, and records it once it can', async () => {
    const files = new FaultyFiles();
    await start({ journalFiles: files, journalProbeMs: 50 });
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const alice = await agentFor(t!.tokens.agent);
    files.failAll(['write'], 'ENOSPC');
    const refused = await alice.command({ type: 'open', ref: 'o1', enquiryId: id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'JOURNAL_UNAVAILABLE' } });
    expect(refused.enquiry).toBeUndefined();
    const got = await get(`/v1/enquiries/${id}`, t!.tokens.agent);
    expect(got.status).toBe(503);
    expect(((await got.json()) as any).error.code).toBe('JOURNAL_UNAVAILABLE');
    files.clear();
    for (let tries = 0; (await fetch(`${t!.url}/healthz`)).status !== 200; tries++) {
      if (tries > 200) throw new Error('the journal did not come back');
      await new Promise((r) => setTimeout(r, 25));
    }
    alice.frames.splice(0);
    expect(await alice.command({ type: 'open', ref: 'o1', enquiryId: id })).toMatchObject({ ok: true, enquiry: { id } });
    expect(await accessRecords()).toHaveLength(1);
  });
});

describe('what is not an access', () => {
  it('records nothing for welcome snapshots, event broadcasts, held conversations or courtdesk queue', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const alice = await agentFor(t!.tokens.agent);
    await alice.command({ type: 'claim', ref: ref(), enquiryId: id });
    await alice.command({ type: 'reply', ref: ref(), enquiryId: id, text: 'Your hearing is on 3 March.' });
    // Alice's welcome carries the conversation she holds in full; the others' carry summaries.
    const back = await agentFor(t!.tokens.agent);
    expect((await back.welcome()).snapshot.enquiries[0].messages).toHaveLength(2);
    await agentFor(t!.tokens.supervisor);
    await agentFor(auditor);
    const queue = await courtdesk(['queue', '--json'], t!.tokens.supervisor);
    expect(queue.code).toBe(0);
    expect(JSON.parse(queue.stdout).map((e: { id: string }) => e.id)).toEqual([id]);
    expect(await accessRecords()).toEqual([]);
  });
});

describe('courtdesk show', () => {
  it('records the access as via show, with --reason', async () => {
    await start();
    const id = await postEnquiry(t!.url, t!.tokens.intake);
    const shown = await courtdesk(['show', id, '--reason', 'Disclosure request 2026/14'], auditor);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('When is my hearing?');
    expect((await accessRecords()).map((r) => r.event)).toEqual([
      { type: 'enquiry.accessed', enquiryId: id, by: 'audrey', role: 'auditor', via: 'show', reason: 'Disclosure request 2026/14' },
    ]);
  });
});

describe('GET /v1/access-log', () => {
  it('lists the accesses, oldest first, filtered by enquiry and agent, the latest `limit` of them', async () => {
    await start();
    const [one, two] = [await postEnquiry(t!.url, t!.tokens.intake), await postEnquiry(t!.url, t!.tokens.intake, { from: 'b@example.org' })];
    await get(`/v1/enquiries/${one}`, t!.tokens.agent, { 'x-access-reason': 'first' });
    await get(`/v1/enquiries/${two}`, t!.tokens.agent);
    await get(`/v1/enquiries/${one}`, t!.tokens.supervisor);
    const log = async (query: string, token = auditor) => (await (await get(`/v1/access-log${query}`, token)).json()) as any;

    const all = await log('');
    expect(all.matched).toBe(3);
    expect(all.accesses.map((a: any) => [a.enquiryId, a.by, a.via])).toEqual([[one, 'alice', 'api'], [two, 'alice', 'api'], [one, 'sam', 'api']]);
    expect(all.accesses[0]).toEqual({ seq: expect.any(Number), at: expect.any(String), enquiryId: one, by: 'alice', role: 'agent', via: 'api', reason: 'first' });
    expect((await log(`?enquiry=${one}`)).accesses.map((a: any) => a.by)).toEqual(['alice', 'sam']);
    expect((await log('?agent=alice')).accesses.map((a: any) => a.enquiryId)).toEqual([one, two]);
    expect((await log(`?enquiry=${one}&agent=alice`, t!.tokens.supervisor)).accesses).toHaveLength(1);
    expect(await log('?limit=1')).toMatchObject({ matched: 3, accesses: [{ enquiryId: one, by: 'sam' }] });
    // Reading the log is not itself an access.
    expect(await accessRecords()).toHaveLength(3);
  });

  it('refuses roles that may not read it, unknown parameters and a bad limit', async () => {
    await start();
    const forbidden = await get('/v1/access-log', t!.tokens.agent);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as any).error.message).toBe(
      'This is an agent token, which may not read the access log; only supervisor or auditor tokens may, so use a token with one of those roles.',
    );
    const typo = await get('/v1/access-log?enquiryId=E1', auditor);
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as any).error.message).toContain('Unknown parameter "enquiryId"');
    expect((await get('/v1/access-log?limit=0', auditor)).status).toBe(400);
  });
});

describe('the fold', () => {
  it('changes nothing but the seq for an access or a withheld record', () => {
    const state = emptyState();
    applyEvent(state, { seq: 1, at: '2026-11-22T09:00:00.000Z', event: { type: 'enquiry.received', enquiryId: 'E1', messageId: 'M1', channel: 'web', from: 'a@example.org', name: null, text: 'hi', language: 'en', callbackUrl: null } });
    const before = JSON.stringify([...state.enquiries.values()]);
    applyEvent(state, { seq: 2, at: '2026-11-22T09:01:00.000Z', actor: { kind: 'auditor', name: 'audrey' }, event: { type: 'enquiry.accessed', enquiryId: 'E1', by: 'audrey', role: 'auditor', via: 'api' } });
    applyEvent(state, { seq: 3, at: '2026-11-22T09:02:00.000Z', event: { type: 'record.withheld' } });
    expect(JSON.stringify([...state.enquiries.values()])).toBe(before);
    expect(state.seq).toBe(3);
  });
});
