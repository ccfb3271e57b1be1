// The compact welcome (?snapshot=rows) against a real broker over real sockets: summaries as rows,
// held enquiries whole, a conversation fetched when opened, and the object form still there.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient, BrokerClientOptions } from '../../src/client/types.js';
import { SUMMARY_COLUMNS, SUMMARY_PREVIEW_LENGTH } from '../../src/protocol/snapshot.js';
import { postEnquiryAnswer, RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { until } from './helpers.js';

let desk: TestBroker;
const clients: BrokerClient[] = [];
const LONG = 'My hearing about claim 305JE126 is listed for next Tuesday at the county court. Which room do I go to?';

beforeEach(async () => {
  desk = await startTestBroker();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await desk.close();
});

const TOKEN_OF = { alice: 'agent', bob: 'agent2' } as const;

function postEnquiry(from: string, text: string) {
  return postEnquiryAnswer(desk.url, desk.tokens.intake, { from, text });
}

function connect(agent: keyof typeof TOKEN_OF, extra: Partial<BrokerClientOptions> = {}): BrokerClient {
  const client = createBrokerClient({ url: desk.url, token: desk.tokens[TOKEN_OF[agent]], minReconnectDelayMs: 20, maxReconnectDelayMs: 200, ...extra });
  clients.push(client);
  return client;
}

describe('the compact welcome', () => {
  it('carries summaries as rows and held enquiries whole; the client fetches a conversation when it opens one', async () => {
    const waiting = await postEnquiry('litigant-1@example.com', LONG);
    const held = await postEnquiry('litigant-2@example.com', 'Has my claim form been issued?');
    const bob = connect('bob');
    await bob.ready();
    await bob.send({ type: 'claim', enquiryId: held.id });

    const raw = await RawAgent.connect(desk.url, desk.tokens.agent2, '?snapshot=rows');
    const welcome = await raw.welcome();
    raw.close();
    expect(welcome.snapshot.summaries.columns).toEqual([...SUMMARY_COLUMNS]);
    expect(welcome.snapshot.summaries.rows.map((r: unknown[]) => r[0])).toEqual([waiting.id]);
    expect(welcome.snapshot.enquiries.map((e: { id: string; messages: unknown[] }) => [e.id, e.messages.length])).toEqual([[held.id, 1]]);

    const alice = connect('alice');
    await alice.ready();
    const summary = alice.state.enquiries.get(waiting.id)!;
    expect(summary).toMatchObject({ status: 'waiting', from: 'litigant-1@example.com', messages: [], messagesLoaded: false, messageCount: 1 });
    expect(summary.preview).toBe(`${LONG.slice(0, SUMMARY_PREVIEW_LENGTH - 1)}…`);
    expect(alice.state.enquiries.get(held.id)).toMatchObject({ claimedBy: 'bob', messagesLoaded: false });

    const whole = await alice.open(waiting.id);
    expect(whole.messages.map((m) => m.text)).toEqual([LONG]);
    expect(whole.messagesLoaded).toBe(true);
    await until(alice, () => alice.state.enquiries.get(waiting.id)?.messagesLoaded === true, 'the opened conversation is in the state');
    expect(alice.state.enquiries.get(waiting.id)!.messages).toHaveLength(1);
  });

  it('reads as the object form does, but for the cut preview; scripts keep the object form', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await postEnquiry(`person${i}@example.org`, `${LONG} (${i})`)).id);
    const rows = connect('alice');
    const objects = connect('alice', { summaries: 'objects' });
    await Promise.all([rows.ready(), objects.ready()]);
    for (const id of ids) {
      const fromObjects = objects.state.enquiries.get(id)!;
      expect(fromObjects.preview.length).toBeGreaterThan(SUMMARY_PREVIEW_LENGTH);
      expect(rows.state.enquiries.get(id)).toEqual({ ...fromObjects, preview: `${fromObjects.preview.slice(0, SUMMARY_PREVIEW_LENGTH - 1)}…` });
    }
  });
});
