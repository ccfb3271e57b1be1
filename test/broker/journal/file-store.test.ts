import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/events.js';
import { FileJournalStore, LOCK_FILE } from '../../../src/broker/journal/file-store.js';
import {
  claimed,
  cleanUp,
  journalPath,
  journalWith,
  openAll,
  readLines,
  received,
  sha256hex,
  store,
  tempDir,
} from './helpers.js';

afterEach(cleanUp);

describe('FileJournalStore round trip', () => {
  it('creates an empty journal, then replays exactly what was appended', async () => {
    const dir = join(await tempDir(), 'data', 'nested');
    const first = await openAll(dir);
    expect(first.opened).toMatchObject({ lastSeq: 0, warnings: [] });
    expect(first.opened.epoch).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.records).toEqual([]);

    const a = first.store.append([received(1), received(2)]);
    const b = first.store.append([claimed(1, 'r-claim-1')]);
    expect(a.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(b.records.map((r) => r.seq)).toEqual([3]);
    expect('ref' in a.records[0]!).toBe(false);
    expect(b.records[0]!.ref).toBe('r-claim-1');
    await Promise.all([a.durable, b.durable]);
    await first.store.close();

    const second = await openAll(dir);
    expect(second.opened).toEqual({ epoch: first.opened.epoch, lastSeq: 3, lastHash: b.records[0]!.hash, resumedAfter: 0, warnings: [] });
    expect(second.records).toEqual([...a.records, ...b.records]);
  });

  it('writes the documented format: header, then body-plus-hash lines chained by sha256', async () => {
    const dir = await tempDir();
    const s = store(dir);
    await s.open(() => {});
    await s.append([received(1), claimed(1, 'r1')]).durable;
    await s.close();

    const lines = await readLines(dir);
    expect(lines).toHaveLength(4); // header, two records, and '' after the final newline
    expect(lines[3]).toBe('');
    const header = JSON.parse(lines[0]!);
    expect(Object.keys(header)).toEqual(['journal', 'version', 'epoch', 'createdAt']);
    if (process.platform !== 'win32') expect((await fs.stat(journalPath(dir))).mode & 0o777).toBe(0o600);
    expect(header).toMatchObject({ journal: 'courtdesk', version: 1 });

    // Rebuild each line independently of the store's own code.
    let prev = sha256hex(lines[0]!);
    for (const line of lines.slice(1, 3)) {
      const { hash, ...rest } = JSON.parse(line);
      const body = JSON.stringify(rest);
      expect(Object.keys(rest).slice(0, 3)).toEqual(['seq', 'at', 'actor']);
      expect(hash).toBe(sha256hex(prev + body));
      expect(line).toBe(`${body.slice(0, -1)},"hash":"${hash}"}`);
      prev = hash;
    }
  });

  it('reopening continues the seq and the hash chain', async () => {
    const dir = await tempDir();
    const original = await journalWith(dir, 3);

    const reopened = await openAll(dir);
    const next = reopened.store.append([received(4)]);
    expect(next.records[0]!.seq).toBe(4);
    await next.durable;
    await reopened.store.close();

    const lines = await readLines(dir);
    const fourth = JSON.parse(lines[4]!);
    const { hash, ...rest } = fourth;
    expect(hash).toBe(sha256hex(original[2]!.hash + JSON.stringify(rest)));

    const again = await openAll(dir);
    expect(again.opened.lastSeq).toBe(4);
    expect(again.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('replays a journal bigger than one read, with lines across the read boundaries', async () => {
    const dir = await tempDir();
    const written = await journalWith(dir, 20_000); // about 6 MB
    expect((await fs.stat(journalPath(dir))).size).toBeGreaterThan(4 * 1024 * 1024);
    const { records } = await openAll(dir);
    expect(records).toHaveLength(20_000);
    expect(records[19_999]).toEqual(written[19_999]);
  });

  it('keeps its epoch across restarts, and each new journal gets its own', async () => {
    const dirA = await tempDir();
    const dirB = await tempDir();
    await journalWith(dirA, 1);
    await journalWith(dirB, 1);
    const a1 = await openAll(dirA);
    await a1.store.close();
    const a2 = await openAll(dirA);
    const b = await openAll(dirB);
    expect(a2.opened.epoch).toBe(a1.opened.epoch);
    expect(b.opened.epoch).not.toBe(a1.opened.epoch);
  });

  it('stamps every record of a batch with the injected clock', async () => {
    const dir = await tempDir();
    const s = new FileJournalStore({ dir, now: () => new Date('2025-03-10T09:30:00Z') });
    await s.open(() => {});
    const { records, durable } = s.append([received(1), received(2)]);
    await durable;
    await s.close();
    expect(records.map((r) => r.at)).toEqual(['2025-03-10T09:30:00.000Z', '2025-03-10T09:30:00.000Z']);
  });
});

describe('group commit', () => {
  it('makes 2,000 appends from one tick durable with far fewer commits, in order', async () => {
    const dir = await tempDir();
    const s = store(dir);
    await s.open(() => {});
    const commits: JournalRecord[][] = [];
    s.onCommit((records) => commits.push(records));

    const resolvedOrder: number[] = [];
    const appended = Array.from({ length: 2_000 }, (_, i) => s.append([received(i + 1)]));
    const durables = appended.map(({ records, durable }) => durable.then(() => resolvedOrder.push(records[0]!.seq)));
    await Promise.all(durables);

    expect(commits.length).toBeGreaterThan(0);
    expect(commits.length).toBeLessThan(100);
    expect(commits.flat().map((r) => r.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(resolvedOrder).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    await s.close();

    const reopened = await openAll(dir);
    expect(reopened.records.map((r) => r.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(reopened.records.map((r) => r.event)).toEqual(appended.map((a) => a.records[0]!.event));
  });

  it('puts an append made while a commit is in progress into a later commit', async () => {
    const dir = await tempDir();
    const s = store(dir);
    await s.open(() => {});
    const commits: number[][] = [];
    let late: Promise<void> | undefined;
    s.onCommit((records) => {
      commits.push(records.map((r) => r.seq));
      late ??= s.append([received(99)]).durable;
    });
    await s.append([received(1), received(2)]).durable;
    await late;
    expect(commits).toEqual([[1, 2], [3]]);
  });

  it('flush waits for everything appended so far; an empty batch is durable once that is', async () => {
    const dir = await tempDir();
    const s = store(dir);
    await s.open(() => {});
    await s.flush();
    let committed = 0;
    s.onCommit((records) => (committed += records.length));
    s.append([received(1)]);
    s.append([received(2)]);
    const empty = s.append([]);
    expect(empty.records).toEqual([]);
    await empty.durable;
    expect(committed).toBe(2);
    s.append([received(3)]);
    await s.flush();
    expect(committed).toBe(3);
  });

  it('refuses appends before open and after close, and bad records without using up a seq', async () => {
    const dir = await tempDir();
    const s = store(dir);
    expect(() => s.append([received(1)])).toThrow(/not open/);
    await s.open(() => {});
    expect(() => s.append([received(1), { actor: { kind: 'intake', name: 'x' } } as never])).toThrow(/event with a string type/);
    expect(s.append([received(1)]).records[0]!.seq).toBe(1);
    await s.close();
    expect(() => s.append([received(2)])).toThrow(/closed/);
    await expect(fs.stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    const reopened = await openAll(dir);
    expect(reopened.opened.lastSeq).toBe(1);
  });
});

describe('recovery from a crash mid-write', () => {
  it('cuts a record torn mid-line, warns with the bytes and seq, and appends continue from there', async () => {
    const dir = await tempDir();
    await journalWith(dir, 4);
    const goodSize = (await fs.stat(journalPath(dir))).size;
    // What a crash during the write of record 5 leaves: the first part of its line.
    const next = await nextLineFor(dir, 5);
    const torn = Buffer.from(next).subarray(0, 57);
    await fs.appendFile(journalPath(dir), torn);

    const { store: s, records, opened } = await openAll(dir);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(opened.lastSeq).toBe(4);
    expect(opened.warnings).toEqual([
      'journal: dropped a torn tail of 57 bytes after seq 4 (the record for seq 5 was incomplete; it was never acknowledged)',
    ]);
    expect((await fs.stat(journalPath(dir))).size).toBe(goodSize);

    const appended = s.append([received(5)]);
    expect(appended.records[0]!.seq).toBe(5);
    await appended.durable;
    await s.close();
    const again = await openAll(dir);
    expect(again.opened).toMatchObject({ lastSeq: 5, warnings: [] });
  });

  it('keeps a whole record that lacks only its newline, and puts the newline back: it may have been acknowledged', async () => {
    const dir = await tempDir();
    await journalWith(dir, 2);
    const next = (await nextLineFor(dir, 3)).slice(0, -1);
    await fs.appendFile(journalPath(dir), next);
    const { opened, records, store: s } = await openAll(dir);
    expect(opened.lastSeq).toBe(3);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(opened.warnings).toEqual(['journal: the last record (seq 3) had lost its final newline; it verifies, so it was kept and the newline put back']);
    await s.append([received(4)]).durable;
    await s.close();
    expect((await openAll(dir)).opened).toMatchObject({ lastSeq: 4, warnings: [] });
  });

  it('cuts garbage without a newline, but refuses zero bytes ending in one: a complete line that does not verify is damage', async () => {
    const dir = await tempDir();
    await journalWith(dir, 3);
    await fs.appendFile(journalPath(dir), 'xx{"seq":');
    const first = await openAll(dir);
    expect(first.opened.warnings).toEqual([
      'journal: dropped a torn tail of 9 bytes after seq 3 (the record for seq 4 was incomplete; it was never acknowledged)',
    ]);
    await first.store.close();

    const goodSize = (await fs.stat(journalPath(dir))).size;
    await fs.appendFile(journalPath(dir), Buffer.concat([Buffer.alloc(4096), Buffer.from('\n'), Buffer.alloc(100)]));
    await expect(openAll(dir)).rejects.toThrow(new RegExp(`line 5 \\(where seq 4 should be\\).*at byte ${goodSize}.*--truncate-journal-at ${goodSize}`));
  });

  it('cuts a torn first record right after the header', async () => {
    const dir = await tempDir();
    await journalWith(dir, 0);
    await fs.appendFile(journalPath(dir), '{"seq":1,"at":"202'); // 18 bytes
    const { opened, store: s } = await openAll(dir);
    expect(opened.warnings[0]).toMatch(/torn tail of 18 bytes after seq 0 \(the record for seq 1/);
    expect(s.append([received(1)]).records[0]!.seq).toBe(1);
  });

  it('skips a zero-filled tail longer than any record without holding it in memory', async () => {
    const dir = await tempDir();
    await journalWith(dir, 2);
    const goodSize = (await fs.stat(journalPath(dir))).size;
    const zeros = 70 * 1024 * 1024;
    await fs.truncate(journalPath(dir), goodSize + zeros); // sparse: cheap to make
    const { opened } = await openAll(dir);
    expect(opened.lastSeq).toBe(2);
    expect(opened.warnings[0]).toMatch(new RegExp(`torn tail of ${zeros} bytes after seq 2 `));
    expect((await fs.stat(journalPath(dir))).size).toBe(goodSize);
  });

  it('refuses a last record that fails its hash, naming its seq and byte; the operator may cut it, which starts a new epoch', async () => {
    const dir = await tempDir();
    await journalWith(dir, 3);
    const lines = await readLines(dir);
    const offset = Buffer.byteLength(lines.slice(0, 3).join('\n')) + 1;
    const damaged = lines[3]!.replace('E3', 'E9');
    lines[3] = damaged;
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(openAll(dir)).rejects.toThrow(
      new RegExp(`line 4 \\(seq 3\\): its hash does not match.*at byte ${offset}.*losing seq 3 onwards.*--truncate-journal-at ${offset}`),
    );
    // Another offset than the one named cuts nothing.
    await expect(openAll(dir, { repair: { truncateAt: offset + 1 } })).rejects.toThrow(/--truncate-journal-at/);

    const { opened, records, store: s } = await openAll(dir, { repair: { truncateAt: offset } });
    expect(records.map((r) => r.event.type)).toEqual(['enquiry.received', 'enquiry.received', 'journal.epoch-started']);
    expect(records[2]!.event).toMatchObject({ lostFromSeq: 3, reason: expect.stringMatching(new RegExp(`cut the journal at byte ${offset}`)) });
    expect(opened.epoch).not.toBe(lines[0]!.match(/"epoch":"([^"]+)"/)![1]);
    expect(opened.warnings.join('\n')).toMatch(/started epoch .* at seq 3/);
    expect(await fs.readFile(`${journalPath(dir)}.cut-at-${offset}`, 'utf8')).toBe(`${damaged}\n`);
    await s.close();
    // The new epoch holds across restarts: it is in the journal.
    const again = await openAll(dir);
    expect(again.opened).toMatchObject({ epoch: opened.epoch, lastSeq: 3, warnings: [] });
  });
});

describe('a damaged or altered journal', () => {
  it('refuses to open when a record in the middle was modified, naming the line', async () => {
    const dir = await tempDir();
    await journalWith(dir, 5);
    const lines = await readLines(dir);
    lines[3] = lines[3]!.replace('"M3"', '"M7"');
    await fs.writeFile(journalPath(dir), lines.join('\n'));

    const seen: number[] = [];
    const s = store(dir);
    const opening = s.open((r) => seen.push(r.seq));
    await expect(opening).rejects.toThrow(/line 4 \(seq 3\): its hash does not match/);
    await expect(opening).rejects.toThrow(/altered or damaged.*refuses to start.*backup/);
    expect(seen).toEqual([1, 2]);
    // The refusal released the lock: trying again gives the same answer, not a lock error.
    await expect(store(dir).open(() => {})).rejects.toThrow(/line 4 \(seq 3\)/);
  });

  it('refuses to open when a middle line was deleted (a seq gap)', async () => {
    const dir = await tempDir();
    await journalWith(dir, 5);
    const lines = await readLines(dir);
    lines.splice(3, 1);
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(store(dir).open(() => {})).rejects.toThrow(/line 4 \(seq 4\): it has seq 4 where seq 3 should be.*altered or damaged/);
  });

  it('refuses when the second-to-last record was deleted, though the gap is at the end', async () => {
    const dir = await tempDir();
    await journalWith(dir, 3);
    const lines = await readLines(dir);
    lines.splice(2, 1);
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(store(dir).open(() => {})).rejects.toThrow(/line 3 \(seq 3\): it has seq 3 where seq 2 should be/);
  });

  it('refuses when an unreadable line has good records after it', async () => {
    const dir = await tempDir();
    await journalWith(dir, 4);
    const lines = await readLines(dir);
    lines[2] = lines[2]!.slice(0, 40);
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(store(dir).open(() => {})).rejects.toThrow(
      /line 3 \(where seq 2 should be\): it is not a complete journal record, and records follow it\. The journal was altered/,
    );
  });

  it('refuses a file that is not a courtdesk journal, an empty one, or a newer version', async () => {
    const dir = await tempDir();
    await fs.writeFile(journalPath(dir), 'hello\n');
    await expect(store(dir).open(() => {})).rejects.toThrow(/journal\.ndjson is not a journal this broker can read: line 1 is not a journal header/);
    await fs.writeFile(journalPath(dir), '');
    await expect(store(dir).open(() => {})).rejects.toThrow(/it is empty.*refuses to start/);
    await fs.writeFile(journalPath(dir), '{"journal":"courtdesk","version":2,"epoch":"e","createdAt":"x"}\n');
    await expect(store(dir).open(() => {})).rejects.toThrow(/format version 2 but this broker reads version 1/);
  });
});

describe('the data folder lock', () => {
  it('lets only one store use a folder at a time', async () => {
    const dir = await tempDir();
    const first = await openAll(dir);
    await expect(store(dir).open(() => {})).rejects.toThrow(
      `another broker (pid ${process.pid}) is using ${dir}; stop it or use another --data folder`,
    );
    await first.store.close();
    const second = await openAll(dir);
    expect(second.opened.lastSeq).toBe(0);
    await expect(second.store.open(() => {})).rejects.toThrow(/already opened/);
  });

  it('takes over a lock left by a process that is no longer running', async () => {
    const dir = await tempDir();
    await journalWith(dir, 2);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await fs.writeFile(join(dir, LOCK_FILE), `${gone}\n`);
    const logged: string[] = [];
    const { opened } = await openAll(dir, { log: (msg) => logged.push(msg) });
    expect(opened.lastSeq).toBe(2);
    expect(logged.join('\n')).toMatch(new RegExp(`stale lock .* \\(pid ${gone} is not running\\)`));
    expect((await fs.readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
  });

  it('takes over a lock carrying its own pid that it does not hold (a restarted container)', async () => {
    const dir = await tempDir();
    await fs.writeFile(join(dir, LOCK_FILE), `${process.pid}\n`);
    const { opened } = await openAll(dir);
    expect(opened.lastSeq).toBe(0);
  });

  it('keeps a lock whose pid is unreadable for a moment: its owner may still be writing it', async () => {
    const dir = await tempDir();
    await fs.writeFile(join(dir, LOCK_FILE), '');
    await expect(store(dir).open(() => {})).rejects.toThrow(/another broker \(pid unknown\)/);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(join(dir, LOCK_FILE), old, old);
    const { opened } = await openAll(dir);
    expect(opened.lastSeq).toBe(0);
  });
});

/** The line record `seq` would get if appended to the journal in `dir` (written, then removed). */
async function nextLineFor(dir: string, seq: number): Promise<string> {
  const before = await fs.readFile(journalPath(dir));
  const { store: s } = await openAll(dir);
  await s.append([received(seq)]).durable;
  await s.close();
  const after = await fs.readFile(journalPath(dir));
  await fs.writeFile(journalPath(dir), before);
  return after.subarray(before.length).toString('utf8');
}
