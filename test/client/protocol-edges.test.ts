// What the real broker does not do on purpose but a network or a future broker may: gaps,
// duplicates, error frames, silence, other protocol versions. A scripted websocket peer on a real
// socket plays the broker's side frame by frame.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient, BrokerClientOptions } from '../../src/client/types.js';
import type { EventEntry } from '../../src/protocol/frames.js';
import { until } from './helpers.js';

interface Conn {
  ws: WebSocket;
  url: string;
  authorization: string | undefined;
  /** Frames the client sent, parsed. */
  received: Array<Record<string, unknown>>;
  closed: Promise<{ code: number }>;
  /** Resolves when the client has sent `n` frames in all. */
  frames(n: number): Promise<Array<Record<string, unknown>>>;
  send(frame: unknown): void;
}

class ScriptedBroker {
  readonly server: WebSocketServer;
  private waiting: Array<(c: Conn) => void> = [];
  private arrived: Conn[] = [];
  /** Statuses to refuse the next upgrades with, in order. */
  refuseWith: number[] = [];
  connections = 0;

  private constructor(autoPong: boolean) {
    this.server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      perMessageDeflate: false,
      autoPong,
      verifyClient: (_info, done) => {
        this.connections++;
        const status = this.refuseWith.shift();
        if (status) done(false, status, 'scripted refusal');
        else done(true);
      },
    });
    this.server.on('connection', (ws, req: IncomingMessage) => {
      const received: Array<Record<string, unknown>> = [];
      const watchers: Array<() => void> = [];
      ws.on('message', (data) => {
        received.push(JSON.parse(data.toString()) as Record<string, unknown>);
        for (const w of watchers.splice(0)) w();
      });
      const conn: Conn = {
        ws,
        url: req.url ?? '',
        authorization: req.headers.authorization,
        received,
        closed: new Promise((resolve) => ws.on('close', (code) => resolve({ code }))),
        frames: (n) =>
          new Promise((resolve) => {
            const check = () => (received.length >= n ? resolve(received.slice(0, n)) : watchers.push(check));
            check();
          }),
        send: (frame) => ws.send(JSON.stringify(frame)),
      };
      const waiter = this.waiting.shift();
      if (waiter) waiter(conn);
      else this.arrived.push(conn);
    });
  }

  static async start(autoPong = true): Promise<ScriptedBroker> {
    const peer = new ScriptedBroker(autoPong);
    await new Promise<void>((resolve) => peer.server.once('listening', () => resolve()));
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  next(): Promise<Conn> {
    const ready = this.arrived.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const agent = { name: 'alice', role: 'agent', languages: ['en'] };
const empty = { enquiries: [], agents: [] };

function welcome(seq: number, epoch = 'E1', snapshot: unknown = empty) {
  return { type: 'welcome', protocol: 1, agent, epoch, seq, resumed: false, snapshot };
}

function resumed(seq: number, epoch = 'E1') {
  return { type: 'welcome', protocol: 1, agent, epoch, seq, resumed: true };
}

function received(seq: number, id = `Q${seq}`): EventEntry {
  return {
    seq,
    at: new Date(Date.UTC(2025, 0, 6, 9, 0, seq)).toISOString(),
    actor: { kind: 'intake', name: 'web-form' },
    event: { type: 'enquiry.received', enquiryId: id, messageId: `M${seq}`, channel: 'web', from: `u${seq}@example.com`, name: null, text: `Enquiry ${seq}`, language: 'en', callbackUrl: null },
  };
}

function claimed(seq: number, id: string): EventEntry {
  return { seq, at: new Date().toISOString(), actor: { kind: 'agent', name: 'alice' }, event: { type: 'enquiry.claimed', enquiryId: id, agent: 'alice' } };
}

let peer: ScriptedBroker;
const clients: BrokerClient[] = [];

beforeEach(async () => {
  peer = await ScriptedBroker.start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await peer.close();
});

function connect(extra: Partial<BrokerClientOptions> & { heartbeatMs?: number } = {}): BrokerClient {
  const client = createBrokerClient({ url: peer.url, token: 'cdt_secret', minReconnectDelayMs: 10, maxReconnectDelayMs: 40, ...extra });
  clients.push(client);
  return client;
}

describe('the socket', () => {
  it('opens /v1/agent with the bearer token', async () => {
    connect();
    const conn = await peer.next();
    expect(conn.url).toBe('/v1/agent?snapshot=rows');
    expect(conn.authorization).toBe('Bearer cdt_secret');
  });

  it('resumes from the last folded seq after the broker closes with 4008 (slow consumer)', async () => {
    const client = connect();
    const first = await peer.next();
    first.send(welcome(5));
    first.send({ type: 'events', events: [received(6), received(7)] });
    await until(client, () => client.state.seq === 7, 'events 6 and 7 are folded');
    first.ws.close(4008, 'slow consumer: reconnect and resume');

    const second = await peer.next();
    expect(second.url).toBe('/v1/agent?snapshot=rows&epoch=E1&after=7');
    const state = client.state;
    second.send(resumed(7));
    second.send({ type: 'event', ...received(8) });
    await until(client, () => client.state.seq === 8, 'event 8 is folded');
    expect(client.state).toBe(state);
    expect([...client.state.enquiries.keys()]).toEqual(['Q6', 'Q7', 'Q8']);
  });

  it('keeps trying when the upgrade fails with a status other than 401 or 403', async () => {
    peer.refuseWith = [503, 502];
    const client = connect();
    const seen: string[] = [];
    client.subscribe(() => {
      const c = client.connection;
      if (c.state === 'reconnecting') seen.push(`${c.attempt}: ${c.lastError}`);
    });
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    expect(seen).toEqual([
      expect.stringMatching(/^1: The broker answered HTTP 503 instead of opening the websocket\.$/),
      expect.stringMatching(/^2: The broker answered HTTP 502/),
    ]);
    expect(peer.connections).toBe(3);
  });

  it('cuts a silent connection and reconnects (heartbeat)', async () => {
    await peer.close();
    peer = await ScriptedBroker.start(false);
    const client = connect({ heartbeatMs: 100 });
    const first = await peer.next();
    first.send(welcome(3));
    await client.ready();
    // The peer answers no ping and sends nothing more.
    const closed = await first.closed;
    expect(closed.code).toBe(1006);
    await until(client, () => client.connection.state === 'reconnecting', 'the client gives up on the silent socket');
    const status = client.connection;
    expect(status.state === 'reconnecting' && status.lastError).toMatch(/did not answer/);
    const second = await peer.next();
    expect(second.url).toBe('/v1/agent?snapshot=rows&epoch=E1&after=3');
  });

  it('closes with 1000 on close() and does not reconnect', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    await client.close();
    expect((await conn.closed).code).toBe(1000);
    expect(client.connection).toEqual({ state: 'closed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.connections).toBe(1);
  });

  it('rejects ready() when closed before any welcome', async () => {
    const client = connect();
    await peer.next();
    await client.close();
    await expect(client.ready()).rejects.toThrow(/closed before the broker welcomed it/);
  });
});

describe('events', () => {
  it('ignores events it has already folded and notifies once per frame', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    let notifications = 0;
    client.subscribe(() => notifications++);
    conn.send({ type: 'events', events: [received(1), received(2), received(3)] });
    await until(client, () => client.state.seq === 3, 'the first frame is folded');
    expect(notifications).toBe(1);
    conn.send({ type: 'events', events: [received(2), received(3), received(4)] });
    conn.send({ type: 'event', ...received(4) });
    conn.send({ type: 'event', ...claimed(5, 'Q1') });
    await until(client, () => client.state.seq === 5, 'the rest is folded');
    // The all-duplicate frame changed nothing and told nobody.
    expect(notifications).toBe(3);
    expect(client.state.enquiries.size).toBe(4);
    expect(client.state.enquiries.get('Q1')!.claimedBy).toBe('alice');
  });

  it('reconnects to resume when events go missing', async () => {
    const client = connect();
    const first = await peer.next();
    first.send(welcome(0));
    first.send({ type: 'event', ...received(1) });
    first.send({ type: 'events', events: [received(2), received(4), received(5)] });
    await first.closed;
    // Folded up to the gap, not past it.
    expect(client.state.seq).toBe(2);
    const second = await peer.next();
    expect(second.url).toBe('/v1/agent?snapshot=rows&epoch=E1&after=2');
    second.send(resumed(2));
    second.send({ type: 'events', events: [received(3), received(4), received(5)] });
    await until(client, () => client.state.seq === 5, 'the missing events are folded');
    expect([...client.state.enquiries.keys()]).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5']);
  });

  it('takes a fresh snapshot when the broker answers a resume with another epoch', async () => {
    const client = connect();
    const first = await peer.next();
    first.send(welcome(0));
    first.send({ type: 'event', ...received(1) });
    await until(client, () => client.state.seq === 1, 'event 1 is folded');
    const before = client.state;
    first.ws.terminate();

    const second = await peer.next();
    expect(second.url).toBe('/v1/agent?snapshot=rows&epoch=E1&after=1');
    second.send(welcome(40, 'E2', empty));
    await until(client, () => client.epoch === 'E2', 'the new epoch is taken');
    expect(client.state).not.toBe(before);
    expect(client.state.seq).toBe(40);
    expect(client.state.enquiries.size).toBe(0);
    second.send({ type: 'event', ...received(41) });
    await until(client, () => client.state.seq === 41, 'events of the new epoch fold');
  });

  it('skips an event type it does not know, says so, and keeps folding', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    conn.send({ type: 'events', events: [received(1), { seq: 2, at: new Date().toISOString(), actor: { kind: 'system', name: 'broker' }, event: { type: 'enquiry.teleported', enquiryId: 'Q1' } }, received(3)] });
    await until(client, () => client.state.seq === 3, 'all three are folded');
    expect(client.lastError).toEqual({ code: 'UNKNOWN_EVENT', message: expect.stringMatching(/seq 2, type "enquiry\.teleported".*update courtdesk/) });
    expect(client.connection.state).toBe('connected');
  });
});

describe('frames from the broker', () => {
  it('surfaces an error frame to subscribers without dropping the connection', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    const version = client.version;
    conn.send({ type: 'error', error: { code: 'BAD_JSON', message: 'The frame is not valid JSON.' } });
    await until(client, () => client.lastError !== null, 'the error is surfaced');
    expect(client.lastError).toEqual({ code: 'BAD_JSON', message: 'The frame is not valid JSON.' });
    expect(client.version).toBeGreaterThan(version);
    expect(client.connection.state).toBe('connected');
  });

  it('reports a frame that is not JSON instead of throwing', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    conn.ws.send('{"type":"event",');
    await until(client, () => client.lastError !== null, 'the bad frame is reported');
    expect(client.lastError?.code).toBe('BAD_SERVER_FRAME');
    expect(client.connection.state).toBe('connected');
  });

  it('reports a frame of a known type without the fields it needs, and acts on nothing in it', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    conn.send({ type: 'event', seq: 'one', event: { type: 'enquiry.received' } });
    await until(client, () => client.lastError !== null, 'the bad frame is reported');
    expect(client.lastError).toEqual({ code: 'BAD_SERVER_FRAME', message: 'The broker sent a "event" frame that has an event with seq "one".' });
    expect(client.state.seq).toBe(0);
    expect(client.connection.state).toBe('connected');
  });

  it("checks a query's answer on arrival: a courts list of the wrong shape is a refusal, not data", async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    await client.ready();
    const bad = client.send({ type: 'list-courts', query: 'bris' });
    const [asked] = await conn.frames(1);
    conn.send({ type: 'ack', ref: asked!.ref, ok: true, seq: null, data: [{ name: 'Bristol', slug: 'bristol' }] });
    const outcome = await bad;
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('BAD_SERVER_FRAME');
    expect(!outcome.ok && outcome.error.message).toMatch(/answer to list-courts .*court 1 needs a name, slug and email/);
    const good = client.send({ type: 'list-courts' });
    const [again] = (await conn.frames(2)).slice(1);
    conn.send({ type: 'ack', ref: again!.ref, ok: true, seq: null, data: [{ name: 'Bristol', slug: 'bristol', email: 'e@justice.gov.uk', welsh: false, unanswered: 2, oldestSince: null }] });
    const answered = await good;
    // Typed by the command: no cast, no parsing by the caller.
    expect(answered.ok && answered.data[0]!.unanswered).toBe(2);
  });

  it('refuses a broker speaking another protocol version', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send({ ...welcome(0), protocol: 2 });
    await expect(client.ready()).rejects.toThrow(/speaks protocol 2 and this courtdesk speaks 1/);
    expect(client.connection.state).toBe('refused');
  });
});

