// `courtdesk journal verify`'s checks on real journals written by the real store, damaged on disk
// the ways a disk, a bad copy or a person can: each must be found at its own seq and byte, on one
// thread and with the file cut into spans verified apart.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, CHECKPOINT_KEY_FILE } from '../../../src/broker/journal/checkpoint.js';
import { verifyJournal, type VerifyOptions } from '../../../src/broker/journal/verify.js';
import { startTestBroker } from '../../helpers/broker.js';
import { folderState } from '../../helpers/folders.js';
import { cleanUp, journalPath, journalWith, openAll, readLines, received, tempDir, writeLines } from './helpers.js';

afterEach(cleanUp);

/** One thread, and the file cut into up to five spans of a few records each. */
const layouts: Array<[string, VerifyOptions]> = [
  ['one span', { threads: 1 }],
  ['five spans', { threads: 5, spanBytes: 1 }],
];

/** Byte offsets of each line of the journal (index 0: the header, index k: seq k). */
async function lineOffsets(dir: string): Promise<number[]> {
  const lines = await readLines(dir);
  const offsets: number[] = [];
  let at = 0;
  for (const line of lines.slice(0, -1)) {
    offsets.push(at);
    at += Buffer.byteLength(line) + 1;
  }
  return offsets;
}

describe.each(layouts)('journal verify (%s)', (_name, layout) => {
  it('reports the facts of a sound journal', async () => {
    const dir = await tempDir();
    const records = await journalWith(dir, 30);
    const report = await verifyJournal(dir, layout);
    const header = JSON.parse((await readLines(dir))[0]!);
    expect(report).toMatchObject({
      ok: true,
      events: 30,
      firstSeq: 1,
      lastSeq: 30,
      headHash: records[29]!.hash,
      journal: header.epoch,
      epochs: [{ epoch: header.epoch, fromSeq: 1 }],
      firstAt: records[0]!.at,
      lastAt: records[29]!.at,
      checkpoint: null,
      heads: null,
      problem: null,
    });
    expect(report.bytes).toBe((await fs.stat(journalPath(dir))).size);
  });

  it('finds a flipped byte in any record at that record, whichever span it falls in', async () => {
    const dir = await tempDir();
    await journalWith(dir, 24);
    const original = await fs.readFile(journalPath(dir));
    const offsets = await lineOffsets(dir);
    for (let seq = 1; seq <= 24; seq++) {
      const bytes = Buffer.from(original);
      const at = offsets[seq]! + 17; // a digit of the "at" timestamp: still JSON, another record
      bytes[at] = bytes[at]! ^ 0x01;
      await fs.writeFile(journalPath(dir), bytes);
      const { ok, problem, events, lastSeq } = await verifyJournal(dir, layout);
      expect({ seq, ok, kind: problem?.kind, at: problem?.seq, offset: problem?.offset }).toEqual({ seq, ok: false, kind: 'hash-mismatch', at: seq, offset: offsets[seq] });
      expect(problem?.message).toMatch(new RegExp(`^seq ${seq} at byte ${offsets[seq]}: .*hash mismatch.*restore it from a backup`));
      expect([events, lastSeq]).toEqual([seq - 1, seq === 1 ? null : seq - 1]);
    }
  });

  it('finds a deleted line as a seq gap where the missing record was', async () => {
    const dir = await tempDir();
    await journalWith(dir, 20);
    const offsets = await lineOffsets(dir);
    const lines = await readLines(dir);
    lines.splice(11, 1); // seq 11
    await writeLines(dir, lines);
    const { problem } = await verifyJournal(dir, layout);
    expect(problem).toMatchObject({ kind: 'seq-gap', seq: 11, offset: offsets[11] });
    expect(problem?.message).toMatch(/^seq 11 at byte \d+: the record there is seq 12 \(seq gap: seq 11 missing\)/);
  });

  it('finds a repeated record as a seq gap', async () => {
    const dir = await tempDir();
    await journalWith(dir, 20);
    const lines = await readLines(dir);
    lines.splice(8, 0, lines[7]!); // seq 7 twice
    await writeLines(dir, lines);
    const { problem } = await verifyJournal(dir, layout);
    expect(problem).toMatchObject({ kind: 'seq-gap', seq: 8 });
    expect(problem?.message).toMatch(/the record there is seq 7 \(seq gap: seq 7 repeated or moved\)/);
  });

  it('finds a line that is not JSON', async () => {
    const dir = await tempDir();
    await journalWith(dir, 20);
    const offsets = await lineOffsets(dir);
    const lines = await readLines(dir);
    lines[14] = '{"seq":14,"at":"2026-01-01T00:00:00.000Z","actor":{"kind":';
    await writeLines(dir, lines);
    const { problem } = await verifyJournal(dir, layout);
    expect(problem).toMatchObject({ kind: 'bad-json', seq: 14, offset: offsets[14] });
    expect(problem?.message).toMatch(/bad JSON/);
  });

  it('reports bytes after the last newline as a torn tail, saying a broker would cut them', async () => {
    const dir = await tempDir();
    await journalWith(dir, 20);
    const size = (await fs.stat(journalPath(dir))).size;
    await fs.appendFile(journalPath(dir), '{"seq":21,"at":"2026-');
    const report = await verifyJournal(dir, layout);
    expect(report).toMatchObject({ ok: false, events: 20, lastSeq: 20, problem: { kind: 'torn-tail', seq: 21, offset: size } });
    expect(report.problem?.message).toMatch(/the 21 bytes after the last newline are an incomplete record \(torn tail\); a broker started on this journal would cut them.*not a clean copy/);
  });

  it('reads on when the file grows while it is read, as a live broker’s does, rather than calling its end torn', async () => {
    const dir = await tempDir();
    await journalWith(dir, 3000);
    const lines = await readLines(dir);
    const last = lines[3000]!;
    await writeLines(dir, [...lines.slice(0, 3000), last.slice(0, 40)]);
    const verifying = verifyJournal(dir, layout);
    await fs.appendFile(journalPath(dir), `${last.slice(40)}\n`);
    expect(await verifying).toMatchObject({ ok: true, lastSeq: 3000, problem: null });
  });

  it('reports a last record without its newline as a torn tail a broker would keep', async () => {
    const dir = await tempDir();
    await journalWith(dir, 20);
    const offsets = await lineOffsets(dir);
    const bytes = await fs.readFile(journalPath(dir));
    await fs.writeFile(journalPath(dir), bytes.subarray(0, bytes.length - 1));
    const { problem, lastSeq } = await verifyJournal(dir, layout);
    expect(lastSeq).toBe(19);
    expect(problem).toMatchObject({ kind: 'torn-tail', seq: 20, offset: offsets[20] });
    expect(problem?.message).toMatch(/lacks its final newline.*would put the newline back and keep it/);
  });

  it('refuses a file that is not a journal, and an empty one', async () => {
    const dir = await tempDir();
    await fs.writeFile(journalPath(dir), '{"hello":"world"}\n');
    expect((await verifyJournal(dir, layout)).problem).toMatchObject({ kind: 'bad-header', seq: null, offset: 0 });
    await fs.writeFile(journalPath(dir), '');
    expect((await verifyJournal(dir, layout)).problem?.message).toMatch(/the journal is empty/);
  });
});

