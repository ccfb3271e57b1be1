// verify --heads against heads a real broker signed: a journal rewritten and re-chained (so that
// it verifies on its own) must fail at the first signed head it no longer holds, and every way the
// heads or the key can be wrong must say so.
import { generateKeyPairSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/events.js';
import { encodeRecord, genesisHash, newHeaderLine } from '../../../src/broker/journal/record-format.js';
import { CannotVerify, verifyJournal } from '../../../src/broker/journal/verify.js';
import { makeTokens, postEnquiry, startTestBroker, type TestTokens } from '../../helpers/broker.js';
import { cleanUp, readLines, tempDir, writeLines } from './helpers.js';

afterEach(cleanUp);

interface Signed {
  dir: string;
  tokens: TestTokens;
  heads: string;
  pub: string;
}

/** A broker's folder with `count` enquiries and a head signed every 3 events and at its stop. */
async function signedJournal(count: number): Promise<Signed> {
  const dir = await tempDir();
  const tokens = await makeTokens(dir);
  const t = await startTestBroker({ signEvery: 3, signIntervalMs: 0 }, { dataDir: dir, tokens });
  for (let i = 1; i <= count; i++) await postEnquiry(t.url, tokens.intake, { from: `c${i}@example.org`, text: `question ${i}` });
  await t.broker.close();
  await fs.rm(join(dir, 'checkpoint.ndjson')); // the rewrites below would only make it warn
  return { dir, tokens, heads: join(dir, 'signed-heads.ndjson'), pub: join(dir, 'journal-signing.pub') };
}

const withHeads = (s: Signed) => ({ heads: { file: s.heads, publicKeyFile: s.pub } });

/** Rewrites the journal as a forger would: `edit` changes records, then every hash is computed afresh, so the chain holds. */
async function rechain(dir: string, edit: (record: JournalRecord) => void, headerLine?: string): Promise<void> {
  const lines = await readLines(dir);
  const header = headerLine ?? lines[0]!;
  let prev = genesisHash(header);
  const out = [header];
  for (const line of lines.slice(1, -1)) {
    const record = JSON.parse(line) as JournalRecord;
    edit(record);
    const encoded = encodeRecord(prev, record.seq, record.at, record.actor, record.ref, record.event);
    out.push(encoded.line);
    prev = encoded.record.hash;
  }
  await writeLines(dir, [...out, '']);
}

const changeText = (seq: number) => (record: JournalRecord) => {
  if (record.seq === seq && record.event.type === 'enquiry.received') record.event.channel = record.event.channel === 'web' ? 'api' : 'web'; // sealed content is not in the clear to change
};

describe('journal verify --heads', () => {
  it('passes a journal that holds every signed head', async () => {
    const s = await signedJournal(10);
    const report = await verifyJournal(s.dir, withHeads(s));
    expect(report.ok).toBe(true);
    expect(report.heads).toMatchObject({ file: s.heads, count: 4, lastSeq: 10, givenUp: 0, problem: null });
  });

  it('fails a journal rewritten from the middle at the first head past the rewrite, though it verifies on its own', async () => {
    const s = await signedJournal(10);
    const before = (await readLines(s.dir))[6]!; // seq 6
    await rechain(s.dir, changeText(5));
    expect(await verifyJournal(s.dir)).toMatchObject({ ok: true, problem: null });

    const report = await verifyJournal(s.dir, withHeads(s));
    const now = JSON.parse((await readLines(s.dir))[6]!).hash;
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: 'rewritten', seq: 6 });
    expect(report.problem?.message).toBe(
      `signed head at seq 6 says hash ${JSON.parse(before).hash} in epoch ${JSON.parse((await readLines(s.dir))[0]!).epoch}, the journal has hash ${now} there: ` +
        'the journal was rewritten from seq ≤ 6 (after seq 3, whose signed head it still holds); restore it from a backup that verifies against these heads',
    );
    const offset = (await readLines(s.dir)).slice(0, 6).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(report.problem?.offset).toBe(offset);
  });

  it('fails a whole-file rewrite from seq 1 under the same header at the first head', async () => {
    const s = await signedJournal(10);
    await rechain(s.dir, changeText(1));
    expect((await verifyJournal(s.dir)).ok).toBe(true);
    expect((await verifyJournal(s.dir, withHeads(s))).problem).toMatchObject({ kind: 'rewritten', seq: 3, message: expect.stringMatching(/rewritten from seq ≤ 3; restore/) });
  });

  it('fails a whole-file rewrite under a fresh header: no head is of its epoch', async () => {
    const s = await signedJournal(10);
    await rechain(s.dir, () => {}, newHeaderLine(new Date()));
    expect((await verifyJournal(s.dir)).ok).toBe(true);
    expect((await verifyJournal(s.dir, withHeads(s))).problem).toMatchObject({
      kind: 'other-journal',
      message: expect.stringMatching(/^no head in .* is of an epoch this journal has .*: either the heads are another journal's .*, or this journal was replaced wholesale/),
    });
  });

  it('fails a journal that lost records from its end, naming the head beyond it', async () => {
    const s = await signedJournal(10);
    const lines = await readLines(s.dir);
    await writeLines(s.dir, [...lines.slice(0, 9), '']); // up to seq 8
    expect((await verifyJournal(s.dir)).ok).toBe(true);
    expect((await verifyJournal(s.dir, withHeads(s))).problem).toMatchObject({
      kind: 'lost-records',
      seq: 9,
      message: expect.stringMatching(/^signed head at seq 9 \(signed .*\) is beyond the journal's end at seq 8: records were lost from its end .*restore a journal that holds seq 9$/),
    });
  });

  it('fails a head whose signature does not check', async () => {
    const s = await signedJournal(10);
    const heads = (await fs.readFile(s.heads, 'utf8')).split('\n');
    const forged = JSON.parse(heads[1]!);
    forged.at = '2020-01-01T00:00:00.000Z';
    heads[1] = JSON.stringify(forged);
    await fs.writeFile(s.heads, heads.join('\n'));
    expect((await verifyJournal(s.dir, withHeads(s))).problem).toMatchObject({
      kind: 'bad-signature',
      seq: 6,
      message: expect.stringMatching(/line 2 \(seq 6\): its signature does not check with .*journal-signing\.pub: the line was altered, or the key is not this broker's/),
    });
    // Another broker's key is no better.
    const other = join(s.dir, 'other.pub');
    await fs.writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    await fs.writeFile(s.heads, (await fs.readFile(s.heads, 'utf8')).replace(heads[1]!, ''));
    expect((await verifyJournal(s.dir, { heads: { file: s.heads, publicKeyFile: other } })).problem).toMatchObject({ kind: 'bad-signature', seq: 3 });
  });

  it('passes heads of records an operator gave up with a recorded cut, and says so', async () => {
    const s = await signedJournal(9); // heads at 3, 6, 9, 9
    const lines = await readLines(s.dir);
    lines[9] = lines[9]!.replace('"messageId":"', '"messageId":"X'); // the last record damaged (its content is sealed, so a field in the clear)
    await writeLines(s.dir, lines);
    const offset = lines.slice(0, 9).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const t = await startTestBroker({ journalRepair: { truncateAt: offset } }, { dataDir: s.dir, tokens: s.tokens });
    await postEnquiry(t.url, s.tokens.intake, { text: 'after the cut' });
    await t.broker.close(); // heads at seq 10 in the new epoch

    const report = await verifyJournal(s.dir, withHeads(s));
    expect(report.ok).toBe(true);
    expect(report.epochs).toHaveLength(2);
    expect(report.heads).toMatchObject({ count: 5, givenUp: 2, problem: null });
    expect(report.warnings.join('\n')).toMatch(/2 signed head\(s\) are of records an operator gave up/);
  });

  it('refuses to check with no usable key or heads, saying what to give', async () => {
    const s = await signedJournal(3);
    const check = (file: string, publicKeyFile: string) => verifyJournal(s.dir, { heads: { file, publicKeyFile } });
    await expect(check(s.heads, join(s.dir, 'missing.pub'))).rejects.toBeInstanceOf(CannotVerify);
    await expect(check(s.heads, join(s.dir, 'missing.pub'))).rejects.toThrow(new CannotVerify(`cannot read the public key ${join(s.dir, 'missing.pub')} (ENOENT); give --public-key the PEM that \`courtdesk journal key\` printed for this broker`));
    await fs.writeFile(join(s.dir, 'junk.pub'), 'hello\n');
    await expect(check(s.heads, join(s.dir, 'junk.pub'))).rejects.toThrow(/junk\.pub is not a PEM public key; give --public-key/);
    await fs.writeFile(join(s.dir, 'rsa.pub'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(check(s.heads, join(s.dir, 'rsa.pub'))).rejects.toThrow(/rsa\.pub is not an Ed25519 public key \(it holds a key of type rsa\); give --public-key/);
    await expect(check(join(s.dir, 'nope.ndjson'), s.pub)).rejects.toThrow(/cannot read the signed heads .*nope\.ndjson \(ENOENT\); give --heads/);
    await fs.writeFile(join(s.dir, 'empty.ndjson'), 'not a head\n');
    await expect(check(join(s.dir, 'empty.ndjson'), s.pub)).rejects.toThrow(/empty\.ndjson holds no signed heads/);
    await fs.appendFile(s.heads, '{"epoch":"cut sh');
    const report = await check(s.heads, s.pub);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([`${s.heads}: skipped line(s) 3, which are not signed heads (a write cut short?)`]);
  });
});
