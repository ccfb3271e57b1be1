// Two real broker processes on one PostgreSQL journal (test/helpers/pg.ts): what one takes in,
// the other's agents see; a claim raced from both has one winner.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEnquiry, RawAgent, spawnBroker, tempDir, type SpawnedBroker } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

describeWithPostgres('two broker nodes on one PostgreSQL journal', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
  }, 30_000);

  async function agent(node: SpawnedBroker, token: string): Promise<RawAgent> {
    const a = await RawAgent.connect(node.url, token);
    cluster.agents.push(a);
    await a.welcome();
    return a;
  }

  it('an enquiry posted to one node reaches an agent on the other, in the same seq', async () => {
    const bob = await agent(cluster.nodes[1]!, cluster.tokens.agent2);
    const started = performance.now();
    const id = await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { text: 'Cross-node test 305JE126' });
    const entry = await bob.waitFor(() => bob.events().find((e) => e.event.type === 'enquiry.received' && e.event.enquiryId === id), 'the enquiry on node 2');
    const ms = performance.now() - started;
    process.stderr.write(`pg-nodes: post on node 1 to event on node 2 in ${ms.toFixed(0)} ms\n`);
    expect(entry.event.text).toBe('Cross-node test 305JE126');
    const [one, two] = await Promise.all(cluster.nodes.map((n) => fetch(`${n.url}/healthz`).then((r) => r.json() as Promise<{ seq: number; epoch: string }>)));
    expect(two).toEqual(one);
    expect(entry.seq).toBe(one!.seq);
  });

  it('a claim raced from both nodes has exactly one winner, and both nodes agree who', async () => {
    const alice = await agent(cluster.nodes[0]!, cluster.tokens.agent);
    const bob = await agent(cluster.nodes[1]!, cluster.tokens.agent2);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { text: `Race ${i}` }));
    await bob.waitFor(() => ids.every((id) => bob.events().some((e) => e.event.enquiryId === id)), 'all enquiries on node 2');
    const acks = await Promise.all(
      ids.flatMap((id, i) => [alice.command({ type: 'claim', ref: `a${i}`, enquiryId: id }), bob.command({ type: 'claim', ref: `b${i}`, enquiryId: id })]),
    );
    for (let i = 0; i < ids.length; i++) {
      const [a, b] = [acks[2 * i]!, acks[2 * i + 1]!];
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      expect((a.ok ? b : a).error.code).toBe('ALREADY_CLAIMED');
    }
    const rows = await cluster.db.query(`SELECT enquiry_id, count(*)::int AS n FROM journal_records WHERE event_type = 'enquiry.claimed' AND enquiry_id = ANY($1) GROUP BY enquiry_id`, [ids]);
    expect(rows.rows.map((r) => r.n)).toEqual(ids.map(() => 1));
    for (const id of ids) {
      const views = await Promise.all(
        cluster.nodes.map((n) => fetch(`${n.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${cluster.tokens.supervisor}` } }).then((r) => r.json() as Promise<{ claimedBy: string }>)),
      );
      expect(views[0]!.claimedBy).toBe(views[1]!.claimedBy);
      expect(['alice', 'bob']).toContain(views[0]!.claimedBy);
    }
  });

  it('a start on a schema without the tables exits 2 with one line naming the migrate command', async () => {
    const dir = await tempDir();
    cluster.dirs.push(dir);
    const failure = await spawnBroker(dir, ['--store', cluster.db.otherSchema()]).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^broker exited with 2: courtdesk broker: .* has no courtdesk journal tables; run: courtdesk store migrate --store postgres:\/\/\S+\n$/);
  });
});
