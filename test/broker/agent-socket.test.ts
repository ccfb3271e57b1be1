import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { revokeToken } from '../../src/broker/tokens.js';
import { postEnquiry, RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';

let t: TestBroker;
beforeEach(async () => {
  t = await startTestBroker();
});
afterEach(async () => {
  await t.close();
});

describe('agent websocket', () => {
  it('refuses a missing, wrong or intake token at the upgrade with 401/403 and no frame', async () => {
    await expect(RawAgent.connect(t.url, 'cdt_wrong')).rejects.toThrow('HTTP 401');
    await expect(RawAgent.connect(t.url, '')).rejects.toThrow('HTTP 401');
    await expect(RawAgent.connect(t.url, t.tokens.intake)).rejects.toThrow('HTTP 403');
  });

  it('welcomes with agent, epoch, seq and a snapshot of summaries', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.welsh);
    const welcome = await agent.welcome();
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, agent: { name: 'carys', role: 'agent', languages: ['en', 'cy'] }, seq: 1, resumed: false });
    expect(welcome.epoch).toEqual(expect.any(String));
    expect(welcome.snapshot.enquiries).toHaveLength(1);
    expect(welcome.snapshot.enquiries[0]).toMatchObject({ id, status: 'waiting', messages: [], messagesLoaded: false, preview: 'When is my hearing?' });
    agent.close();
  });

  it('works an enquiry: claim, reply, tag, note, close, reopen; open returns the conversation', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    const steps = [
      { type: 'claim', ref: 'r1', enquiryId: id },
      { type: 'reply', ref: 'r2', enquiryId: id, text: 'Your hearing is listed for 3 March.' },
      { type: 'tag', ref: 'r3', enquiryId: id, caseNumber: '305je126' },
      { type: 'note', ref: 'r4', enquiryId: id, text: 'Checked the listing.' },
      { type: 'close', ref: 'r5', enquiryId: id },
      { type: 'reopen', ref: 'r6', enquiryId: id },
    ];
    let lastSeq = 1;
    for (const step of steps) {
      const ack = await agent.command(step);
      expect(ack, step.type).toMatchObject({ ok: true });
      expect(ack.seq).toBeGreaterThan(lastSeq);
      lastSeq = ack.seq;
    }
    const opened = await agent.command({ type: 'open', ref: 'r7', enquiryId: id });
    expect(opened.enquiry).toMatchObject({ id, caseNumbers: ['305JE126'], status: 'awaiting-customer', claimedBy: null });
    expect(opened.enquiry.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'agent', 'note']);
    // Every change reached the socket as an event, in order, with no gap; the open's access record
    // reaches an agent withheld (only supervisors and auditors read the access log).
    const seqs = agent.events().map((e) => e.seq);
    expect(seqs).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(agent.events().at(-1).event).toEqual({ type: 'record.withheld' });
    agent.close();
  });

  it('answers a repeated ref with the original outcome and applies it once', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    await agent.command({ type: 'claim', ref: 'c', enquiryId: id });
    const reply = { type: 'reply', ref: 'same-ref', enquiryId: id, text: 'Thank you, we are checking.' };
    agent.ws.send(JSON.stringify(reply));
    agent.ws.send(JSON.stringify(reply));
    await agent.waitFor(() => agent.frames.filter((f) => f.type === 'ack' && f.ref === 'same-ref').length === 2, 'two acks');
    const acks = agent.frames.filter((f) => f.type === 'ack' && f.ref === 'same-ref');
    expect(acks[0]).toEqual(acks[1]);
    const replies = agent.events().filter((e) => e.event.type === 'enquiry.replied');
    expect(replies).toHaveLength(1);
    agent.close();
  });

  it('lets exactly one of fifty agents win a claim race', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const names = Array.from({ length: 50 }, (_, i) => `racer${i}`);
    const { addToken } = await import('../../src/broker/tokens.js');
    const tokens = [];
    for (const name of names) tokens.push(await addToken(t.dataDir, { name, role: 'agent' }));
    await new Promise((r) => setTimeout(r, 1200)); // the broker polls the token file
    const agents = await Promise.all(tokens.map((tok) => RawAgent.connect(t.url, tok)));
    await Promise.all(agents.map((a) => a.welcome()));
    const acks = await Promise.all(agents.map((a, i) => a.command({ type: 'claim', ref: `race-${i}`, enquiryId: id })));
    expect(acks.filter((a) => a.ok)).toHaveLength(1);
    const losers = acks.filter((a) => !a.ok);
    expect(losers).toHaveLength(49);
    for (const l of losers) expect(l.error.code).toBe('ALREADY_CLAIMED');
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { claimedBy: string };
    expect(names[acks.findIndex((a) => a.ok)]).toBe(enquiry.claimedBy);
    for (const a of agents) a.close();
  });

  it('refuses work on an enquiry the agent does not hold, with a reason', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const alice = await RawAgent.connect(t.url, t.tokens.agent);
    const bob = await RawAgent.connect(t.url, t.tokens.agent2);
    await Promise.all([alice.welcome(), bob.welcome()]);
    await alice.command({ type: 'claim', ref: 'a1', enquiryId: id });
    const refused = await bob.command({ type: 'reply', ref: 'b1', enquiryId: id, text: 'Hello' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_HOLDER' } });
    const supervisor = await RawAgent.connect(t.url, t.tokens.supervisor);
    await supervisor.welcome();
    expect(await supervisor.command({ type: 'transfer', ref: 's1', enquiryId: id, toAgent: 'bob' })).toMatchObject({ ok: true });
    expect(await bob.command({ type: 'reply', ref: 'b2', enquiryId: id, text: 'Hello' })).toMatchObject({ ok: true });
    for (const a of [alice, bob, supervisor]) a.close();
  });

  it('answers malformed frames with an error naming the problem and keeps the connection', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    agent.ws.send('{not json');
    agent.ws.send(JSON.stringify({ type: 'fly', ref: 'x1' }));
    agent.ws.send(JSON.stringify({ type: 'claim' }));
    agent.ws.send(JSON.stringify({ type: 'reply', ref: 'x2', enquiryId: 'E1', text: 7 }));
    await agent.waitFor(() => agent.frames.filter((f) => f.type === 'error' || f.type === 'ack').length === 4, 'four answers');
    const answers = agent.frames.filter((f) => f.type !== 'welcome');
    expect(answers.map((f) => f.error.code)).toEqual(['BAD_JSON', 'UNKNOWN_COMMAND', 'BAD_REF', 'BAD_FIELD']);
    expect(answers[3].error.message).toContain('"text"');
    const ok = await agent.command({ type: 'presence', ref: 'p1', state: 'away' });
    expect(ok.ok).toBe(true);
    agent.close();
  });

  it('closes an oversized frame instead of reading it', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    agent.ws.send(JSON.stringify({ type: 'note', ref: 'big', enquiryId: 'E1', text: 'z'.repeat(70 * 1024) }));
    expect(await agent.closed()).toBe(1009);
  });

  it('closes a revoked token’s sockets with 4001', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    await revokeToken(t.dataDir, 'alice');
    expect(await agent.closed()).toBe(4001);
    await expect(RawAgent.connect(t.url, t.tokens.agent)).rejects.toThrow('HTTP 401');
  });

  it('resumes after every socket is killed mid-stream with no event lost or repeated', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    const welcome = await agent.welcome();
    let posted = 0;
    const stream = (async () => {
      for (let i = 0; i < 120; i++) {
        await postEnquiry(t.url, t.tokens.intake, { from: `user${i}@example.org` });
        posted++;
      }
    })();
    await agent.waitFor(() => agent.events().length >= 20, 'some events');
    t.broker.dropAllSockets();
    await agent.closed();
    const seen = agent.events();
    const lastSeq = seen[seen.length - 1].seq;
    const resumed = await RawAgent.connect(t.url, t.tokens.agent, `?epoch=${welcome.epoch}&after=${lastSeq}`);
    const again = await resumed.welcome();
    expect(again).toMatchObject({ resumed: true, seq: lastSeq });
    expect(again.snapshot).toBeUndefined();
    await stream;
    await resumed.waitFor(() => resumed.events().at(-1)?.seq === posted, 'every event');
    const all = [...seen, ...resumed.events()].map((e) => e.seq);
    expect(all).toEqual(Array.from({ length: posted }, (_, i) => i + 1));
    resumed.close();
  });

  it('sends a fresh snapshot to a client holding another epoch', async () => {
    await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.agent, '?epoch=someone-elses&after=1');
    const welcome = await agent.welcome();
    expect(welcome.resumed).toBe(false);
    expect(welcome.snapshot.enquiries).toHaveLength(1);
    agent.close();
  });

  it('cuts off a consumer that stops reading (4008) and lets it resume', async () => {
    await t.close();
    t = await startTestBroker({ maxBufferedBytes: 64 * 1024 });
    const slow = new WebSocket(`${t.url.replace('http', 'ws')}/v1/agent`, { headers: { authorization: `Bearer ${t.tokens.agent}` } });
    await new Promise((resolve) => slow.once('open', resolve));
    // Stop reading from the TCP socket: the broker's send buffer for this client fills up.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    // Enough to fill the kernel's socket buffers on loopback, after which the broker's own buffer grows.
    const big = 'word '.repeat(790);
    const total = 3000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) await postEnquiry(t.url, t.tokens.intake, { text: big, from: `u${next++}` });
      }),
    );
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([4008, 1006]).toContain(await closed);
    const back = await RawAgent.connect(t.url, t.tokens.agent);
    expect((await back.welcome()).snapshot.enquiries).toHaveLength(total);
    back.close();
  });

  it('drops a peer that stops answering pings', async () => {
    await t.close();
    t = await startTestBroker({ heartbeatMs: 100 });
    const silent = new WebSocket(`${t.url.replace('http', 'ws')}/v1/agent`, { headers: { authorization: `Bearer ${t.tokens.agent}` }, autoPong: false });
    const code = await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
  });
});
