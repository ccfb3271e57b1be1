// Two real broker processes on one PostgreSQL journal (test/helpers/pg.ts): what one takes in,
// the other's agents see; a claim raced from both has one winner.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTokens, postEnquiry, RawAgent, spawnBroker, tempDir, type SpawnedBroker, type TestTokens } from '../helpers/broker.js';
import { describeWithPostgres, stopCluster, testDatabase, type TestDatabase } from '../helpers/pg.js';

describeWithPostgres('two broker nodes on one PostgreSQL journal', () => {
  let db: TestDatabase;
  let tokens: TestTokens;
  const dirs: string[] = [];
  const nodes: SpawnedBroker[] = [];
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    db = await testDatabase();
    dirs.push(await tempDir(), await tempDir());
    tokens = await makeTokens(dirs[0]!);
    // Tokens are per data folder: both nodes are given the same ones.
    await copyFile(join(dirs[0]!, 'tokens.json'), join(dirs[1]!, 'tokens.json'));
    nodes.push(...(await Promise.all(dirs.map((dir) => spawnBroker(dir, ['--store', db.url])))));
  }, 30_000);

  afterAll(async () => {
    await stopCluster({ nodes, dirs, db, agents });
  }, 30_000);

  async function agent(node: SpawnedBroker, token: string): Promise<RawAgent> {
    const a = await RawAgent.connect(node.url, token);
    agents.push(a);
    await a.welcome();
    return a;
  }

  it('an enquiry posted to one node reaches an agent on the other, in the same seq', async () => {
    const bob = await agent(nodes[1]!, tokens.agent2);
    const started = performance.now();
    const id = await postEnquiry(nodes[0]!.url, tokens.intake, { text: 'Cross-node test 305JE126' });
    const entry = await bob.waitFor(() => bob.events().find((e) => e.event.type === 'enquiry.received' && e.event.enquiryId === id), 'the enquiry on node 2');
    const ms = performance.now() - started;
    process.stderr.write(`pg-nodes: post on node 1 to event on node 2 in ${ms.toFixed(0)} ms\n`);
    expect(entry.event.text).toBe('Cross-node test 305JE126');
    const [one, two] = await Promise.all(nodes.map((n) => fetch(`${n.url}/healthz`).then((r) => r.json() as Promise<{ seq: number; epoch: string }>)));
    expect(two).toEqual(one);
    expect(entry.seq).toBe(one!.seq);
  });

  it('a claim raced from both nodes has exactly one winner, and both nodes agree who', async () => {
    const alice = await agent(nodes[0]!, tokens.agent);
    const bob = await agent(nodes[1]!, tokens.agent2);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await postEnquiry(nodes[0]!.url, tokens.intake, { text: `Race ${i}` }));
    await bob.waitFor(() => ids.every((id) => bob.events().some((e) => e.event.enquiryId === id)), 'all enquiries on node 2');
    const acks = await Promise.all(
      ids.flatMap((id, i) => [alice.command({ type: 'claim', ref: `a${i}`, enquiryId: id }), bob.command({ type: 'claim', ref: `b${i}`, enquiryId: id })]),
    );
    for (let i = 0; i < ids.length; i++) {
      const [a, b] = [acks[2 * i]!, acks[2 * i + 1]!];
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      expect((a.ok ? b : a).error.code).toBe('ALREADY_CLAIMED');
    }
    const rows = await db.query(`SELECT enquiry_id, count(*)::int AS n FROM journal_records WHERE event_type = 'enquiry.claimed' AND enquiry_id = ANY($1) GROUP BY enquiry_id`, [ids]);
    expect(rows.rows.map((r) => r.n)).toEqual(ids.map(() => 1));
    for (const id of ids) {
      const views = await Promise.all(
        nodes.map((n) => fetch(`${n.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${tokens.supervisor}` } }).then((r) => r.json() as Promise<{ claimedBy: string }>)),
      );
      expect(views[0]!.claimedBy).toBe(views[1]!.claimedBy);
      expect(['alice', 'bob']).toContain(views[0]!.claimedBy);
    }
  });

  it('a start on a schema without the tables exits 2 with one line naming the migrate command', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const failure = await spawnBroker(dir, ['--store', db.otherSchema()]).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^broker exited with 2: courtdesk broker: .* has no courtdesk journal tables; run: courtdesk store migrate --store postgres:\/\/\S+\n$/);
  });
});
