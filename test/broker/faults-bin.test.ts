// The real binary against real damage and a really full disk: a damaged last record is refused
// with the byte to cut at, the cut starts a new epoch that resuming clients notice, a kill -9 at
// random moments under load (checkpoints included) loses nothing acknowledged, and a tmpfs that
// fills up gives 503s, then recovers by itself when space comes back.
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, makeTokens, postEnquiry, RawAgent, spawnBroker, type SpawnedBroker } from '../helpers/broker.js';
import { freshFolders } from '../helpers/folders.js';

const freshDir = freshFolders();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});


async function stop(broker: SpawnedBroker): Promise<number | null> {
  broker.child.kill('SIGTERM');
  return broker.exited;
}

/** Runs `courtdesk broker` expecting it to refuse: its exit code and what it said. */
function refusedStart(dataDir: string, extra: string[] = []): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'broker', '--port', '0', '--data', dataDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('a damaged last record, through the real binary', () => {
  it('is refused with its seq and byte; --truncate-journal-at cuts it and resuming agents get a fresh snapshot', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const first = await spawnBroker(dataDir, ['--checkpoint-every', '0']);
    for (let i = 0; i < 3; i++) await postEnquiry(first.url, tokens.intake, { text: `question ${i}` });
    const agent = await RawAgent.connect(first.url, tokens.agent);
    const seen = await agent.welcome();
    agent.close();
    await stop(first);
    await fs.rm(join(dataDir, 'checkpoint.ndjson'));

    const journal = join(dataDir, 'journal.ndjson');
    const bytes = await fs.readFile(journal);
    const lastStart = bytes.lastIndexOf(10, bytes.length - 2) + 1;
    bytes[lastStart + 30] = bytes[lastStart + 30]! ^ 0x01;
    await fs.writeFile(journal, bytes);

    const refused = await refusedStart(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`\\(seq 3\\).*at byte ${lastStart}.*--truncate-journal-at ${lastStart}`));
    await expect(fs.stat(join(dataDir, 'journal.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.readFile(journal)).length).toBe(bytes.length); // nothing cut by a refusal

    const repaired = await spawnBroker(dataDir, ['--truncate-journal-at', String(lastStart)]);
    cleanups.push(async () => void (await stop(repaired)));
    expect(repaired.stderr.join('')).toMatch(/cut the journal at byte .* started epoch/s);
    // A client that saw seq 3 asks to resume after it: another history now, so a fresh snapshot.
    const back = await RawAgent.connect(repaired.url, tokens.agent, `?epoch=${seen.epoch}&after=${seen.seq}`);
    const welcome = await back.welcome();
    expect(welcome.resumed).toBe(false);
    expect(welcome.epoch).not.toBe(seen.epoch);
    expect(welcome.snapshot.enquiries).toHaveLength(2);
  });
});

describe('kill -9 at random moments under load, checkpoints being written', () => {
  it('keeps every acknowledged enquiry, and the next start removes half-written checkpoints', async () => {
    const dataDir = await freshDir();
    const tokens = await makeTokens(dataDir);
    const acknowledged: string[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const broker = await spawnBroker(dataDir, ['--intake-rate', '100000', '--checkpoint-every', '50', '--checkpoint-interval-ms', '0']);
      let stopped = false;
      const posters = Array.from({ length: 16 }, async (_, p) => {
        for (let i = 0; !stopped; i++) {
          await postEnquiry(broker.url, tokens.intake, { from: `t${trial}p${p}n${i}@example.org` }).then(
            (id) => acknowledged.push(id),
            () => (stopped = true),
          );
        }
      });
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      broker.child.kill('SIGKILL');
      stopped = true;
      await Promise.all(posters);
      await broker.exited;
    }
    const last = await spawnBroker(dataDir);
    try {
      const names = await fs.readdir(dataDir);
      expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      for (const id of acknowledged) {
        const res = await fetch(`${last.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${tokens.intake}` } });
        expect(res.status, `acknowledged ${id}`).toBe(200);
      }
      expect(acknowledged.length).toBeGreaterThan(50);
    } finally {
      await stop(last);
    }
  });
});

/** A real filesystem that really fills up: a 4 MiB tmpfs, when this machine lets us mount one. */
async function smallDisk(): Promise<string | null> {
  const dir = await freshDir();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return null;
  cleanups.push(async () => void spawnSync('umount', ['-l', dir]));
  // Never fill anything but the small disk just mounted.
  const { blocks, bsize } = await fs.statfs(dir);
  if (blocks * bsize > 8 * 1024 * 1024) throw new Error(`${dir} is not the small tmpfs it should be`);
  return dir;
}

describe('a really full disk (tmpfs)', () => {
  it('answers 503 and degraded while full, keeps the process up, and recovers by itself when space returns', async (ctx) => {
    const disk = await smallDisk();
    if (!disk) return ctx.skip('mounting a tmpfs needs root with CAP_SYS_ADMIN; the fault tests above cover the same paths');
    const dataDir = join(disk, 'data');
    const tokens = await makeTokens(dataDir);
    const broker = await spawnBroker(dataDir, ['--intake-rate', '100000', '--checkpoint-every', '0']);
    cleanups.push(async () => void (await stop(broker)));
    const kept = await postEnquiry(broker.url, tokens.intake);

    // Fill the disk to the last byte.
    const filler = join(disk, 'filler');
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=64'], { stdio: 'ignore' });
    let status = 0;
    for (let i = 0; i < 50 && status !== 503; i++) {
      status = (await fetch(`${broker.url}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.intake}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'web', from: 'full@example.org', text: 'x'.repeat(2000) }),
      })).status;
    }
    expect(status).toBe(503);
    const health = await fetch(`${broker.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ journal: 'degraded', reason: expect.stringMatching(/ENOSPC/) });

    await fs.rm(filler);
    const deadline = Date.now() + 5000;
    while ((await fetch(`${broker.url}/healthz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const after = await postEnquiry(broker.url, tokens.intake);
    expect(await stop(broker)).toBe(0);

    const again = await spawnBroker(dataDir);
    try {
      for (const id of [kept, after]) {
        expect((await fetch(`${again.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${tokens.intake}` } })).status).toBe(200);
      }
      expect(again.stderr.join('')).not.toMatch(/torn|damaged/);
    } finally {
      await stop(again);
    }
  });
});
