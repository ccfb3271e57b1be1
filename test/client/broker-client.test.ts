// The client against a real broker on port 0 in a temp folder, over real sockets.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeToken } from '../../src/broker/tokens.js';
import { BrokerCommandError, createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient, BrokerClientOptions, CommandOutcome, CommandOutcomeReport, ConnectionStatus } from '../../src/client/types.js';
import { brokerSeq, getEnquiry, postEnquiryAnswer, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { closedPort } from '../helpers/ports.js';
import { until } from './helpers.js';

let t: TestBroker;
const clients: BrokerClient[] = [];

beforeEach(async () => {
  t = await startTestBroker();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.close();
});

/** Posts an enquiry from `from` saying `text`; intake's answer. */
const post = (from: string, text: string) => postEnquiryAnswer(t.url, t.tokens.intake, { from, text });
const enquiryText = async (id: string, author: string) =>
  ((await getEnquiry(t.url, t.tokens.intake, id)) as { messages: Array<{ author: string; text: string }> }).messages.filter((m) => m.author === author).map((m) => m.text);

function connect(agent: 'alice' | 'bob', extra: Partial<BrokerClientOptions> = {}): BrokerClient {
  const client = createBrokerClient({
    url: t.url,
    token: agent === 'alice' ? t.tokens.agent : t.tokens.agent2,
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** What two clients should agree on about the queue, whatever each one saw of the conversations. */
function queueView(client: BrokerClient): Array<[string, string, string | null, number]> {
  return [...client.state.enquiries.values()]
    .map((e) => [e.id, e.status, e.claimedBy, e.messageCount] as [string, string, string | null, number])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

describe('connecting', () => {
  it('is welcomed with a snapshot and sees an enquiry posted over HTTP', async () => {
    const before = await post('litigant-1@example.com', 'When is my hearing?');
    const alice = connect('alice');
    await alice.ready();
    expect(alice.connection).toEqual({ state: 'connected' });
    expect(alice.agent).toEqual({ name: 'alice', role: 'agent', languages: ['en'] });
    expect(alice.epoch).toBe(t.broker.epoch);
    expect([...alice.state.enquiries.keys()]).toEqual([before.id]);

    const versionBefore = alice.version;
    const after = await post('07700900123', 'Has my claim form been issued? 305JE126');
    await until(alice, () => alice.state.enquiries.has(after.id), 'the new enquiry arrives');
    const enquiry = alice.state.enquiries.get(after.id)!;
    expect(enquiry.status).toBe('waiting');
    expect(enquiry.messages.map((m) => m.text)).toEqual(['Has my claim form been issued? 305JE126']);
    expect(alice.version).toBeGreaterThan(versionBefore);
    expect(alice.state.seq).toBe(await brokerSeq(t.url));
  });

  it('takes a welcome far larger than the 64 KiB commands are held to (a busy queue)', async () => {
    const text = 'I am writing about my hearing next week and the papers I sent. '.repeat(3);
    await Promise.all(Array.from({ length: 600 }, (_, i) => post(`busy-${i}@example.org`, text)));
    const alice = connect('alice');
    await alice.ready();
    expect(alice.state.enquiries.size).toBe(600);
    expect(alice.connection).toEqual({ state: 'connected' });
  });

  it('accepts the broker URL written as ws://', async () => {
    const alice = connect('alice', { url: t.url.replace('http://', 'ws://') });
    await alice.ready();
    expect(alice.connection.state).toBe('connected');
  });

  it('notifies subscribers once per frame, not once per event', async () => {
    const alice = connect('alice');
    await alice.ready();
    const { id } = await post('a@example.com', 'Hello');
    await until(alice, () => alice.state.enquiries.has(id), 'the enquiry arrives');
    // claim + reply + tag: each command is one frame of events; count notifications against seq advances.
    let notifications = 0;
    const stop = alice.subscribe(() => notifications++);
    const seqBefore = alice.state.seq;
    await alice.send({ type: 'claim', enquiryId: id });
    stop();
    const advanced = alice.state.seq - seqBefore;
    expect(advanced).toBeGreaterThanOrEqual(1);
    // One for the pending change (queued), one for the ack (pending emptied), at most one per event frame.
    expect(notifications).toBeLessThanOrEqual(2 + advanced);
    expect(notifications).toBeGreaterThanOrEqual(2);
  });
});

describe('commands', () => {
  it('claims and replies, and state already shows each when its ack resolves', async () => {
    const { id } = await post('a@example.com', 'Can I change my hearing date?');
    const alice = connect('alice');
    await alice.ready();

    const claim = await alice.send({ type: 'claim', enquiryId: id });
    expect(claim).toMatchObject({ ok: true });
    expect(claim.ok && claim.seq).toBeGreaterThan(0);
    expect(alice.state.enquiries.get(id)!.claimedBy).toBe('alice');

    const reply = await alice.send({ type: 'reply', enquiryId: id, text: 'You can apply on form N244.' });
    expect(reply.ok).toBe(true);
    const enquiry = alice.state.enquiries.get(id)!;
    expect(enquiry.messages.at(-1)).toMatchObject({ author: 'agent', agent: 'alice', text: 'You can apply on form N244.' });
    expect(enquiry.status).toBe('awaiting-customer');
    expect(alice.pending).toEqual([]);
  });

  it('resolves a refused command with the broker error, without throwing', async () => {
    const { id } = await post('a@example.com', 'Hello');
    const alice = connect('alice');
    await alice.ready();
    const outcome = await alice.send({ type: 'reply', enquiryId: id, text: 'Hi' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('NOT_HOLDER');
    expect(alice.pending).toEqual([]);
  });

  it('refuses a malformed command itself, so it never enters the outbox', async () => {
    const alice = connect('alice');
    await alice.ready();
    const outcome = await alice.send({ type: 'reply', enquiryId: 'no spaces allowed', text: 'Hi' });
    expect(outcome).toEqual({ ok: false, error: { code: 'BAD_FIELD', message: expect.stringMatching(/"enquiryId" must be an id/) } });
    expect(alice.pending).toEqual([]);
  });

  it('decides a race for one enquiry: one client wins, the other gets ALREADY_CLAIMED', async () => {
    const { id } = await post('a@example.com', 'Urgent: bailiffs tomorrow');
    const alice = connect('alice');
    const bob = connect('bob');
    await Promise.all([alice.ready(), bob.ready()]);
    const [a, b] = await Promise.all([alice.send({ type: 'claim', enquiryId: id }), bob.send({ type: 'claim', enquiryId: id })]);
    const outcomes = [a, b];
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const lost = outcomes.find((o) => !o.ok);
    expect(lost && !lost.ok && lost.error.code).toBe('ALREADY_CLAIMED');
    const winner = a.ok ? 'alice' : 'bob';
    await until(bob, () => bob.state.enquiries.get(id)?.claimedBy === winner, 'bob sees the winner');
    await until(alice, () => alice.state.enquiries.get(id)?.claimedBy === winner, 'alice sees the winner');
  });

  it('opens an enquiry whose conversation the snapshot left out', async () => {
    const { id } = await post('a@example.com', 'First message');
    const res = await fetch(`${t.url}/v1/enquiries/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.intake}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Second message' }),
    });
    expect(res.status).toBe(201);
    const bob = connect('bob');
    await bob.ready();
    expect(bob.state.enquiries.get(id)).toMatchObject({ messagesLoaded: false, messages: [], messageCount: 2 });

    const version = bob.version;
    const opened = await bob.open(id);
    expect(opened.messages.map((m) => m.text)).toEqual(['First message', 'Second message']);
    expect(bob.state.enquiries.get(id)).toBe(opened);
    expect(bob.version).toBeGreaterThan(version);

    // Events after the open fold onto the whole conversation.
    await fetch(`${t.url}/v1/enquiries/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.intake}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Third message' }),
    });
    await until(bob, () => bob.state.enquiries.get(id)!.messageCount === 3, 'the third message arrives');
    expect(bob.state.enquiries.get(id)!.messages.map((m) => m.text)).toEqual(['First message', 'Second message', 'Third message']);
  });

  it('rejects open for an enquiry that does not exist, with the broker code', async () => {
    const alice = connect('alice');
    await alice.ready();
    const err = await alice.open('NOPE123').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerCommandError);
    expect((err as BrokerCommandError).code).toBe('NOT_FOUND');
  });
});

describe('drops and restarts', () => {
  it('resumes after every socket is cut mid-stream: no event lost or repeated', async () => {
    const alice = connect('alice');
    await alice.ready();
    const state = alice.state;
    const seqs: number[] = [];
    const statuses: ConnectionStatus['state'][] = [];
    alice.subscribe(() => {
      if (seqs.at(-1) !== alice.state.seq) seqs.push(alice.state.seq);
      if (statuses.at(-1) !== alice.connection.state) statuses.push(alice.connection.state);
    });

    // Intake keeps posting until every drop has happened, so each drop cuts a live stream.
    const posted: string[] = [];
    let dropsDone = false;
    const stream = (async () => {
      for (let i = 0; !dropsDone || i < 10; i++) {
        const batch = await Promise.all([0, 1, 2].map((j) => post(`caller-${i}-${j}@example.com`, `Enquiry ${i}.${j}`)));
        posted.push(...batch.map((b) => b.id));
      }
    })();
    const reconnects = () => statuses.filter((s) => s === 'reconnecting').length;
    try {
      for (let drop = 0; drop < 4; drop++) {
        await until(
          alice,
          () => alice.connection.state === 'connected' && reconnects() === drop && alice.state.enquiries.size >= 20 * (drop + 1),
          `alice is connected after ${drop} drops and receiving`,
        );
        t.broker.dropAllSockets();
        await until(alice, () => reconnects() === drop + 1, `alice notices drop ${drop + 1}`);
      }
    } finally {
      dropsDone = true;
      await stream;
    }
    const finalSeq = await brokerSeq(t.url);
    await until(alice, () => alice.connection.state === 'connected' && alice.state.seq === finalSeq, 'alice catches up with the broker');

    // Resumed every time: the state object was never replaced by a snapshot.
    expect(alice.state).toBe(state);
    expect(reconnects()).toBe(4);
    // Seq only ever went up, and every posted enquiry arrived once with its one message.
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(alice.state.enquiries.size).toBe(posted.length);
    for (const id of posted) expect(alice.state.enquiries.get(id)?.messages).toHaveLength(1);

    const fresh = connect('bob');
    await fresh.ready();
    expect(fresh.state.seq).toBe(alice.state.seq);
    expect(queueView(alice)).toEqual(queueView(fresh));
  });

  it('delivers each command exactly once, in order, when sockets are cut while they are in flight', async () => {
    const { id } = await post('a@example.com', 'Please confirm receipt');
    const alice = connect('alice');
    await alice.ready();
    expect((await alice.send({ type: 'claim', enquiryId: id })).ok).toBe(true);

    const texts = ['one', 'two', 'three', 'four', 'five'].map((t) => `Reply ${t}`);
    const outcomes = texts.map((text) => alice.send({ type: 'reply', enquiryId: id, text }));
    t.broker.dropAllSockets();
    const settled = await Promise.all(outcomes);
    expect(settled.every((o) => o.ok)).toBe(true);

    const agentTexts = await enquiryText(id, 'agent');
    expect(agentTexts).toEqual(texts);
    expect(alice.state.enquiries.get(id)!.messages.filter((m) => m.author === 'agent').map((m) => m.text)).toEqual(texts);
  });

  it('keeps a reply sent while the broker is down and delivers it once when a broker is back on the same data', async () => {
    const { id } = await post('a@example.com', 'Is the court open on Friday?');
    const alice = connect('alice');
    await alice.ready();
    expect((await alice.send({ type: 'claim', enquiryId: id })).ok).toBe(true);

    let reply: Promise<CommandOutcome> | undefined;
    await t.restart(async () => {
      await until(alice, () => alice.connection.state === 'reconnecting', 'alice notices the broker is gone');
      const status = alice.connection;
      expect(status.state === 'reconnecting' && status.lastError).toMatch(/1001|connection dropped|ECONNREFUSED/);

      reply = alice.send({ type: 'reply', enquiryId: id, text: 'Yes, from 10am to 4pm.' });
      expect(alice.pending.map((p) => p.command.type)).toEqual(['reply']);
      // Let it fail to connect a few times before the broker returns.
      await until(alice, () => alice.connection.state === 'reconnecting' && alice.connection.attempt >= 3, 'a few attempts fail');
    });
    const outcome = await reply!;
    expect(outcome.ok).toBe(true);
    expect(alice.connection).toEqual({ state: 'connected' });
    expect(alice.pending).toEqual([]);

    const agentTexts = await enquiryText(id, 'agent');
    expect(agentTexts).toEqual(['Yes, from 10am to 4pm.']);
  });

  it('sends what an earlier process left in its outbox file exactly once', async () => {
    const dir = await tempDir('courtdesk-client-');
    try {
      const outboxFile = join(dir, 'courtdesk', 'outbox.json');
      const { id } = await post('a@example.com', 'I sent my defence by post, did it arrive?');
      const first = connect('alice', { outboxFile });
      await first.ready();
      expect((await first.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
      await first.close();

      // Offline: the broker is somewhere this client cannot reach.
      const offline = connect('alice', { outboxFile, url: `http://127.0.0.1:${await closedPort()}` });
      const unsent = offline.send({ type: 'reply', enquiryId: id, text: 'Yes, it arrived on Tuesday.' });
      await until(offline, () => offline.connection.state === 'reconnecting', 'the offline client fails to connect');
      await offline.close();
      const closed = await unsent;
      expect(closed).toEqual({ ok: false, error: { code: 'CLIENT_CLOSED', message: expect.stringContaining(outboxFile) } });
      const onDisk = JSON.parse(await readFile(outboxFile, 'utf8')) as { pending: Array<{ command: { type: string; text: string } }> };
      expect(onDisk.pending.map((p) => p.command)).toMatchObject([{ type: 'reply', text: 'Yes, it arrived on Tuesday.' }]);

      const reports: CommandOutcomeReport[] = [];
      const later = connect('alice', { outboxFile });
      later.onOutcome!((r) => reports.push(r));
      expect(later.pending.map((p) => p.command.type)).toEqual(['reply']);
      await until(later, () => later.pending.length === 0, 'the restored reply is acknowledged');
      expect(reports).toMatchObject([{ restored: true, command: { type: 'reply' }, outcome: { ok: true } }]);
      await later.close();
      expect(JSON.parse(await readFile(outboxFile, 'utf8')).pending).toEqual([]);

      // A third start finds nothing to send.
      const third = connect('alice', { outboxFile });
      await third.ready();
      expect(third.pending).toEqual([]);
      const agentTexts = await enquiryText(id, 'agent');
      expect(agentTexts).toEqual(['Yes, it arrived on Tuesday.']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('refusal', () => {
  it('stops for good when the token is wrong, with a clear message', async () => {
    const client = createBrokerClient({ url: t.url, token: 'cdt_not-a-real-token', minReconnectDelayMs: 10, maxReconnectDelayMs: 20 });
    clients.push(client);
    const err = await client.ready().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/did not accept this token \(HTTP 401\)\. Send "Authorization: Bearer <token>"/);
    expect(client.connection).toEqual({ state: 'refused', error: (err as Error).message });
    expect((err as Error).message).not.toContain('cdt_not-a-real-token');

    const version = client.version;
    // Several backoff periods later, nothing has tried again.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.version).toBe(version);
    expect(client.connection.state).toBe('refused');
    const outcome = await client.send({ type: 'claim', enquiryId: 'E1' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    expect(client.pending).toEqual([]);
  });

  it('refuses an intake token on the agent socket', async () => {
    const client = createBrokerClient({ url: t.url, token: t.tokens.intake });
    clients.push(client);
    await expect(client.ready()).rejects.toThrow(/does not allow this connection \(HTTP 403\)\. This is an intake token, which may not open the agent websocket/);
  });

  it('stops for good when its token is revoked while connected (close 4001)', async () => {
    const alice = connect('alice');
    await alice.ready();
    await revokeToken(t.dataDir, 'alice');
    await until(alice, () => alice.connection.state === 'refused', 'the revoked client is refused');
    expect(alice.connection).toEqual({ state: 'refused', error: expect.stringMatching(/revoked this token \(close 4001\)/) });
  });
});
