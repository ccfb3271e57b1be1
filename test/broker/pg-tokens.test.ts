// Tokens shared through the PostgreSQL journal: two real broker processes with their own data
// folders; a token made in one folder works on both, and revoking it there (the real
// `courtdesk token revoke`) cuts its sockets on the other node within a second.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/frames.js';
import { BIN, RawAgent } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

const run = promisify(execFile);

describeWithPostgres('tokens shared by broker nodes on one PostgreSQL journal', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Only the first node's folder has tokens.
    cluster = await startCluster({ nodes: 2, shareTokensFile: false });
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
  }, 30_000);

  async function connectWhenKnown(url: string, token: string): Promise<RawAgent> {
    const deadline = Date.now() + 2000;
    for (;;) {
      try {
        return await RawAgent.connect(url, token);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  it('a token from one node works on the other, and revoked there closes its sockets on both within a second', async () => {
    const onFirst = await RawAgent.connect(cluster.nodes[0]!.url, cluster.tokens.agent);
    // The nodes started together: the second learns the first's tokens at its next poll.
    const onSecond = await connectWhenKnown(cluster.nodes[1]!.url, cluster.tokens.agent);
    cluster.agents.push(onFirst, onSecond);
    await Promise.all([onFirst.welcome(), onSecond.welcome()]);
    // Another token stays live on both.
    const bob = await connectWhenKnown(cluster.nodes[1]!.url, cluster.tokens.agent2);
    cluster.agents.push(bob);
    await bob.welcome();

    const started = Date.now();
    await run(process.execPath, [BIN, 'token', 'revoke', 'alice', '--data', cluster.dirs[0]!]);
    const codes = await Promise.all([onFirst.closed(), onSecond.closed()]);
    const ms = Date.now() - started;
    process.stderr.write(`pg-tokens: revoked on node 1, sockets closed on both nodes ${ms} ms after the revoke began\n`);
    expect(codes).toEqual([CLOSE_CODES.tokenRevoked, CLOSE_CODES.tokenRevoked]);
    expect(ms).toBeLessThan(1000 + 500); // the revoke command itself starts a Node process
    expect(bob.closeCode).toBeNull();
    await expect(RawAgent.connect(cluster.nodes[1]!.url, cluster.tokens.agent)).rejects.toThrow('HTTP 401');
  });
});
