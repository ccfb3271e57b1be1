// A real broker over real sockets whose journal's disk fails on cue: what intake, agents, GET and
// /healthz see while it cannot write, that nothing refused is ever shown or kept, and that it comes
// back by itself when the disk does.
import { afterEach, describe, expect, it } from 'vitest';
import { FaultyFiles } from '../helpers/faulty-files.js';
import { postEnquiry, RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { createBrokerClient } from '../../src/client/broker-client.js';
import { connectionText } from '../../src/workbench/format.js';

const brokers: TestBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close().catch(() => {});
});

async function start(files: FaultyFiles, reuse?: TestBroker): Promise<TestBroker> {
  const b = await startTestBroker({ journalFiles: files, journalProbeMs: 50 }, reuse && { dataDir: reuse.dataDir, tokens: reuse.tokens });
  brokers.push(b);
  return b;
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const enquiry = { channel: 'web', from: 'dee@example.org', text: 'Has the court received my defence?' };

describe('a broker whose disk is full', () => {
  it('answers 503 with Retry-After, shows nothing it refused, reports degraded, and recovers by itself', async () => {
    const files = new FaultyFiles();
    const b = await start(files);
    const kept = await postEnquiry(b.url, b.tokens.intake);
    const agent = await RawAgent.connect(b.url, b.tokens.agent);
    await agent.welcome();

    files.failAll(['write'], 'ENOSPC');
    const refused = await b.post('/v1/enquiries', enquiry);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('JOURNAL_UNAVAILABLE');
    expect(body.error.message).toMatch(/cannot write to its journal .*ENOSPC.*Nothing of this request was recorded; retry after 5 s/);

    // A follow-up and an agent's command: refused, and not in the state either.
    const followUp = await b.post(`/v1/enquiries/${kept}/messages`, { text: 'Any news?' });
    expect(followUp.status).toBe(503);
    const claim = await agent.command({ type: 'claim', ref: 'c1', enquiryId: kept });
    expect(claim).toMatchObject({ ok: false, error: { code: 'JOURNAL_UNAVAILABLE' } });
    // Reading the whole enquiry is recorded in the access log first, so it is refused too.
    expect((await b.get(`/v1/enquiries/${kept}`)).status).toBe(503);

    const health = await fetch(`${b.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, journal: 'degraded', reason: expect.stringMatching(/ENOSPC/) });

    // Space comes back: no restart needed, and the same ref goes through.
    files.clear();
    await until(async () => (await fetch(`${b.url}/healthz`)).status === 200);
    const seen = (await (await b.get(`/v1/enquiries/${kept}`)).json()) as { claimedBy: string | null; messages: unknown[] };
    expect(seen.claimedBy).toBeNull();
    expect(seen.messages).toHaveLength(1);
    agent.frames.splice(0); // so the wait finds the new answer, not the refusal
    expect(await agent.command({ type: 'claim', ref: 'c1', enquiryId: kept })).toMatchObject({ ok: true });
    const after = await postEnquiry(b.url, b.tokens.intake);
    await b.broker.close();

    // Nothing refused came back; everything acknowledged is there.
    const again = await start(new FaultyFiles(), b);
    expect((await again.get(`/v1/enquiries/${kept}`)).status).toBe(200);
    expect((await again.get(`/v1/enquiries/${after}`)).status).toBe(200);
    const reread = (await (await again.get(`/v1/enquiries/${kept}`)).json()) as { messages: unknown[]; claimedBy: string };
    expect(reread.messages).toHaveLength(1);
    expect(reread.claimedBy).toBe('alice');
    const watcher = await RawAgent.connect(again.url, again.tokens.agent2);
    const welcome = await watcher.welcome();
    expect(welcome.snapshot.enquiries.map((e: { id: string }) => e.id).sort()).toEqual([kept, after].sort());
  });

  it('never shows a GET what a failing write is about to take back', async () => {
    const files = new FaultyFiles();
    const b = await start(files);
    const id = await postEnquiry(b.url, b.tokens.intake);
    // The write of the follow-up is slow and then fails; a GET arriving meanwhile must not see it.
    files.fail('write', 'EIO', { delayMs: 150 });
    const followUp = b.post(`/v1/enquiries/${id}/messages`, { text: 'A message that will not be kept' });
    await new Promise((r) => setTimeout(r, 30));
    const during = await b.get(`/v1/enquiries/${id}`);
    expect((await followUp).status).toBe(503);
    expect(during.status).toBe(503);
    await until(async () => (await fetch(`${b.url}/healthz`)).status === 200);
    const after = (await (await b.get(`/v1/enquiries/${id}`)).json()) as { messages: Array<{ text: string }> };
    expect(after.messages.map((m) => m.text)).not.toContain('A message that will not be kept');
  });

  it('survives SIGTERM-style close and new connections while degraded', async () => {
    const files = new FaultyFiles();
    const b = await start(files);
    await postEnquiry(b.url, b.tokens.intake);
    files.failAll(['write'], 'ENOSPC');
    expect((await b.post('/v1/enquiries', enquiry)).status).toBe(503);
    const late = await RawAgent.connect(b.url, b.tokens.agent);
    expect((await late.welcome()).snapshot.enquiries).toHaveLength(1);
    await b.broker.close();
    const again = await start(new FaultyFiles(), b);
    expect((await (await RawAgent.connect(again.url, again.tokens.agent)).welcome()).snapshot.enquiries).toHaveLength(1);
  });
});

describe('a broker whose fsync fails', () => {
  it('stops itself, and a restart on the same folder loses nothing acknowledged', async () => {
    const files = new FaultyFiles();
    const b = await start(files);
    const ids = [await postEnquiry(b.url, b.tokens.intake), await postEnquiry(b.url, b.tokens.intake)];
    files.fail('datasync', 'EIO', { path: 'journal.ndjson' });
    const refused = await b.post('/v1/enquiries', enquiry);
    expect(refused.status).toBe(503);
    expect(await b.broker.failed).toMatch(/syncing .*journal\.ndjson failed \(EIO/);
    expect(b.logs.join('\n')).toMatch(/stopping: the journal can no longer be trusted/);

    const again = await start(new FaultyFiles(), b);
    for (const id of ids) expect((await again.get(`/v1/enquiries/${id}`)).status).toBe(200);
    const watcher = await RawAgent.connect(again.url, again.tokens.agent);
    expect((await watcher.welcome()).snapshot.enquiries).toHaveLength(2);
  });
});

describe('an agent on a broker whose disk fills up', () => {
  it('is told the broker is degraded, keeps the reply it typed, and sees it go through when the disk does', async () => {
    const files = new FaultyFiles();
    const b = await start(files);
    const id = await postEnquiry(b.url, b.tokens.intake);
    const client = createBrokerClient({ url: b.url, token: b.tokens.agent });
    try {
      await client.ready();
      expect((await client.send({ type: 'claim', enquiryId: id })).ok).toBe(true);

      files.failAll(['write'], 'ENOSPC');
      const reply = client.send({ type: 'reply', enquiryId: id, text: 'Your defence arrived on Monday.' });
      await waitUntil(() => client.connection.state === 'connected' && Boolean(client.connection.degraded));
      expect(client.pending.map((p) => p.command.type)).toEqual(['reply']); // kept, not failed
      expect(connectionText(client.connection, client.pending.length, Date.now()).text).toBe('broker degraded: cannot save, holding 1');

      files.clear();
      expect(await reply).toMatchObject({ ok: true });
      await waitUntil(() => client.connection.state === 'connected' && !client.connection.degraded);
      const seen = (await (await b.get(`/v1/enquiries/${id}`)).json()) as { messages: Array<{ text: string }> };
      expect(seen.messages.map((m) => m.text)).toEqual(['When is my hearing?', 'Your defence arrived on Monday.']);
    } finally {
      await client.close();
    }
  });
});

async function waitUntil(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
