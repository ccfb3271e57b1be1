// Events gathered over a turn of the loop go out as one frame per socket: still every event, in
// seq order, each once, before the ack of the command that made it; and a client resumes from a
// seq in the middle of such a frame. A real broker on port 0 and raw sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawAgent, postEnquiry, startTestBroker, type TestBroker } from '../helpers/broker.js';

let t: TestBroker;
const agents: RawAgent[] = [];

beforeEach(async () => {
  t = await startTestBroker();
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.close();
  await t.close();
});

async function agent(token: string, query = ''): Promise<RawAgent> {
  const a = await RawAgent.connect(t.url, token, query);
  agents.push(a);
  return a;
}

/** Posts `count` enquiries at once, so their commits land close together. */
async function burst(count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => postEnquiry(t.url, t.tokens.intake, { from: `burst${i}@example.org` })));
}

async function brokerSeq(): Promise<number> {
  return ((await (await fetch(`${t.url}/healthz`)).json()) as { seq: number }).seq;
}

function seqs(a: RawAgent): number[] {
  return a.events().map((e) => e.seq as number);
}

describe('coalesced fan-out', () => {
  it('sends several commits in one frame, every event once and in seq order', async () => {
    const alice = await agent(t.tokens.agent);
    const sam = await agent(t.tokens.supervisor);
    const start = (await alice.welcome()).seq as number;
    let multi = false;
    for (let round = 0; round < 20 && !multi; round++) {
      await burst(40);
      multi = alice.frames.some((f) => f.type === 'events' && f.events.length > 1);
    }
    const last = await brokerSeq();
    for (const a of [alice, sam]) {
      await a.waitFor(() => seqs(a).at(-1) === last, 'every event');
      expect(seqs(a)).toEqual(Array.from({ length: last - start }, (_, i) => start + 1 + i));
    }
    expect(multi).toBe(true);
  });

  it('sends a command’s events before its ack, whatever waits for the end of the turn', async () => {
    const alice = await agent(t.tokens.agent);
    await alice.welcome();
    const [id] = await burst(1);
    await alice.waitFor(() => alice.events().some((e) => e.event.enquiryId === id), 'the enquiry');
    const posting = burst(20);
    const ack = await alice.command({ type: 'claim', ref: 'c1', enquiryId: id });
    await posting;
    expect(ack.ok).toBe(true);
    const ackAt = alice.frames.indexOf(ack);
    const eventAt = alice.frames.findIndex((f) => (f.type === 'event' ? [f] : f.type === 'events' ? f.events : []).some((e: { seq: number }) => e.seq === ack.seq));
    expect(eventAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeLessThan(ackAt);
  });

  it('resumes from a seq inside a coalesced frame with nothing lost or repeated', async () => {
    const alice = await agent(t.tokens.agent);
    const { epoch } = await alice.welcome();
    let frame: { events: Array<{ seq: number }> } | undefined;
    for (let round = 0; round < 20 && !frame; round++) {
      await burst(40);
      frame = alice.frames.find((f) => f.type === 'events' && f.events.length > 2);
    }
    expect(frame).toBeDefined();
    const middle = frame!.events[1]!.seq;
    alice.close();
    await burst(5);
    const again = await agent(t.tokens.agent, `?epoch=${epoch}&after=${middle}`);
    expect(await again.welcome()).toMatchObject({ resumed: true, seq: middle });
    const last = await brokerSeq();
    await again.waitFor(() => seqs(again).at(-1) === last, 'the events after the resume point');
    expect(seqs(again)).toEqual(Array.from({ length: last - middle }, (_, i) => middle + 1 + i));
  });
});
