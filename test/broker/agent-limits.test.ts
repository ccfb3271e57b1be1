// Limits on what one token or one socket may take of the broker: sockets and command rates.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Asks for the agent socket and returns the HTTP answer when it is not an upgrade. */
function refusedUpgrade(url: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/agent`, {
      headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('the upgrade was accepted'));
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sockets per token', () => {
  it('refuses a token its ninth socket with 429 and why, and takes one again once a socket has closed', async () => {
    t = await startTestBroker();
    const open = await Promise.all(Array.from({ length: 8 }, () => RawAgent.connect(t!.url, t!.tokens.agent)));
    await Promise.all(open.map((a) => a.welcome()));

    const refused = await refusedUpgrade(t.url, t.tokens.agent);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_SOCKETS', message: expect.stringMatching(/already has 8 .*Close another/) });
    // Another token is not affected.
    const bob = await RawAgent.connect(t.url, t.tokens.agent2);
    await bob.welcome();

    open[0]!.close();
    await open[0]!.closed();
    const again = await RawAgent.connect(t.url, t.tokens.agent);
    expect(await again.welcome()).toMatchObject({ type: 'welcome' });
    for (const a of [...open.slice(1), bob, again]) a.close();
  });

  it('takes any number when the limit is 0', async () => {
    t = await startTestBroker({ maxSocketsPerToken: 0 });
    const open = await Promise.all(Array.from({ length: 12 }, () => RawAgent.connect(t!.url, t!.tokens.agent)));
    await Promise.all(open.map((a) => a.welcome()));
    for (const a of open) a.close();
  });
});
