// `courtdesk journal verify|key` and signed heads through the real binary, as an operator meets
// them: exit codes, one-line errors, --json, a running broker's folder left untouched, the worker
// threads on a journal big enough to be split, and docs/records.md's openssl recipe run as written.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/broker/journal/file-store.js';
import { encodeRecord, genesisHash } from '../../src/broker/journal/record-format.js';
import type { JournalRecord } from '../../src/domain/events.js';
import { makeTokens, postEnquiry, runCourtdesk, spawnBroker, type SpawnedBroker } from '../helpers/broker.js';
import { folderState, freshFolders } from '../helpers/folders.js';
import { received } from '../broker/journal/helpers.js';

const freshDir = freshFolders();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function stop(broker: SpawnedBroker): Promise<void> {
  broker.child.kill('SIGTERM');
  expect(await broker.exited).toBe(0);
}

const lines = async (file: string) => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

/** A folder a real broker wrote: `count` enquiries, a head every 2 events and one at its clean stop. */
async function brokerFolder(count: number): Promise<string> {
  const dir = await freshDir();
  const tokens = await makeTokens(dir);
  const broker = await spawnBroker(dir, ['--sign-every', '2']);
  for (let i = 1; i <= count; i++) await postEnquiry(broker.url, tokens.intake, { text: `question ${i}` });
  await stop(broker);
  return dir;
}

const verifyArgs = (dir: string) => ['journal', 'verify', '--data', dir];
const headsArgs = (dir: string, heads = join(dir, 'signed-heads.ndjson'), key = join(dir, 'journal-signing.pub')) => [...verifyArgs(dir), '--heads', heads, '--public-key', key];

/** The shell block under "Checking one head with openssl alone" in docs/records.md, exactly as written. */
async function opensslRecipe(): Promise<string> {
  const doc = await fs.readFile(fileURLToPath(new URL('../../docs/records.md', import.meta.url)), 'utf8');
  const from = doc.indexOf('**Checking one head with openssl alone**');
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(from));
  if (from === -1 || !block) throw new Error('docs/records.md has no openssl recipe');
  return block[1]!;
}
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('courtdesk journal, on a folder a real broker wrote', () => {
  it('verifies it, prints the facts, --json, its key; a clean stop appended a head', async () => {
    const dir = await brokerFolder(5);
    const heads = await lines(join(dir, 'signed-heads.ndjson'));
    expect(heads.map((l) => JSON.parse(l).seq)).toEqual([2, 4, 5]); // 5: the clean stop's

    const text = await runCourtdesk(verifyArgs(dir));
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^events {6}5 \(seq 1 to 5\)$/m);
    expect(text.stdout).toMatch(/^checkpoint  seq 5 at byte \d+: checks out$/m);
    expect(text.stdout).toMatch(/^ok: the journal verifies$/m);

    const json = await runCourtdesk([...headsArgs(dir), '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    const journal = await lines(join(dir, 'journal.ndjson'));
    expect(report).toMatchObject({
      ok: true,
      events: 5,
      firstSeq: 1,
      lastSeq: 5,
      headHash: JSON.parse(journal[5]!).hash,
      epochs: [{ epoch: JSON.parse(journal[0]!).epoch, fromSeq: 1 }],
      firstAt: JSON.parse(journal[1]!).at,
      lastAt: JSON.parse(journal[5]!).at,
      checkpoint: { ok: true, seq: 5 },
      heads: { count: 3, lastSeq: 5, problem: null },
      problem: null,
    });

    const key = await runCourtdesk(['journal', 'key', '--data', dir]);
    expect(key).toMatchObject({ code: 0, stdout: await fs.readFile(join(dir, 'journal-signing.pub'), 'utf8') });
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(key.stdout).not.toContain('PRIVATE');
  });

  it.skipIf(!hasOpenssl)('checks a head with openssl alone, by the recipe in docs/records.md', async () => {
    const dir = await brokerFolder(3);
    const recipe = await opensslRecipe();
    const run = () => spawnSync('bash', ['-e', '-c', recipe], { cwd: dir, encoding: 'utf8' });
    const good = run();
    expect(good.stdout + good.stderr).toContain('Signature Verified Successfully');
    expect(good.status).toBe(0);

    const file = join(dir, 'signed-heads.ndjson');
    const heads = await lines(file);
    const forged = JSON.parse(heads[heads.length - 1]!);
    forged.seq += 1;
    await fs.writeFile(file, `${[...heads.slice(0, -1), JSON.stringify(forged)].join('\n')}\n`);
    const bad = run();
    expect(bad.stdout + bad.stderr).toContain('Signature Verification Failure');
    expect(bad.status).not.toBe(0);
  });

  it('reads a running broker’s folder without taking its lock or writing anything', async () => {
    const dir = await freshDir();
    const tokens = await makeTokens(dir);
    const broker = await spawnBroker(dir);
    cleanups.push(() => stop(broker));
    for (let i = 1; i <= 3; i++) await postEnquiry(broker.url, tokens.intake, { text: `question ${i}` });
    // The broker itself writes which enquiry each content key went to a moment later: let it.
    await new Promise((r) => setTimeout(r, 300));
    const before = await folderState(dir);
    const result = await runCourtdesk(verifyArgs(dir));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await folderState(dir)).toEqual(before);
    expect((await fs.readFile(join(dir, 'journal.lock'), 'utf8')).trim()).toBe(String(broker.child.pid));
  });
});

