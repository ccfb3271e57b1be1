// Limits on what one token or one socket may take of the broker: sockets and command rates.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTokens, RawAgent, spawnBroker, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

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

/** Sends `count` presence commands at once (alternating, so each is a real change) and returns their acks. */
async function presenceBurst(agent: RawAgent, count: number, prefix: string): Promise<any[]> {
  for (let i = 0; i < count; i++) agent.ws.send(JSON.stringify({ type: 'presence', ref: `${prefix}-${i}`, state: i % 2 ? 'available' : 'away' }));
  const acks = () => agent.frames.filter((f) => f.type === 'ack' && f.ref.startsWith(`${prefix}-`));
  await agent.waitFor(() => acks().length === count, `${count} acks`);
  return acks();
}

describe('command rates', () => {
  it('answers a burst past the limit RATE_LIMITED, records none of those, and serves again after the wait', async () => {
    t = await startTestBroker();
    const alice = await RawAgent.connect(t.url, t.tokens.agent);
    const watcher = await RawAgent.connect(t.url, t.tokens.supervisor);
    await Promise.all([alice.welcome(), watcher.welcome()]);

    const acks = await presenceBurst(alice, 200, 'p');
    const accepted = acks.filter((a) => a.ok);
    const limited = acks.filter((a) => !a.ok);
    // The default burst is 40; a few more may have refilled while the 200 were read.
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(accepted.length).toBeLessThanOrEqual(45);
    expect(limited.length).toBe(200 - accepted.length);
    for (const a of limited) {
      expect(a.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(a.error.message).toMatch(/20 a second from one socket .*not carried out; wait \d+ s/);
    }
    // Exactly the accepted ones reached the journal, as another agent sees it.
    const last = Math.max(...accepted.map((a) => a.seq));
    await watcher.waitFor(() => watcher.events().some((e) => e.seq === last), 'the last accepted event');
    expect(watcher.events().filter((e) => e.event.type === 'agent.presence')).toHaveLength(accepted.length);

    await new Promise((resolve) => setTimeout(resolve, limited[0].error.retryAfterMs));
    expect(await alice.command({ type: 'presence', ref: 'after-wait', state: 'available' })).toMatchObject({ ok: true });
    // A limited ref was never carried out, so sending it again now does it.
    alice.frames.length = 0;
    expect(await alice.command({ type: 'presence', ref: limited.at(-1).ref, state: 'away' })).toMatchObject({ ok: true, seq: expect.any(Number) });
    alice.close();
    watcher.close();
  });

  it('limits one token across its sockets', async () => {
    t = await startTestBroker();
    const sockets = await Promise.all([1, 2, 3].map(() => RawAgent.connect(t!.url, t!.tokens.agent)));
    await Promise.all(sockets.map((s) => s.welcome()));
    // 35 each stays inside one socket's burst of 40; 105 together is past the token's 80.
    const acks = (await Promise.all(sockets.map((s, i) => presenceBurst(s, 35, `s${i}`)))).flat();
    const accepted = acks.filter((a) => a.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(80);
    expect(accepted).toBeLessThanOrEqual(85);
    for (const a of acks.filter((x) => !x.ok)) expect(a.error.message).toContain('from one token across all its sockets');
    for (const s of sockets) s.close();
  });

  it('takes any rate when the limits are 0', async () => {
    t = await startTestBroker({ commandRatePerSocket: 0, commandRatePerToken: 0 });
    const alice = await RawAgent.connect(t.url, t.tokens.agent);
    await alice.welcome();
    expect((await presenceBurst(alice, 200, 'free')).every((a) => a.ok)).toBe(true);
    alice.close();
  });
});

describe('courtdesk broker', () => {
  it('takes the limits from its flags', async () => {
    const dataDir = await tempDir();
    const tokens = await makeTokens(dataDir);
    const spawned = await spawnBroker(dataDir, ['--max-sockets-per-token', '1', '--command-rate', '1', '--token-command-rate', '0']);
    try {
      const alice = await RawAgent.connect(spawned.url, tokens.agent);
      await alice.welcome();
      expect((await refusedUpgrade(spawned.url, tokens.agent)).status).toBe(429);
      // A rate of 1 a second: a burst of 2, then refused.
      // Refusals are answered at once, acceptances once on disk: read them in the order sent.
      const acks = (await presenceBurst(alice, 4, 'flag')).sort((a, b) => a.ref.localeCompare(b.ref));
      expect(acks.map((a) => a.ok)).toEqual([true, true, false, false]);
      expect(acks[2].error.message).toContain('1 a second from one socket (bursts of 2)');
      alice.close();
    } finally {
      spawned.child.kill('SIGTERM');
      await spawned.exited;
    }
  });
});
