// Idempotency and resuming across nodes, with two real broker processes on one PostgreSQL
// journal: an Idempotency-Key or a command ref sent to both nodes at once is carried out once, and
// an agent whose node dies resumes on a node that started after the events it missed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEnquiry, RawAgent, type SpawnedBroker } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

describeWithPostgres('idempotency and resuming across broker nodes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
  }, 30_000);

  async function agent(on: SpawnedBroker, token: string, query = ''): Promise<RawAgent> {
    const a = await RawAgent.connect(on.url, token, query);
    cluster.agents.push(a);
    await a.welcome();
    return a;
  }

  const post = (url: string, key: string) =>
    fetch(`${url}/v1/enquiries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.tokens.intake}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ channel: 'web', from: 'user@example.org', text: `Keyed ${key}` }),
    }).then(async (res) => ({ status: res.status, id: ((await res.json()) as { id: string }).id }));

  it('the same Idempotency-Key posted to both nodes at once makes one enquiry, and both answers name it', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}-${Date.now()}`);
    const answers = await Promise.all(keys.flatMap((key) => [post(cluster.nodes[0]!.url, key), post(cluster.nodes[1]!.url, key)]));
    for (let i = 0; i < keys.length; i++) {
      const [a, b] = [answers[2 * i]!, answers[2 * i + 1]!];
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.id).toBe(a.id);
    }
    const rows = await cluster.db.query(`SELECT count(*)::int AS n FROM journal_records WHERE event_type = 'enquiry.received' AND line LIKE '%"idempotencyKey":"key-%'`);
    expect(rows.rows[0]!.n).toBe(keys.length);
  });

  it('a command ref sent to both nodes at once is carried out once, and both acks give its seq', async () => {
    const id = await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { text: 'Ref race' });
    const alice0 = await agent(cluster.nodes[0]!, cluster.tokens.agent);
    const alice1 = await agent(cluster.nodes[1]!, cluster.tokens.agent);
    await alice1.waitFor(() => alice1.frames.some((f) => f.type === 'welcome' && f.snapshot.enquiries.some((e: { id: string }) => e.id === id)) || alice1.events().some((e) => e.event.enquiryId === id), 'the enquiry on node 2');
    expect((await alice0.command({ type: 'claim', ref: 'claim-1', enquiryId: id })).ok).toBe(true);
    await alice1.waitFor(() => alice1.events().some((e) => e.event.type === 'enquiry.claimed' && e.event.enquiryId === id), 'the claim on node 2');
    const reply = { type: 'reply', ref: 'reply-once', enquiryId: id, text: 'One reply only.' };
    const [a, b] = await Promise.all([alice0.command(reply), alice1.command(reply)]);
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(b.seq).toBe(a.seq);
    const rows = await cluster.db.query(`SELECT count(*)::int AS n FROM journal_records WHERE event_type = 'enquiry.replied' AND enquiry_id = $1`, [id]);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('an agent whose node is killed resumes on a node started after the events it missed, and gets exactly those', async () => {
    const bob = await agent(cluster.nodes[0]!, cluster.tokens.agent2);
    const { epoch, seq: start } = bob.frames.find((f) => f.type === 'welcome');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { text: `Before the new node ${i}` }));
    await bob.waitFor(() => ids.every((id) => bob.events().some((e) => e.event.enquiryId === id)), 'the five enquiries');
    const seen = bob.events().filter((e) => ids.slice(0, 2).includes(e.event.enquiryId)).at(-1)!.seq as number;
    // A third node started now holds none of those events in memory.
    const late = await cluster.addNode();
    cluster.nodes[0]!.child.kill('SIGKILL');
    await cluster.nodes[0]!.exited;
    const moved = await agent(late, cluster.tokens.agent2, `?epoch=${epoch}&after=${seen}`);
    const welcome = moved.frames.find((f) => f.type === 'welcome');
    expect(welcome).toMatchObject({ epoch, resumed: true, seq: seen });
    const headSeq = ((await (await fetch(`${late.url}/healthz`)).json()) as { seq: number }).seq;
    await moved.waitFor(() => moved.events().some((e) => e.seq === headSeq), 'the events up to the head');
    const got = moved.events().map((e) => e.seq);
    expect(got).toEqual(Array.from({ length: headSeq - seen }, (_, i) => seen + 1 + i));
    expect(moved.events().filter((e) => e.event.type === 'enquiry.received').map((e) => e.event.enquiryId)).toEqual(ids.slice(2));
    expect(moved.events().find((e) => e.event.type === 'enquiry.received')!.event.text).toBe('Before the new node 2');
    expect(start).toBeLessThan(seen);
  });
});
