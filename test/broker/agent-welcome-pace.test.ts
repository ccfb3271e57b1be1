// A big queue over a slow link: the welcome goes at the client's pace, is not counted against the
// live backlog limit, and what happens meanwhile follows it in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FileJournalStore } from '../../src/broker/journal/file-store.js';
import { createBrokerClient } from '../../src/client/broker-client.js';
import { makeTokens, postEnquiry, RawAgent, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire-client.js';

const OPEN = 20_000;
const RECENT = 50;
let t: TestBroker;

/** A journal of OPEN waiting enquiries, E0 to E19999, written as the broker writes one. */
async function seedJournal(dataDir: string): Promise<void> {
  const store = new FileJournalStore({ dir: dataDir });
  await store.open(() => undefined);
  for (let i = 0; i < OPEN; i += 1000) {
    store.append(
      Array.from({ length: 1000 }, (_, j) => ({
        actor: { kind: 'intake' as const, name: 'webform' },
        event: {
          type: 'enquiry.received' as const,
          enquiryId: `E${i + j}`,
          messageId: `M${i + j}`,
          channel: 'web' as const,
          from: `caller${i + j}@example.org`,
          name: 'Siân Ŵyn',
          text: `Enquiry ${i + j}: I have a hearing about claim 305JE126 and need to know the time and what to bring.`,
          language: 'en' as const,
          callbackUrl: null,
        },
      })),
    );
  }
  await store.close();
}

beforeAll(async () => {
  const dataDir = await tempDir();
  const tokens = await makeTokens(dataDir);
  await seedJournal(dataDir);
  // About 10 MB of welcome against a 1 MiB live backlog limit: the proportion of a 100,000-enquiry
  // queue (50 MB) to the default 8 MiB, at a size a test can send in a few seconds. A short
  // history in memory (RECENT events) lets a stalled welcome fall behind it.
  t = await startTestBroker({ maxBufferedBytes: 1024 * 1024, recentEvents: RECENT }, { dataDir, tokens });
});
afterAll(async () => {
  await t.close();
});

describe('the welcome on a slow link', () => {
  it('arrives whole at 4 MB/s, with what happened meanwhile after it, and the socket stays up', async () => {
    const wire = await WireClient.connect(t.url, t.tokens.agent);
    wire.pace(4_000_000);
    await wire.waitFor(() => wire.bytesRead > 1_000_000, 'the welcome to be under way');
    expect(wire.messages).toHaveLength(0);

    // While it is still coming: someone claims an enquiry, a new one arrives, and this client
    // sends a command of its own.
    const bob = await RawAgent.connect(t.url, t.tokens.agent2);
    await bob.welcome();
    expect(await bob.command({ type: 'claim', ref: 'bob-1', enquiryId: 'E0' })).toMatchObject({ ok: true });
    const arrived = await postEnquiry(t.url, t.tokens.intake, { from: 'meanwhile@example.org' });
    wire.send({ type: 'presence', ref: 'alice-1', state: 'away' });

    const welcome = await wire.waitFor(() => wire.messages.find((m) => m.type === 'welcome'), 'the whole welcome', 20_000);
    expect(wire.framesRead).toBeGreaterThan(100); // one message, sent in fragments
    expect(welcome).toMatchObject({ seq: OPEN, resumed: false });
    expect(welcome.snapshot.enquiries).toHaveLength(OPEN);
    // The snapshot is the queue as of its seq, though the state moved on while it was sent.
    expect(welcome.snapshot.enquiries.find((e: { id: string }) => e.id === 'E0').claimedBy).toBeNull();
    expect(welcome.snapshot.enquiries.some((e: { id: string }) => e.id === arrived)).toBe(false);

    const ack = await wire.waitFor(() => wire.messages.find((m) => m.ref === 'alice-1'), 'the presence ack');
    expect(ack).toMatchObject({ ok: true });
    const events = wire.events();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => OPEN + 1 + i));
    expect(events.map((e) => e.event.type)).toEqual(['enquiry.claimed', 'enquiry.received', 'agent.presence']);
    // Its event came before its ack, as everywhere else.
    expect(wire.messages.findIndex((m) => m.type === 'event' && m.seq === ack.seq)).toBeLessThan(wire.messages.indexOf(ack));

    // Live from here on.
    const later = await postEnquiry(t.url, t.tokens.intake, { from: 'later@example.org' });
    await wire.waitFor(() => wire.events().some((e) => e.event.enquiryId === later), 'a live event');
    expect(wire.closeCode).toBeNull();
    expect(wire.gone).toBe(false);
    wire.destroy();
    bob.close();
  });

  it('reaches a ws client reading in bursts, and the broker client, as one welcome', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/v1/agent`, { headers: { authorization: `Bearer ${t.tokens.welsh}` }, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    const tcp = () => (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    const welcome = new Promise<any>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    await new Promise((resolve) => ws.once('open', resolve));
    // Reads 20 ms in every 100.
    let bursting = true;
    const bursts = setInterval(() => {
      tcp().resume();
      setTimeout(() => bursting && tcp().pause(), 20);
    }, 100);
    try {
      expect((await welcome).snapshot.enquiries.length).toBeGreaterThanOrEqual(OPEN);
    } finally {
      bursting = false;
      clearInterval(bursts);
      // Reading again, so the close handshake can finish.
      tcp().resume();
      ws.close();
    }

    const client = createBrokerClient({ url: t.url, token: t.tokens.supervisor });
    try {
      await client.ready();
      expect(client.state.enquiries.size).toBeGreaterThanOrEqual(OPEN);
      expect(client.state.enquiries.get('E1')?.preview).toContain('Enquiry 1:');
    } finally {
      await client.close();
    }
  });

  it('waits for a client that stops reading mid-welcome, and gives it everything when it reads again', async () => {
    const wire = await WireClient.connect(t.url, t.tokens.supervisor);
    wire.stopReading();
    const before = (await (await fetch(`${t.url}/healthz`)).json()) as { seq: number };
    // Live events meanwhile are not queued for it (they wait in the broker's history), so a
    // stalled welcome is not cut as a slow consumer however much happens.
    for (let i = 0; i < 20; i++) await postEnquiry(t.url, t.tokens.intake, { from: `stalled${i}@example.org`, text: 'word '.repeat(700) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(wire.gone).toBe(false);

    wire.resumeReading();
    const welcome = await wire.waitFor(() => wire.messages.find((m) => m.type === 'welcome'), 'the welcome');
    expect(welcome.seq).toBe(before.seq);
    await wire.waitFor(() => wire.events().length === 20, 'the twenty events after it');
    expect(wire.events().map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => before.seq + 1 + i));
    expect(wire.closeCode).toBeNull();
    wire.destroy();
  });

  it('cuts a client whose welcome took so long that the events after it are gone, and it starts afresh', async () => {
    const wire = await WireClient.connect(t.url, t.tokens.supervisor);
    wire.stopReading();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < RECENT * 2; i++) await postEnquiry(t.url, t.tokens.intake, { from: `behind${i}@example.org` });
    wire.resumeReading();
    const welcome = await wire.waitFor(() => wire.messages.find((m) => m.type === 'welcome'), 'the welcome');
    // Rather than leave a gap, the broker closes: the client resumes and is told to start afresh.
    expect(await wire.waitFor(() => wire.closeCode, 'the close')).toBe(4008);
    expect(wire.events()).toHaveLength(0);
    wire.destroy();
    const again = await WireClient.connect(t.url, t.tokens.supervisor, `?epoch=${welcome.epoch}&after=${welcome.seq}`);
    const fresh = await again.waitFor(() => again.messages.find((m) => m.type === 'welcome'), 'a fresh welcome');
    expect(fresh).toMatchObject({ resumed: false, seq: welcome.seq + RECENT * 2 });
    again.destroy();
  });
});