describe('commands on the wire', () => {
  it('holds commands until the welcome, then sends them in order with unique refs', async () => {
    const client = connect();
    const conn = await peer.next();
    void client.send({ type: 'claim', enquiryId: 'Q1' });
    void client.send({ type: 'reply', enquiryId: 'Q1', text: 'Hello' });
    void client.send({ type: 'presence', state: 'away' });
    await new Promise((r) => setTimeout(r, 30));
    expect(conn.received).toEqual([]);
    conn.send(welcome(0));
    const frames = await conn.frames(3);
    expect(frames.map((f) => f.type)).toEqual(['claim', 'reply', 'presence']);
    expect(new Set(frames.map((f) => f.ref)).size).toBe(3);
    for (const f of frames) expect(f.ref).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('resends an unacknowledged command with the same ref after a drop, and resolves once', async () => {
    const client = connect();
    const first = await peer.next();
    first.send(welcome(1));
    const outcome = client.send({ type: 'claim', enquiryId: 'Q1' });
    const [sent] = await first.frames(1);
    first.ws.terminate();

    const second = await peer.next();
    second.send(resumed(1));
    const [again] = await second.frames(1);
    expect(again).toEqual(sent);
    second.send({ type: 'ack', ref: sent!.ref, ok: false, error: { code: 'ALREADY_CLAIMED', message: 'bob has it' } });
    second.send({ type: 'ack', ref: sent!.ref, ok: false, error: { code: 'ALREADY_CLAIMED', message: 'bob has it' } });
    expect(await outcome).toEqual({ ok: false, error: { code: 'ALREADY_CLAIMED', message: 'bob has it' } });
    expect(client.pending).toEqual([]);
  });

  it('resolves an ack only once the event it names is folded', async () => {
    const client = connect();
    const conn = await peer.next();
    conn.send(welcome(0));
    conn.send({ type: 'event', ...received(1, 'Q1') });
    let resolved = false;
    const outcome = client.send({ type: 'claim', enquiryId: 'Q1' }).then((o) => {
      resolved = true;
      return o;
    });
    const [claim] = await conn.frames(1);
    conn.send({ type: 'ack', ref: claim!.ref, ok: true, seq: 2 });
    await until(client, () => client.pending.length === 0, 'the ack is taken');
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    conn.send({ type: 'event', ...claimed(2, 'Q1') });
    expect(await outcome).toEqual({ ok: true, seq: 2 });
    expect(client.state.enquiries.get('Q1')!.claimedBy).toBe('alice');
  });
});