describe('courtdesk journal verify, on damage', () => {
  it('exits 1 with one line naming the seq, the byte and what is wrong', async () => {
    const dir = await brokerFolder(4);
    const file = join(dir, 'journal.ndjson');
    const bytes = await fs.readFile(file);
    const third = nthLineStart(bytes, 3);
    const damaged = Buffer.from(bytes);
    damaged[third + 20] = damaged[third + 20]! ^ 0x01;
    await fs.writeFile(file, damaged);
    const result = await runCourtdesk(verifyArgs(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/warning: checkpoint .*: its HMAC checks out, but its record 4 cannot be compared with the journal, which is damaged from seq 3\n/); // a warning first
    const last = result.stderr.trim().split('\n').pop();
    expect(last).toBe(`courtdesk journal: ${file}: seq 3 at byte ${third}: its hash does not match its content and the record before it (hash mismatch); the journal was altered or damaged after it was written: restore it from a backup that verifies, and keep this copy for investigation`);
    expect(result.stdout).toMatch(/^events {6}2 \(seq 1 to 2\), verified before the problem below$/m);
    expect(result.stdout).toMatch(/^NOT OK: hash-mismatch$/m);

    await fs.writeFile(file, Buffer.concat([bytes, Buffer.from('{"seq":5,"at":')]));
    const torn = await runCourtdesk([...verifyArgs(dir), '--json']);
    expect(torn.code).toBe(1);
    expect(JSON.parse(torn.stdout)).toMatchObject({ ok: false, lastSeq: 4, problem: { kind: 'torn-tail', seq: 5, offset: bytes.length } });
    expect(torn.stderr).toMatch(/torn tail\); a broker started on this journal would cut them/);
  });

  it('splits a big journal across worker threads and still finds damage at its own seq', async () => {
    const dir = await freshDir();
    const store = new FileJournalStore({ dir });
    await store.open(() => {});
    for (let i = 0; i < 40; i++) await store.append(Array.from({ length: 1000 }, (_, k) => received(i * 1000 + k + 1))).durable;
    await store.close();
    const file = join(dir, 'journal.ndjson');
    const bytes = await fs.readFile(file);
    expect(bytes.length).toBeGreaterThan(10 * 1024 * 1024);

    const clean = await runCourtdesk([...verifyArgs(dir), '--json']);
    expect(clean.stderr).toBe(''); // no "verified a span on the main thread": the workers ran
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, events: 40_000, lastSeq: 40_000 });

    for (const seq of [1234, 20_001, 39_999]) {
      const at = nthLineStart(bytes, seq);
      const damaged = Buffer.from(bytes);
      damaged[at + 30] = damaged[at + 30]! ^ 0x01;
      await fs.writeFile(file, damaged);
      const result = await runCourtdesk([...verifyArgs(dir), '--json']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ events: seq - 1, problem: { seq, offset: at } });
    }
  });

  it('exits 2 with one line when there is nothing to verify or the flags are wrong', async () => {
    const dir = await freshDir();
    const none = await runCourtdesk(verifyArgs(dir));
    expect(none).toMatchObject({ code: 2, stdout: '', stderr: `courtdesk journal: no journal at ${join(dir, 'journal.ndjson')}: give --data the data folder that holds journal.ndjson\n` });
    const half = await runCourtdesk([...verifyArgs(dir), '--heads', 'x.ndjson']);
    expect(half).toMatchObject({ code: 2, stderr: 'courtdesk journal: --heads and --public-key go together: give the signed heads and the public key they are signed with\n' });
    const bogus = await runCourtdesk(['journal', 'verify', '--bogus']);
    expect(bogus).toMatchObject({ code: 2, stdout: '' });
    expect(bogus.stderr).toBe('courtdesk journal: unknown option --bogus. Run `courtdesk journal --help`.\n');
    expect(await runCourtdesk(['journal', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('courtdesk journal verify [--data DIR] [--json]') });
    const key = await runCourtdesk(['journal', 'key', '--data', dir]);
    expect(key).toMatchObject({ code: 1, stderr: `courtdesk journal: no signing key in ${dir}: a broker makes its key pair at its first start (courtdesk broker --data ${dir})\n` });
  });
});

