// The checkpoint kept in PostgreSQL: a node that writes checkpoints offers them to the shared
// journal, and a new node with an empty data folder starts from it, folding only what came after,
// with the same state as the node that wrote it. Real broker processes on one database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEnquiry } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

describeWithPostgres('the checkpoint kept in the shared PostgreSQL journal', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 0 });
  });

  afterAll(async () => {
    await stopCluster(cluster);
  }, 30_000);

  it('a new node with an empty folder starts from the checkpoint another node wrote, and agrees with it', async () => {
    const writer = await cluster.addNode({ args: ['--checkpoint-every', '40', '--checkpoint-interval-ms', '0'] });
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await postEnquiry(writer.url, cluster.tokens.intake, { text: `Checkpointed ${i}` }));
    const stored = await (async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await cluster.db.query<{ seq: string }>('SELECT seq FROM shared_checkpoint');
        if (rows[0]) return Number(rows[0].seq);
        if (Date.now() > deadline) throw new Error('no checkpoint reached shared_checkpoint');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(stored).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 5; i++) ids.push(await postEnquiry(writer.url, cluster.tokens.intake, { text: `After the checkpoint ${i}` }));

    const fresh = await cluster.addNode();
    expect(fresh.stdout.join('') + fresh.stderr.join('')).toContain('starting from the newest checkpoint kept in the shared journal');
    expect(fresh.stdout.join('') + fresh.stderr.join('')).toMatch(new RegExp(`started from the checkpoint at seq ${stored}\\b`));
    // What the checkpoint covers is verified while the node serves.
    await expect.poll(() => fresh.stderr.join(''), { timeout: 10_000 }).toMatch(new RegExp(`verified seq 1-${stored}, the records the checkpoint covers`));
    const [a, b] = await Promise.all([writer, fresh].map((n) => fetch(`${n.url}/healthz`).then((r) => r.json() as Promise<{ seq: number; epoch: string }>)));
    expect(b).toEqual(a);
    for (const id of [ids[0]!, ids[59]!, ids[64]!]) {
      const views = await Promise.all(
        [writer, fresh].map((n) => fetch(`${n.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${cluster.tokens.supervisor}` } }).then((r) => r.json())),
      );
      expect(views[1]).toEqual(views[0]);
    }
  }, 60_000);

  it('a new node replays instead when the shared checkpoint is larger than the journal it covers', async () => {
    // As for a million enquiries that have only just arrived: each folds to more than its record.
    await cluster.db.query('UPDATE shared_checkpoint SET bytes = 1e12');
    const replaying = await cluster.addNode();
    const said = replaying.stdout.join('') + replaying.stderr.join('');
    expect(said).toMatch(/not fetching the shared checkpoint \(\d+ MB\), larger than the \d+ MB of journal it covers; replaying is quicker/);
    expect(said).not.toContain('started from the checkpoint');
    const [a, b] = await Promise.all([cluster.nodes[0]!, replaying].map((n) => fetch(`${n.url}/healthz`).then((r) => r.json() as Promise<{ seq: number; epoch: string }>)));
    expect(b).toEqual(a);
  }, 60_000);
});
