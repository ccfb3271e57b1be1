// Opening the journal from a checkpoint's position: records it covers are verified but not handed
// over; when the journal does not hold that position, the caller is told and everything is replayed.
import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/events.js';
import type { JournalPosition } from '../../../src/broker/journal/store.js';
import { cleanUp, journalPath, journalWith, openAll, readLines, received, store, tempDir } from './helpers.js';

afterEach(cleanUp);

/** Opens from `after`, collecting the records handed over and any rewind. */
async function openFrom(dir: string, after: JournalPosition) {
  const s = store(dir);
  const handed: JournalRecord[] = [];
  const rewinds: string[] = [];
  const opened = await s.open((r) => handed.push(r), { after, load: async () => {}, onRewind: (why) => rewinds.push(why) });
  return { store: s, handed, rewinds, opened };
}

async function journalOf(count: number) {
  const dir = await tempDir();
  const records = await journalWith(dir, count);
  const { opened, store: s } = await openAll(dir);
  await s.close();
  const lines = await readLines(dir);
  /** Record `seq` as a checkpoint would name it: its hash, and the byte just past its line. */
  const at = (seq: number): JournalPosition => ({
    epoch: opened.epoch,
    fileEpoch: opened.epoch,
    seq,
    hash: records[seq - 1]!.hash,
    offset: Buffer.byteLength(lines.slice(0, seq + 1).join('\n')) + 1,
  });
  return { dir, records, epoch: opened.epoch, at };
}

