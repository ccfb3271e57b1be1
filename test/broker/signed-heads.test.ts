// Signed heads from a real broker: when it signs, what it signs (checked against the journal and
// with node:crypto from the documented bytes, not the broker's own helper), where the lines go,
// and that no place failing — a heads file it cannot write, a copy on a missing volume, a witness
// that is down or answers 503 — stops or slows the broker.
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../../src/broker/broker.js';
import { makeTokens, postEnquiry, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A broker on port 0 in a fresh folder, or in `dir` as prepared by the test; removed afterwards. */
async function broker(options: Parameters<typeof startTestBroker>[0], dir?: string): Promise<TestBroker> {
  const t = dir ? await startTestBroker(options, { dataDir: dir, tokens: await makeTokens(dir) }) : await startTestBroker(options);
  cleanups.push(async () => {
    await t.close();
    await fs.rm(t.dataDir, { recursive: true, force: true });
  });
  return t;
}

async function lines(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

async function until<T>(what: string, find: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The record lines of the folder's journal by seq. */
async function journalHashes(dir: string): Promise<Map<number, string>> {
  const records = (await lines(join(dir, 'journal.ndjson'))).slice(1).map((l) => JSON.parse(l) as { seq: number; hash: string });
  return new Map(records.map((r) => [r.seq, r.hash]));
}

/** Checks a head line as docs/records.md says anyone can: the documented bytes, Ed25519, the public key file. */
function signatureChecks(line: string, publicPem: string): boolean {
  const h = JSON.parse(line) as { epoch: string; seq: number; hash: string; at: string; sig: string };
  const message = Buffer.from(`courtdesk-head v1\n${h.epoch}\n${h.seq}\n${h.hash}\n${h.at}\n`, 'utf8');
  return verify(null, message, createPublicKey(publicPem), Buffer.from(h.sig, 'base64'));
}

const post = (t: TestBroker, i: number) => postEnquiry(t.url, t.tokens.intake, { from: `c${i}@example.org`, text: `question ${i}` });

describe('signed heads', () => {
  it('signs every N events and at a clean stop, with a key pair it makes itself (private key 0600)', async () => {
    const t = await broker({ signEvery: 3, signIntervalMs: 0 });
    for (let i = 1; i <= 7; i++) await post(t, i);
    const heads = join(t.dataDir, 'signed-heads.ndjson');
    await until('two heads', async () => (await lines(heads)).length === 2);
    await t.broker.close();

    const written = await lines(heads);
    expect(written.map((l) => JSON.parse(l).seq)).toEqual([3, 6, 7]);
    const keyFile = join(t.dataDir, 'journal-signing.key');
    expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
    const publicPem = await fs.readFile(join(t.dataDir, 'journal-signing.pub'), 'utf8');
    expect(createPublicKey(createPrivateKey(await fs.readFile(keyFile, 'utf8'))).export({ type: 'spki', format: 'pem' })).toBe(publicPem);
    const hashes = await journalHashes(t.dataDir);
    for (const line of written) {
      const head = JSON.parse(line);
      expect(Object.keys(head)).toEqual(['epoch', 'seq', 'hash', 'at', 'sig']);
      expect(head.epoch).toBe(t.broker.epoch);
      expect(head.hash).toBe(hashes.get(head.seq));
      expect(signatureChecks(line, publicPem)).toBe(true);
    }
    // Another line's signature does not fit: it covers this head's fields only.
    const [a, b] = written.map((l) => JSON.parse(l));
    expect(signatureChecks(JSON.stringify({ ...a, sig: b.sig }), publicPem)).toBe(false);
    expect(t.logs.join('\n')).not.toContain((await fs.readFile(keyFile, 'utf8')).split('\n')[1]);
  });

  it('keeps its key across restarts, and signs on the interval only when the head moved', async () => {
    const first = await broker({ signEvery: 0, signIntervalMs: 0 });
    await post(first, 1);
    await first.broker.close();
    const pem = await fs.readFile(join(first.dataDir, 'journal-signing.pub'), 'utf8');

    const t = await startTestBroker({ signEvery: 0, signIntervalMs: 150 }, first);
    cleanups.push(() => t.close());
    const heads = join(t.dataDir, 'signed-heads.ndjson');
    expect(await lines(heads)).toHaveLength(1); // the first broker's stop
    await post(t, 2);
    await until('a head on the interval', async () => (await lines(heads)).length === 2);
    await new Promise((r) => setTimeout(r, 600)); // idle: the head did not move
    const written = await lines(heads);
    expect(written.map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
    expect(await fs.readFile(join(t.dataDir, 'journal-signing.pub'), 'utf8')).toBe(pem);
    expect(signatureChecks(written[1]!, pem)).toBe(true);
  });

  it('gives --heads-copy the same lines; a copy it cannot write is retried and never stops the broker', async () => {
    const elsewhere = await tempDir();
    cleanups.push(() => fs.rm(elsewhere, { recursive: true, force: true }));
    const copy = join(elsewhere, 'not-mounted-yet', 'heads.ndjson');
    const t = await broker({ signEvery: 1, signIntervalMs: 0, headsCopy: copy });
    for (let i = 1; i <= 3; i++) await post(t, i);
    await until('the failure logged', async () => t.logs.some((l) => l.includes(`could not write a signed head to ${copy}`)));
    expect((await t.get('/healthz')).status).toBe(200);

    await fs.mkdir(join(elsewhere, 'not-mounted-yet'));
    await post(t, 4);
    const local = join(t.dataDir, 'signed-heads.ndjson');
    await until('the copy caught up', async () => (await lines(copy)).length === 4);
    await t.broker.close();
    expect(await lines(copy)).toEqual(await lines(local));
    expect((await lines(local)).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 4]);
    expect(t.logs.join('\n')).toMatch(/takes signed heads again/);
  });

  it('retries its own heads file when an append fails, keeping every head in order', async () => {
    const dir = await tempDir();
    const heads = join(dir, 'signed-heads.ndjson');
    await fs.mkdir(heads); // an append to it fails (EISDIR) until it is a file again
    const t = await broker({ signEvery: 1, signIntervalMs: 0 }, dir);
    await post(t, 1);
    await post(t, 2);
    await until('the failure logged', async () => t.logs.some((l) => l.includes(`could not write a signed head to ${heads}`)));
    await fs.rmdir(heads);
    await until('both heads', async () => (await lines(heads)).length === 2);
    expect((await lines(heads)).map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
  });

  it('POSTs each head to --heads-url, and carries on when the witness is down or refuses', async () => {
    const received: string[] = [];
    let refuseNext = 1; // the first POST gets a 503
    const witness = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (refuseNext-- > 0) {
          res.writeHead(503).end();
          return;
        }
        received.push(`${req.method} ${req.headers['content-type']} ${body}`);
        res.writeHead(204).end();
      });
    });
    const port = await listen(witness, 0);
    cleanups.push(() => close(witness));
    const t = await broker({ signEvery: 1, signIntervalMs: 0, headsUrl: `http://127.0.0.1:${port}/heads?token=witness-secret-123` });
    const local = join(t.dataDir, 'signed-heads.ndjson');
    await post(t, 1);
    await until('the 503 retried', async () => received.length === 1);
    expect(t.logs.join('\n')).toMatch(/could not write a signed head to the witness at http:\/\/127\.0\.0\.1:\d+\/heads \(it answered HTTP 503\)/);

    await close(witness);
    for (let i = 2; i <= 4; i++) await post(t, i); // the broker takes intake while the witness is down
    const failures = () => t.logs.filter((l) => l.includes('could not write a signed head to the witness')).length;
    await until('the outage logged', async () => failures() === 2);
    await listen(witness, port);
    await until('every head delivered', async () => received.length === 4, 20_000);
    expect(received).toEqual((await lines(local)).map((l) => `POST application/json ${l}`));
    expect(t.logs.join('\n')).not.toContain('witness-secret-123');
  }, 40_000);

  it('runs unsigned, saying so, when its signing key is unusable', async () => {
    const dir = await tempDir();
    await fs.writeFile(join(dir, 'journal-signing.key'), 'not a key\n', { mode: 0o600 });
    const t = await broker({ signEvery: 1 }, dir);
    await post(t, 1);
    expect(t.logs.join('\n')).toMatch(/journal heads are not being signed: .*journal-signing\.key is not a readable private key .*move it aside and restart/);
    await t.broker.close();
    await expect(fs.stat(join(dir, 'signed-heads.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to start with a witness address that could not work', async () => {
    const dir = await tempDir();
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    await expect(startBroker({ dataDir: dir, port: 0, headsUrl: 'ftp://example.org/heads', log: () => {} })).rejects.toThrow(/--heads-url must be an http:\/\/ or https:\/\/ URL/);
    expect(await fs.readdir(dir)).toEqual([]); // refused before touching the folder
  });
});

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
