// The real binary as a child process: crashes, torn journals, clean shutdown.
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTokens, postEnquiry, RawAgent, spawnBroker, type SpawnedBroker } from '../helpers/broker.js';
import { freshFolders } from '../helpers/folders.js';

const freshDir = freshFolders();

/** Starts the real broker on `dataDir` again, runs `check` against it, then stops it. */
async function restarted(dataDir: string, check: (broker: SpawnedBroker) => Promise<void>): Promise<void> {
  const broker = await spawnBroker(dataDir);
  try {
    await check(broker);
  } finally {
    broker.child.kill('SIGTERM');
    await broker.exited;
  }
}

/** Every enquiry in `ids` is there, over HTTP. */
async function expectKept(url: string, intakeToken: string, ids: string[], why: string): Promise<void> {
  for (const id of ids) {
    const res = await fetch(`${url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${intakeToken}` } });
    expect(res.status, `enquiry ${id} ${why}`).toBe(200);
  }
}

describe('broker durability', () => {
  it('keeps every acknowledged enquiry through a kill -9 during 500 concurrent posts', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir, ['--intake-rate', '100000']);
    const acknowledged: string[] = [];
    const posts = Array.from({ length: 500 }, (_, i) =>
      postEnquiry(first.url, tokens.intake, { from: `crash${i}@example.org` }).then(
        (id) => acknowledged.push(id),
        () => undefined, // refused or cut off by the crash: never acknowledged, may or may not be there
      ),
    );
    // Kill once some, but not all, have been acknowledged.
    while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 2));
    first.child.kill('SIGKILL');
    await Promise.all(posts);
    await first.exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(50);

    await restarted(dataDir, async (second) => {
      await expectKept(second.url, tokens.intake, acknowledged, 'acknowledged before the crash');
      const agent = await RawAgent.connect(second.url, tokens.agent);
      const welcome = await agent.welcome();
      expect(welcome.snapshot.enquiries.length).toBeGreaterThanOrEqual(acknowledged.length);
      agent.close();
    });
  });

  it('restarts from the checkpoint written at shutdown, folding only what came after it', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await postEnquiry(first.url, tokens.intake, { from: `ckpt${i}@example.org` }));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await stat(join(dataDir, 'checkpoint.ndjson'));

    await restarted(dataDir, async (second) => {
      expect(second.stderr.join('')).toContain('journal: started from the checkpoint at seq 5, then folded the 0 events after it');
      expect(second.stderr.join('')).not.toContain('warning'); // the check worker ran: no fallback to the main thread
      const agent = await RawAgent.connect(second.url, tokens.agent);
      expect((await agent.welcome()).snapshot.enquiries.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
      expect(await agent.command({ type: 'claim', ref: 'c1', enquiryId: ids[0] })).toMatchObject({ ok: true, seq: 6 });
      agent.close();
    });
  });

  it('after a kill -9, starts from the last checkpoint written while serving and keeps every acknowledged enquiry', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir, ['--checkpoint-every', '20', '--checkpoint-interval-ms', '0', '--intake-rate', '100000']);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await postEnquiry(first.url, tokens.intake, { from: `serving${i}@example.org` }));
    await expect.poll(() => stat(join(dataDir, 'checkpoint.ndjson')).then(() => true, () => false), { timeout: 5000 }).toBe(true);
    for (let i = 30; i < 40; i++) ids.push(await postEnquiry(first.url, tokens.intake, { from: `serving${i}@example.org` }));
    first.child.kill('SIGKILL');
    await first.exited;

    await restarted(dataDir, async (second) => {
      const log = second.stderr.join('');
      const [, at, folded] = /started from the checkpoint at seq (\d+), then folded the (\d+) events after it/.exec(log) ?? [];
      expect(Number(at)).toBeGreaterThanOrEqual(20);
      expect(Number(at) + Number(folded)).toBe(40);
      await expectKept(second.url, tokens.intake, ids, 'acknowledged before the crash');
    });
  });

  it('truncates a torn last line with a warning naming bytes and seq, then carries on', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir);
    for (let i = 0; i < 3; i++) await postEnquiry(first.url, tokens.intake);
    first.child.kill('SIGTERM');
    await first.exited;
    const journal = join(dataDir, 'journal.ndjson');
    const torn = '{"seq":4,"at":"2026-11-22T10:00:00.000Z","actor":{"kind":"intake","na';
    await appendFile(journal, torn);

    await restarted(dataDir, async (second) => {
      const warning = second.stderr.join('') + second.stdout.join('');
      expect(warning).toMatch(new RegExp(`${torn.length} bytes`));
      expect(warning).toMatch(/seq 3/);
      expect((await readFile(journal, 'utf8')).endsWith('\n')).toBe(true);
      const id = await postEnquiry(second.url, tokens.intake);
      const health = (await (await fetch(`${second.url}/healthz`)).json()) as { seq: number };
      expect(health.seq).toBe(4);
      expect(id).toBeTruthy();
    });
  });

  it('refuses to start when a record in the middle was altered', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir);
    for (let i = 0; i < 3; i++) await postEnquiry(first.url, tokens.intake, { channel: i === 1 ? 'sms' : 'web', from: i === 1 ? '+447700900123' : 'user@example.org' });
    first.child.kill('SIGTERM');
    await first.exited;
    const journal = join(dataDir, 'journal.ndjson');
    const text = await readFile(journal, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(journal, text.replace('"channel":"sms"', '"channel":"web"'));
    await expect(spawnBroker(dataDir)).rejects.toThrow(/seq 2/);
  });

  it('shuts down cleanly on SIGTERM: closes sockets with 1001 and exits 0', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const broker = await spawnBroker(dataDir);
    const agent = await RawAgent.connect(broker.url, tokens.agent);
    await agent.welcome();
    broker.child.kill('SIGTERM');
    expect(await agent.closed()).toBe(1001);
    expect(await broker.exited).toBe(0);
    expect(broker.stdout.join('')).toContain('stopped cleanly');
  });

  it('token add prints the token alone on the last line and stores only a hash, mode 0600', async () => {
    const dataDir = await freshDir();
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('../helpers/broker.js');
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--data', dataDir], { encoding: 'utf8' });
    const added = run('token', 'add', 'dewi', '--role', 'agent', '--languages', 'en,cy');
    expect(added.status).toBe(0);
    const token = added.stdout.trimEnd().split('\n').at(-1)!;
    expect(token).toMatch(/^cdt_[A-Za-z0-9_-]{43}$/);
    const stored = await readFile(join(dataDir, 'tokens.json'), 'utf8');
    expect(stored).not.toContain(token);
    expect((await stat(join(dataDir, 'tokens.json'))).mode & 0o777).toBe(0o600);
    expect(run('token', 'list').stdout).toMatch(/dewi\s+agent\s+en,cy/);
    expect(run('token', 'add', 'dewi', '--role', 'agent').status).toBe(1);
    const badRole = run('token', 'add', 'eve', '--role', 'admin');
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toContain('unknown role "admin"');
    expect(run('token', 'revoke', 'dewi').status).toBe(0);
    expect(run('token', 'list', '--json').stdout).toContain('revokedAt');
  });
});