describe('opening from a checkpoint', () => {
  it('hands over only the records after it, and says where it resumed', async () => {
    const { dir, records, at } = await journalOf(6);
    const { handed, rewinds, opened } = await openFrom(dir, at(4));
    expect(handed).toEqual(records.slice(4));
    expect(rewinds).toEqual([]);
    expect(opened).toMatchObject({ lastSeq: 6, lastHash: records[5]!.hash, resumedAfter: 4, warnings: [] });
  });

  it('hands over nothing when the checkpoint is at the last record, and appends carry on the chain', async () => {
    const { dir, at } = await journalOf(3);
    const { handed, store: s, opened } = await openFrom(dir, at(3));
    expect(handed).toEqual([]);
    expect(opened.resumedAfter).toBe(3);
    await s.append([received(4)]).durable;
    await s.close();
    const again = await openFrom(dir, at(3));
    expect(again.handed.map((r) => r.seq)).toEqual([4]);
  });

  // From here the checkpoint is this journal's own (same header epoch), so a journal that does not
  // hold its record has lost history that may have been acknowledged: refused unless accepted.
  it('refuses when the record at its seq has another hash: the journal was rewritten after it', async () => {
    const { dir, at } = await journalOf(5);
    await expect(openFrom(dir, { ...at(3), hash: 'f'.repeat(64) })).rejects.toThrow(
      /is missing records: the checkpoint proves seq 3 was written .*the journal's record at byte \d+ is not that record.*--accept-lost-records/,
    );
  });

  it('refuses when the journal ends before the checkpoint (whole records missing from its end)', async () => {
    const { dir, at } = await journalOf(3);
    const size = (await fs.stat(journalPath(dir))).size;
    await expect(openFrom(dir, { ...at(3), seq: 7, offset: size + 900 })).rejects.toThrow(
      new RegExp(`the checkpoint proves seq 7 was written \\(ending at byte ${size + 900}\\), but the journal ends at byte ${size}`),
    );
  });

  it('refuses when its offset does not end that record in this journal', async () => {
    const { dir, at } = await journalOf(4);
    for (const offset of [at(2).offset, at(3).offset - 5, 0]) {
      await expect(openFrom(dir, { ...at(3), offset })).rejects.toThrow(/is missing records/);
    }
  });

  it('with --accept-lost-records, replays what is there and starts a new epoch that says what was lost', async () => {
    const { dir, records, at, epoch } = await journalOf(3);
    const size = (await fs.stat(journalPath(dir))).size;
    const s = store(dir, { repair: { acceptLostRecords: true } });
    const handed: JournalRecord[] = [];
    const rewinds: string[] = [];
    const opened = await s.open((r) => handed.push(r), { after: { ...at(3), seq: 7, offset: size + 900 }, load: async () => {}, onRewind: (why) => rewinds.push(why) });
    expect(rewinds).toHaveLength(1);
    expect(handed.slice(0, 3)).toEqual(records);
    expect(handed[3]!.event).toMatchObject({ type: 'journal.epoch-started', previousEpoch: epoch, lostFromSeq: 4, reason: expect.stringMatching(/records up to seq 7 were written, and the journal ends at seq 3/) });
    expect(opened.epoch).not.toBe(epoch);
    expect(opened.lastSeq).toBe(4);
  });

  it('rewinds when the checkpoint belongs to another journal', async () => {
    const { dir, records, at, epoch } = await journalOf(3);
    const { handed, rewinds } = await openFrom(dir, { ...at(2), fileEpoch: 'another' });
    expect(rewinds).toEqual([`it was made for journal another, and this journal is ${epoch}`]);
    expect(handed).toEqual(records);
  });

  it('rewinds when the checkpoint cannot be loaded, handing over everything from seq 1', async () => {
    const { dir, records, at } = await journalOf(4);
    const s = store(dir);
    const handed: JournalRecord[] = [];
    const rewinds: string[] = [];
    const load = () => Promise.reject(new Error('its digest does not match its content'));
    const opened = await s.open((r) => handed.push(r), { after: at(3), load, onRewind: (why) => rewinds.push(why) });
    expect(rewinds).toEqual(['its digest does not match its content']);
    expect(handed).toEqual(records);
    expect(opened.resumedAfter).toBe(0);
  });

  it('hands over nothing until the checkpoint has loaded', async () => {
    const { dir, at } = await journalOf(4);
    const seen: string[] = [];
    const load = async () => {
      await new Promise((r) => setTimeout(r, 30));
      seen.push('loaded');
    };
    await store(dir).open((r) => seen.push(`seq ${r.seq}`), { after: at(2), load, onRewind: () => {} });
    expect(seen).toEqual(['loaded', 'seq 3', 'seq 4']);
  });

  // Changes that keep every byte offset, so the checkpoint's record is still found where it says
  // and only the verification of the records before it can catch them.
  it('still refuses a journal altered before the checkpoint, where nothing is folded', async () => {
    const { dir, at } = await journalOf(5);
    const lines = await readLines(dir);
    lines[2] = lines[2]!.replace('"M2"', '"M9"');
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(openFrom(dir, at(4))).rejects.toThrow(/line 3 \(seq 2\): its hash does not match.*altered or damaged/);
  });

  it('refuses a damaged journal before cutting anything off its tail', async () => {
    const { dir, at } = await journalOf(5);
    const lines = await readLines(dir);
    lines[2] = lines[2]!.replace('"M2"', '"M9"');
    const damaged = `${lines.join('\n')}{"seq":6,"at":"20`;
    await fs.writeFile(journalPath(dir), damaged);
    await expect(openFrom(dir, at(4))).rejects.toThrow(/line 3 \(seq 2\)/);
    expect(await fs.readFile(journalPath(dir), 'utf8')).toBe(damaged);
  });

  it('still refuses records moved before the checkpoint', async () => {
    const { dir, at } = await journalOf(5);
    const lines = await readLines(dir);
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    await fs.writeFile(journalPath(dir), lines.join('\n'));
    await expect(openFrom(dir, at(4))).rejects.toThrow(/line 3 \(seq 3\): it has seq 3 where seq 2 should be/);
  });

  it('cuts a torn tail after the checkpoint as it would without one', async () => {
    const { dir, records, at } = await journalOf(4);
    await fs.appendFile(journalPath(dir), '{"seq":5,"at":"2026-');
    const { handed, opened } = await openFrom(dir, at(2));
    expect(handed).toEqual(records.slice(2));
    expect(opened.warnings).toEqual([
      'journal: dropped a torn tail of 20 bytes after seq 4 (the record for seq 5 was incomplete; it was never acknowledged)',
    ]);
  });
});
