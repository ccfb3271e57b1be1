// A client that ignores the broker's close frame: a revoked token stops acting at once, and a
// shutdown does not wait on it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeToken } from '../../src/broker/tokens.js';
import { postEnquiry, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire-client.js';

let t: TestBroker;
beforeEach(async () => {
  t = await startTestBroker();
});
afterEach(async () => {
  await t.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a revoked token', () => {
  it('has nothing carried out after the revocation, and its socket is destroyed within a second', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await postEnquiry(t.url, t.tokens.intake, { from: `caller${i}@example.org` }));
    const wire = await WireClient.connect(t.url, t.tokens.agent);
    await wire.waitFor(() => wire.messages.find((m) => m.type === 'welcome'), 'the welcome');
    wire.send({ type: 'claim', ref: 'before', enquiryId: ids[0] });
    expect(await wire.waitFor(() => wire.messages.find((m) => m.ref === 'before'), 'the first ack')).toMatchObject({ ok: true });

    await revokeToken(t.dataDir, 'alice');
    expect(await wire.waitFor(() => wire.closeCode, 'the close frame')).toBe(4001);
    const closedAt = Date.now();
    // This client never answers the close: it keeps claiming, as a hostile or broken one would.
    let sent = 1;
    while (!wire.gone && sent < ids.length) {
      wire.send({ type: 'claim', ref: `after-${sent}`, enquiryId: ids[sent] });
      sent++;
      await sleep(5);
    }
    await wire.waitFor(() => wire.gone, 'the socket to be destroyed', 1000);
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(sent).toBeGreaterThan(5);

    for (const id of ids.slice(1, sent)) {
      const enquiry = (await (await t.get(`/v1/enquiries/${id}`)).json()) as { claimedBy: string | null };
      expect(enquiry.claimedBy, id).toBeNull();
    }
    expect(wire.messages.filter((m) => m.type === 'ack' && m.ok)).toHaveLength(1);
    for (const ack of wire.messages.filter((m) => m.type === 'ack' && m.ref !== 'before')) {
      expect(ack.error).toMatchObject({ code: 'TOKEN_REVOKED', message: expect.stringMatching(/revoked.*new token/) });
    }
  });
});

describe('a client that ignores the close frame', () => {
  it('does not hold up the broker shutting down', async () => {
    const wire = await WireClient.connect(t.url, t.tokens.agent);
    await wire.waitFor(() => wire.messages.find((m) => m.type === 'welcome'), 'the welcome');
    const started = Date.now();
    await t.broker.close();
    expect(wire.closeCode).toBe(1001);
    expect(Date.now() - started).toBeLessThan(3000);
    await wire.waitFor(() => wire.gone, 'the socket to be destroyed', 1000);
  });
});