describe('journal verify: epochs, checkpoints, a live broker', () => {
  it('lists each epoch from the seq where a journal.epoch-started record began it', async () => {
    const dir = await tempDir();
    await journalWith(dir, 6);
    const lines = await readLines(dir);
    const offsets = await lineOffsets(dir);
    lines[6] = lines[6]!.replace('"web"', '"sms"'); // damage the last record, then cut it on purpose
    await writeLines(dir, lines);
    const { store, opened } = await openAll(dir, { repair: { truncateAt: offsets[6] } });
    await store.append([received(7)]).durable;
    await store.close();
    const report = await verifyJournal(dir, { threads: 3, spanBytes: 1 });
    const first = JSON.parse(lines[0]!).epoch;
    expect(report.ok).toBe(true);
    expect(report.epochs).toEqual([
      { epoch: first, fromSeq: 1 },
      { epoch: opened.epoch, fromSeq: 6 },
    ]);
    expect(report.lastSeq).toBe(7);
  });

  it('checks the checkpoint a broker wrote, and only warns about one that does not check out', async () => {
    const t = await startTestBroker({ checkpointEvery: 0 });
    for (let i = 0; i < 5; i++) await t.post('/v1/enquiries', { channel: 'web', from: `c${i}@example.org`, text: `question ${i}` });
    const dir = t.dataDir;
    await t.broker.close();
    try {
      const good = await verifyJournal(dir);
      expect(good.checkpoint).toMatchObject({ ok: true, seq: 5, offset: good.bytes, warning: null });
      expect(good.warnings).toEqual([]);

      const checkpoint = join(dir, CHECKPOINT_FILE);
      const original = await fs.readFile(checkpoint);
      const edited = Buffer.from(original);
      edited[original.indexOf('question 2')] = 'Q'.charCodeAt(0);
      await fs.writeFile(checkpoint, edited);
      const tampered = await verifyJournal(dir);
      expect(tampered.ok).toBe(true);
      expect(tampered.checkpoint).toMatchObject({ ok: false });
      expect(tampered.warnings.join('\n')).toMatch(/its HMAC does not match its content/);

      await fs.writeFile(checkpoint, original);
      const key = await fs.readFile(join(dir, CHECKPOINT_KEY_FILE));
      await fs.rm(join(dir, CHECKPOINT_KEY_FILE));
      expect((await verifyJournal(dir)).checkpoint?.warning).toMatch(/checkpoint\.key is missing/);
      await fs.writeFile(join(dir, CHECKPOINT_KEY_FILE), key);

      const lines = await readLines(dir);
      await writeLines(dir, [...lines.slice(0, 4), '']); // seq 4 and 5 gone from the end
      const short = await verifyJournal(dir);
      expect(short.ok).toBe(true);
      expect(short.checkpoint?.warning).toMatch(/proves seq 5 was written, and the journal ends at seq 3: records were lost from its end, and a broker will refuse to start/);

      const other = await tempDir();
      await journalWith(other, 5);
      await fs.copyFile(checkpoint, join(other, CHECKPOINT_FILE));
      await fs.copyFile(join(dir, CHECKPOINT_KEY_FILE), join(other, CHECKPOINT_KEY_FILE));
      expect((await verifyJournal(other)).checkpoint?.warning).toMatch(/it was made for journal .*, and this journal is/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a running broker’s folder without taking its lock or writing anything', async () => {
    const t = await startTestBroker();
    try {
      for (let i = 0; i < 5; i++) await t.post('/v1/enquiries', { channel: 'web', from: `c${i}@example.org`, text: `question ${i}` });
      const before = await folderState(t.dataDir);
      const report = await verifyJournal(t.dataDir, { threads: 2, spanBytes: 1 });
      expect(report).toMatchObject({ ok: true, events: 5 });
      expect(await folderState(t.dataDir)).toEqual(before);
      expect((await fs.readFile(join(t.dataDir, 'journal.lock'), 'utf8')).trim()).toBe(String(process.pid));
      // Still the broker's: it goes on writing.
      expect((await t.post('/v1/enquiries', { channel: 'web', from: 'late@example.org', text: 'one more' })).status).toBe(201);
    } finally {
      await t.close();
    }
  });
});

