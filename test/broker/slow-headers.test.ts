// A client that dribbles its headers must not hold a connection for long. Node enforces
// headersTimeout only when it looks (every connectionsCheckingInterval, 30 s by default), so with
// the 10 s limit such a connection lived 30 s; the broker now looks often enough for the limit to
// hold. Here the limit is 1.5 s so the tests run fast; raw sockets on a real broker.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

const LIMIT_MS = 1500;
/** The limit, plus one look at the connections (a quarter of it), plus room for a busy machine. */
const CLOSED_WITHIN_MS = 4000;

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker({ headersTimeoutMs: LIMIT_MS });
});
afterAll(async () => {
  await t.close();
});

interface Ended {
  /** Milliseconds from `from` (default: connecting) until the broker closed the connection. */
  afterMs: number;
  answer: string;
}

/** Opens a raw connection, writes `first` at once, then `dribble` one byte every 500 ms until the broker closes it. */
function dribble(first: string, bytes: string): Promise<Ended> & { socket: Socket; mark(): void } {
  const socket = connect(t.broker.port, '127.0.0.1');
  let from = Date.now();
  let answer = '';
  const done = new Promise<Ended>((resolve) => {
    let i = 0;
    const timer = bytes === '' ? undefined : setInterval(() => socket.destroyed || socket.write(bytes[i++ % bytes.length]!), 500);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - from, answer });
    });
    socket.on('connect', () => {
      from = Date.now();
      if (first !== '') socket.write(first);
    });
  });
  return Object.assign(done, { socket, mark: () => void (from = Date.now()) });
}

const SLOW_HEADERS = `Host: broker\r\nX-Slow: ${'z'.repeat(100)}`;

// Concurrent: each waits on the clock, not the CPU.
describe.concurrent('a client sending its headers too slowly', () => {
  it('is answered 408 and closed soon after the limit, on an HTTP route', async () => {
    const ended = await dribble('', `GET /healthz HTTP/1.1\r\n${SLOW_HEADERS}`);
    expect(ended.afterMs).toBeGreaterThanOrEqual(LIMIT_MS - 100);
    expect(ended.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
    expect(ended.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('likewise on the websocket upgrade', async () => {
    const ended = await dribble('', `GET /v1/agent HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n${SLOW_HEADERS}`);
    expect(ended.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
    expect(ended.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('likewise when it sends nothing at all', async () => {
    const ended = await dribble('', '');
    expect(ended.afterMs).toBeGreaterThanOrEqual(LIMIT_MS - 100);
    expect(ended.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it('likewise for the second request on a kept-alive connection', async () => {
    const conn = dribble('GET /healthz HTTP/1.1\r\nHost: broker\r\n\r\n', `GET /healthz HTTP/1.1\r\n${SLOW_HEADERS}`);
    await new Promise<void>((resolve) => conn.socket.once('data', () => resolve()));
    conn.mark();
    const ended = await conn;
    expect(ended.answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 408 /);
    expect(ended.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it('leaves a client that is slow but within the limit alone', async () => {
    const socket = connect(t.broker.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const piece of ['GET /healthz HTTP/1.1\r\n', 'Host: broker\r\n', 'Connection: close\r\n\r\n']) {
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