describe('courtdesk journal verify --heads', () => {
  it('fails a journal rewritten and re-chained from seq 1, which plain verify passes', async () => {
    const dir = await brokerFolder(6);
    await fs.rm(join(dir, 'checkpoint.ndjson'));
    const file = join(dir, 'journal.ndjson');
    const journal = await lines(file);
    let prev = genesisHash(journal[0]!);
    const rewritten = [journal[0]!];
    for (const line of journal.slice(1)) {
      const r = JSON.parse(line) as JournalRecord;
      // Content is sealed, so the rewrite changes a field in the clear: the channel.
      if (r.event.type === 'enquiry.received') r.event.channel = r.event.channel === 'web' ? 'api' : 'web';
      const encoded = encodeRecord(prev, r.seq, r.at, r.actor, r.ref, r.event);
      rewritten.push(encoded.line);
      prev = encoded.record.hash;
    }
    await fs.writeFile(file, `${rewritten.join('\n')}\n`);

    expect((await runCourtdesk(verifyArgs(dir))).code).toBe(0);
    const result = await runCourtdesk(headsArgs(dir));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^signed heads .*: 4 up to seq 6, NOT all held \(below\)$/m);
    const said = JSON.parse(journal[2]!).hash;
    const has = JSON.parse(rewritten[2]!).hash;
    expect(result.stderr).toMatch(
      new RegExp(`^courtdesk journal: .*journal\\.ndjson: signed head at seq 2 says hash ${said} in epoch .*, the journal has hash ${has} there: the journal was rewritten from seq ≤ 2; restore it from a backup that verifies against these heads\\n$`),
    );
  });

  it('gives each other failure one line and a non-zero exit', async () => {
    const dir = await brokerFolder(4); // heads at 2, 4, 4
    const heads = join(dir, 'signed-heads.ndjson');
    const oneLine = (r: { stderr: string }) => expect(r.stderr.trim().split('\n')).toHaveLength(1);

    const noKey = await runCourtdesk(headsArgs(dir, heads, join(dir, 'nowhere.pem')));
    expect(noKey.code).toBe(2);
    oneLine(noKey);
    expect(noKey.stderr).toMatch(/cannot read the public key .*nowhere\.pem \(ENOENT\); give --public-key the PEM that `courtdesk journal key` printed/);

    await fs.writeFile(join(dir, 'bad.pem'), 'not a key');
    const badKey = await runCourtdesk(headsArgs(dir, heads, join(dir, 'bad.pem')));
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/bad\.pem is not a PEM public key/);

    const other = await brokerFolder(2);
    const foreign = await runCourtdesk(headsArgs(dir, join(other, 'signed-heads.ndjson'), join(other, 'journal-signing.pub')));
    expect(foreign.code).toBe(1);
    oneLine(foreign);
    expect(foreign.stderr).toMatch(/no head in .* is of an epoch this journal has/);

    const original = await fs.readFile(heads, 'utf8');
    await fs.writeFile(heads, original.replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"'));
    const forged = await runCourtdesk(headsArgs(dir));
    expect(forged.code).toBe(1);
    oneLine(forged);
    expect(forged.stderr).toMatch(/signed-heads\.ndjson line 1 \(seq 2\): its signature does not check with/);
    await fs.writeFile(heads, original);

    const file = join(dir, 'journal.ndjson');
    await fs.writeFile(file, `${(await lines(file)).slice(0, 4).join('\n')}\n`); // seq 4 gone
    const short = await runCourtdesk(headsArgs(dir));
    expect(short.code).toBe(1);
    expect(short.stderr.trim().split('\n').pop()).toMatch(/signed head at seq 4 \(signed .*\) is beyond the journal's end at seq 3: records were lost from its end/);
  });
});

describe('signed heads through the broker’s flags and environment', () => {
  it('takes --heads-copy, COURTDESK_HEADS_URL and COURTDESK_SIGN_EVERY', async () => {
    const dir = await freshDir();
    const elsewhere = await freshDir();
    const tokens = await makeTokens(dir);
    const posted: string[] = [];
    const witness = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posted.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => witness.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => witness.close(() => resolve())));
    const copy = join(elsewhere, 'heads.ndjson');
    const broker = await spawnBroker(dir, ['--heads-copy', copy], {
      COURTDESK_SIGN_EVERY: '1',
      COURTDESK_HEADS_URL: `http://127.0.0.1:${(witness.address() as AddressInfo).port}/heads`,
    });
    for (let i = 1; i <= 2; i++) await postEnquiry(broker.url, tokens.intake, { text: `question ${i}` });
    await stop(broker);
    const local = await lines(join(dir, 'signed-heads.ndjson'));
    expect(local.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 2]);
    expect(await lines(copy)).toEqual(local);
    expect(posted).toEqual(local);
  });
});

/** Where line `n` starts (0: the header, k: seq k). */
function nthLineStart(bytes: Buffer, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = bytes.indexOf(10, at) + 1;
  return at;
}

