// readRecords on journals written by the real store: it verifies as it reads, refuses damage,
// leaves a torn tail alone, and changes nothing in the folder, even beside a store holding it.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../../src/broker/journal/file-store.js';
import { readRecords } from '../../../src/broker/journal/read-records.js';
import type { JournalRecord } from '../../../src/domain/events.js';
import { folderState } from '../../helpers/folders.js';
import { claimed, cleanUp, openAll, received, store, tempDir } from './helpers.js';

afterEach(cleanUp);

/** A journal of `n` enquiries, each received and claimed, left closed. */
async function journal(n: number): Promise<{ dir: string; file: string; written: JournalRecord[] }> {
  const dir = await tempDir();
  const s = store(dir);
  await s.open(() => {});
  const written: JournalRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const { records, durable } = s.append([received(i), claimed(i, `r${i}`)]);
    written.push(...records);
    await durable;
  }
  await s.close();
  return { dir, file: join(dir, JOURNAL_FILE), written };
}

describe('readRecords', () => {
  it('hands over every record in order, verified, and names the head and epoch', async () => {
    const { dir, written } = await journal(5);
    const read: JournalRecord[] = [];
    const result = await readRecords(dir, (r) => read.push(r));
    expect(read).toEqual(written);
    const { opened } = await openAll(dir);
    expect(result).toEqual({ headSeq: 10, headHash: written.at(-1)!.hash, epoch: opened.epoch, notes: [] });
  });

  it('stops at throughSeq without looking at what follows', async () => {
    const { dir, file, written } = await journal(3);
    // Damage after the stop is not its business: the broker's records past its durable seq may be anything.
    await fs.appendFile(file, '{"seq":7,"garbage":true}\n');
    const read: number[] = [];
    const result = await readRecords(dir, (r) => read.push(r.seq), { throughSeq: 4 });
    expect(read).toEqual([1, 2, 3, 4]);
    expect(result).toMatchObject({ headSeq: 4, headHash: written[3]!.hash, notes: [] });
  });

  it('refuses a record whose content was changed, with the line and seq, and says nothing was exported', async () => {
    const { dir, file } = await journal(3);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace('"M2"', '"M9"');
    await fs.writeFile(file, lines.join('\n'));
    const read: number[] = [];
    const refusal = await readRecords(dir, (r) => read.push(r.seq)).catch((err: Error) => err.message);
    expect(refusal).toBe(
      `${file} line 4 (seq 3): its hash does not match its content and the record before it. The journal was altered or damaged after it was written. Nothing was exported; restore the journal from a backup.`,
    );
    expect(read).toEqual([1, 2]);
  });

  it('refuses a journal with a record missing, and one that is not a journal', async () => {
    const { dir, file } = await journal(3);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    await fs.writeFile(file, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    await expect(readRecords(dir, () => {})).rejects.toThrow(/line 3 \(seq 3\): it has seq 3 where seq 2 should be/);
    await fs.writeFile(file, 'hello\n');
    await expect(readRecords(dir, () => {})).rejects.toThrow(/not a journal this broker can read: line 1 is not a journal header/);
    const empty = await tempDir();
    await expect(readRecords(empty, () => {})).rejects.toThrow(`there is no journal at ${join(empty, JOURNAL_FILE)}; give the broker's data folder with --data`);
  });

  it('leaves a torn tail alone, with a note, and writes nothing', async () => {
    const { dir, file } = await journal(2);
    await fs.appendFile(file, '{"seq":5,"at":"2026-');
    const before = await folderState(dir);
    const read: number[] = [];
    const result = await readRecords(dir, (r) => read.push(r.seq));
    expect(read).toEqual([1, 2, 3, 4]);
    expect(result.notes).toEqual(['the journal ends with 20 bytes after seq 4 with no final newline (a write in progress, or a torn write); they were not read']);
    expect(await folderState(dir)).toEqual(before);
  });

  it('reads a journal a running store holds, without its lock, and the store goes on appending', async () => {
    const { dir } = await journal(2);
    const { store: live } = await openAll(dir);
    const before = await folderState(dir);
    const result = await readRecords(dir, () => {});
    expect(result.headSeq).toBe(4);
    expect(await folderState(dir)).toEqual(before);
    await live.append([received(3)]).durable;
    expect((await readRecords(dir, () => {})).headSeq).toBe(5);
  });
});
