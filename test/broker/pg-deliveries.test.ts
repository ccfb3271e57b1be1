// Each outbound thing happens once across nodes: three real broker processes on one PostgreSQL
// journal and a real HTTP receiver for reply callbacks. The node that took a delivery's lease is
// killed with SIGKILL while the receiver holds its request unanswered; exactly one other node
// takes the lapsed lease over and delivers it, and the outcome is recorded once. Then many
// replies on the two survivors: each sent once, and the lease table empty once they are done.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEnquiry, RawAgent } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

const LEASE_MS = 1500;

interface Arrival {
  delivery: string;
  answered: boolean;
}

describeWithPostgres('deliveries on several broker nodes', () => {
  let cluster: Cluster;
  let receiver: Server;
  let receiverUrl = '';
  const arrivals: Arrival[] = [];

  beforeAll(async () => {
    // The first request is held unanswered (the send is under way when its node dies); later ones are answered.
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const arrival = { delivery: String(req.headers['x-courtdesk-delivery']), answered: arrivals.length > 0 };
        arrivals.push(arrival);
        if (arrival.answered) res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/replies`;
    // Every node signs callbacks with the same secret: the receiver cannot tell which one sent.
    // Acknowledgements off: each would be one more callback, and this test follows one reply's.
    const env = { COURTDESK_ACKNOWLEDGE: 'off', COURTDESK_DELIVERY_LEASE_MS: String(LEASE_MS), COURTDESK_CALLBACK_SECRET: 'shared-callback-secret' };
    cluster = await startCluster({ nodes: 3, env });
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
    receiver?.closeAllConnections();
    receiver?.close();
  }, 30_000);

  async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('a reply callback whose node is killed mid-send is delivered once, by one other node, and recorded once', async () => {
    const id = await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { text: 'Please call me back', callbackUrl: receiverUrl });
    await until(async () => ((await fetch(`${cluster.nodes[1]!.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${cluster.tokens.supervisor}` } })).ok ? true : undefined), 'the enquiry on node 2');
    const alice = await RawAgent.connect(cluster.nodes[1]!.url, cluster.tokens.agent);
    await alice.welcome();
    expect((await alice.command({ type: 'claim', ref: 'c1', enquiryId: id })).ok).toBe(true);
    expect((await alice.command({ type: 'reply', ref: 'r1', enquiryId: id, text: 'Your hearing is on 3 March.' })).ok).toBe(true);
    const replied = alice.events().find((e) => e.event.type === 'enquiry.replied' && e.event.enquiryId === id)!;
    const messageId = replied.event.messageId as string;
    alice.close();

    await until(() => (arrivals.length === 1 ? true : undefined), 'the first send at the receiver');
    const lease = await cluster.db.query<{ node: string }>('SELECT node FROM delivery_leases WHERE key = $1', [`reply:${messageId}`]);
    const holderPid = Number(lease.rows[0]!.node.split(':')[1]);
    const holder = cluster.nodes.find((n) => n.child.pid === holderPid)!;
    expect(holder).toBeDefined();
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();

    const survivors = cluster.nodes.filter((n) => n !== holder);
    const delivered = await until(async () => {
      const res = await fetch(`${survivors[0]!.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${cluster.tokens.supervisor}` } });
      const enquiry = (await res.json()) as { messages: Array<{ id: string; delivery?: { state: string; attempts: number } }> };
      const delivery = enquiry.messages.find((m) => m.id === messageId)?.delivery;
      return delivery?.state === 'delivered' ? delivery : undefined;
    }, 'the reply delivered by another node');
    const tookOverMs = Date.now() - killedAt;
    process.stderr.write(`pg-deliveries: delivered by another node ${tookOverMs} ms after its holder was killed (lease ${LEASE_MS} ms)\n`);
    // Its dead holder's attempt was never recorded: this is the first attempt anyone recorded.
    expect(delivered.attempts).toBe(1);

    // Two lease periods more: a second survivor or a stale lease would have sent it again by now.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    expect(arrivals).toEqual([
      { delivery: messageId, answered: false },
      { delivery: messageId, answered: true },
    ]);
    const outcomes = await cluster.db.query<{ line: string }>(`SELECT line FROM journal_records WHERE event_type = 'reply.delivery' AND enquiry_id = $1`, [id]);
    expect(outcomes.rows.map((r) => JSON.parse(r.line).event.state)).toEqual(['delivered']);
    // The dead holder's row was taken over, then let go once the outcome was recorded.
    expect((await cluster.db.query('SELECT 1 FROM delivery_leases WHERE key = $1', [`reply:${messageId}`])).rowCount).toBe(0);
  }, 60_000);

  it('replies on both surviving nodes are delivered once each, and no lease row outlives its delivery', async () => {
    const survivors = cluster.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    expect(survivors).toHaveLength(2);
    // A row a node left when it died after recording its outcome: swept once lapsed a lease time.
    await cluster.db.query("INSERT INTO delivery_leases (key, node, expires_at) VALUES ('reply:M-gone', 'dead-host:1:000000', now() - interval '1 hour')");
    const agents = await Promise.all(survivors.map((n) => RawAgent.connect(n.url, cluster.tokens.agent)));
    await Promise.all(agents.map((a) => a.welcome()));
    const before = arrivals.length;
    const count = 24;
    const messageIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const agent = agents[i % 2]!;
      const id = await postEnquiry(survivors[i % 2]!.url, cluster.tokens.intake, { text: `Callback please ${i}`, callbackUrl: receiverUrl });
      await until(() => (agent.events().some((e) => e.event.type === 'enquiry.received' && e.event.enquiryId === id) ? true : undefined), `enquiry ${i} at its agent`);
      expect((await agent.command({ type: 'claim', ref: `many-c${i}`, enquiryId: id })).ok).toBe(true);
      expect((await agent.command({ type: 'reply', ref: `many-r${i}`, enquiryId: id, text: `Answer ${i}` })).ok).toBe(true);
      messageIds.push(agent.events().find((e) => e.event.type === 'enquiry.replied' && e.event.enquiryId === id)!.event.messageId as string);
    }
    const delivered = async () => {
      const rows = await cluster.db.query<{ line: string }>(`SELECT line FROM journal_records WHERE event_type = 'reply.delivery'`);
      return new Set(rows.rows.map((r) => JSON.parse(r.line).event).filter((e) => e.state === 'delivered').map((e) => e.messageId as string));
    };
    await until(async () => ((await delivered()).size === messageIds.length + 1 ? true : undefined), 'every reply delivered');
    // Every node saw every reply start and asked for its lease; a node asking after the sender let go folds past the outcome and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    const sends = arrivals.slice(before).map((a) => a.delivery).sort();
    expect(sends).toEqual([...messageIds].sort());
    await until(async () => ((await cluster.db.query('SELECT key FROM delivery_leases')).rowCount === 0 ? true : undefined), 'an empty lease table');
    for (const agent of agents) agent.close();
  }, 60_000);
});
