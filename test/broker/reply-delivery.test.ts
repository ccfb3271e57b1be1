import { createHmac, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackSender } from '../../src/broker/callback-sender.js';
import type { ReplySender } from '../../src/broker/reply-delivery.js';
import { postEnquiry, RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';

const SECRET = 'test-callback-secret';

interface Receiver {
  url: string;
  /** From now on, accept every request. */
  accept(): void;
  received: Array<{ body: any; signature: string; valid: boolean }>;
  server: Server;
}

/** A real HTTP receiver that answers `failures` requests with 503 before accepting. */
async function receiver(failures: number): Promise<Receiver> {
  const received: Receiver['received'] = [];
  let seen = 0;
  let refuse = failures;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (seen <= refuse) {
        res.writeHead(503).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString();
      const signature = String(req.headers['x-courtdesk-signature']);
      const match = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(signature);
      const expected = match ? createHmac('sha256', SECRET).update(`${match[1]}.${raw}`).digest() : Buffer.alloc(32);
      const valid = !!match && timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
      received.push({ body: JSON.parse(raw), signature, valid });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/replies`,
    received,
    server,
    accept: () => {
      refuse = 0;
    },
  };
}

let t: TestBroker | undefined;
let r: Receiver | undefined;
afterEach(async () => {
  await t?.close();
  r?.server.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('reply delivery to a callback URL', () => {
  it('retries a receiver that fails twice, then delivers once, signed, recording each outcome', async () => {
    r = await receiver(2);
    t = await startTestBroker({ callbackSecret: SECRET, acknowledgeEnquiries: false, deliveryBaseDelayMs: 20, deliveryMaxDelayMs: 100 });
    const id = await postEnquiry(t.url, t.tokens.intake, { callbackUrl: r.url });
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    await agent.command({ type: 'claim', ref: 'c', enquiryId: id });
    const ack = await agent.command({ type: 'reply', ref: 'r', enquiryId: id, text: 'Your hearing is on 3 March at 10am.' });
    expect(ack.ok).toBe(true);
    await agent.waitFor(() => agent.events().find((e) => e.event.type === 'reply.delivery' && e.event.state === 'delivered'), 'delivered');
    await new Promise((res) => setTimeout(res, 200)); // any duplicate would arrive by now
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.valid).toBe(true);
    expect(r.received[0]!.body).toMatchObject({ type: 'reply', enquiryId: id, text: 'Your hearing is on 3 March at 10am.', agent: 'alice' });
    const outcomes = agent.events().filter((e) => e.event.type === 'reply.delivery').map((e) => [e.event.state, e.event.attempts]);
    expect(outcomes).toEqual([
      ['pending', 1],
      ['pending', 2],
      ['delivered', 3],
    ]);
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { messages: Array<{ delivery?: { state: string } }> };
    expect(enquiry.messages[1]!.delivery).toMatchObject({ state: 'delivered', attempts: 3 });
    agent.close();
  });

  it('resumes an undelivered reply after a restart and delivers it once', async () => {
    r = await receiver(Number.POSITIVE_INFINITY); // refusing everything for now
    t = await startTestBroker({ callbackSecret: SECRET, acknowledgeEnquiries: false, deliveryBaseDelayMs: 60_000, deliveryMaxDelayMs: 60_000 });
    const id = await postEnquiry(t.url, t.tokens.intake, { callbackUrl: r.url });
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    await agent.command({ type: 'claim', ref: 'c', enquiryId: id });
    await agent.command({ type: 'reply', ref: 'r', enquiryId: id, text: 'We have your documents.' });
    await agent.waitFor(() => agent.events().some((e) => e.event.type === 'reply.delivery'), 'a failed attempt');
    agent.close();
    const { dataDir, tokens } = t;
    await t.broker.close(); // stop, keeping the data folder
    r.accept(); // the receiver recovers while the broker is down

    t = await startTestBroker({ callbackSecret: SECRET, acknowledgeEnquiries: false }, { dataDir, tokens });
    await until(() => r!.received.length === 1, 'the resumed delivery');
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.body.text).toBe('We have your documents.');
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { messages: Array<{ delivery?: { state: string; attempts: number } }> };
    expect(enquiry.messages[1]!.delivery).toMatchObject({ state: 'delivered', attempts: 2 });
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('callbackSender', () => {
  it('ends a request at once when it is aborted (the broker stopped waiting), closing its connection', async () => {
    let arrived = false;
    let closed = false;
    // A receiver that never answers.
    const server = createServer((req) => {
      arrived = true;
      req.socket.on('close', () => (closed = true));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const [enquiry, message] = [
        { id: 'E1', callbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/replies` },
        { id: 'M1', text: 'Your hearing is on Monday.', agent: 'alice', at: '2026-11-23T10:00:00.000Z' },
      ] as unknown as Parameters<ReplySender>;
      const abort = new AbortController();
      const sending = callbackSender(SECRET)(enquiry, message, abort.signal);
      await until(() => arrived, 'the request at the receiver');
      const begun = Date.now();
      abort.abort();
      expect(await sending).toMatchObject({ ok: false, temporary: true });
      expect(Date.now() - begun).toBeLessThan(500);
      await until(() => closed, 'the connection to close');
    } finally {
      server.close();
    }
  });
});
