// Content keys on real files: sealed on disk, opened on the way back, and which enquiry a key went
// to learned again from the journal when a crash lost that line (it is written without a sync).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_KEYS_FILE } from '../../../src/broker/journal/content-keys.js';
import type { JournalRecord } from '../../../src/domain/events.js';
import { cleanUp, journalPath, openAll, received, tempDir } from './helpers.js';

afterEach(cleanUp);

const textOf = (r: JournalRecord) => (r.event as { text?: string }).text;

describe('content keys', () => {
  it('seal what a court user wrote, open it again, and learn lost gifts from the records', async () => {
    const dir = await tempDir();
    const first = await openAll(dir);
    await first.store.append([received(1), received(2)]).durable;
    await first.store.close();
    const journal = await fs.readFile(journalPath(dir), 'utf8');
    expect(journal).not.toContain("Ble mae'r llys");
    expect(journal).toContain('"sealed":"');

    // As if a crash came before the gifts were written: only the keys themselves are left.
    const keysFile = join(dir, CONTENT_KEYS_FILE);
    const lines = (await fs.readFile(keysFile, 'utf8')).split('\n').filter((l) => l && !l.includes('"enquiryId"'));
    await fs.writeFile(keysFile, `${lines.join('\n')}\n`);

    const second = await openAll(dir);
    expect(second.opened.warnings).toEqual([]);
    expect(second.records.map(textOf)).toEqual([received(1), received(2)].map((r) => (r.event as { text: string }).text));
    // Retention now finds E1's key, though its gift line was lost, and only E1's.
    expect(await second.store.removeContent(new Set(['E1']), '2026-12-02')).toBe(1);
    await second.store.close();

    const third = await openAll(dir);
    expect(third.records.map(textOf)).toEqual(['removed under the retention policy on 2026-12-02', (received(2).event as { text: string }).text]);
    expect(third.records[0]!.event).toMatchObject({ name: null, from: 'removed under the retention policy on 2026-12-02' });
  });

  it('a key file restored from another backup: content reads as missing and the start says so', async () => {
    const dir = await tempDir();
    const first = await openAll(dir);
    await first.store.append([received(1)]).durable;
    await first.store.close();
    await fs.writeFile(join(dir, CONTENT_KEYS_FILE), '');
    const second = await openAll(dir);
    expect(second.opened.warnings.join('\n')).toMatch(/cannot be read: their keys are missing from content-keys\.ndjson; restore it from the same backup as the journal/);
    expect(textOf(second.records[0]!)).toBe('cannot be read: its content key is missing');
  });

  it('reads a key file whose lines are laid out another way, and refuses one that is damaged', async () => {
    const dir = await tempDir();
    const first = await openAll(dir);
    await first.store.append([received(1)]).durable;
    await first.store.close();
    // Each line as some other tool might have written it: fields reversed, with spaces.
    const keysFile = join(dir, CONTENT_KEYS_FILE);
    const lines = (await fs.readFile(keysFile, 'utf8')).split('\n').filter(Boolean);
    const relaid = lines.map((l) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(l) as object).reverse()), null, 1).replace(/\n/g, ''));
    expect(relaid[0]).toMatch(/^\{ "key/);
    await fs.writeFile(keysFile, `${relaid.join('\n')}\n`);
    const second = await openAll(dir);
    expect(second.opened.warnings).toEqual([]);
    expect(textOf(second.records[0]!)).toBe((received(1).event as { text: string }).text);
    await second.store.close();

    for (const [line, problem] of [
      ['{"keyId":"abc","key":"c2hvcnQ="}', 'key abc is not 32 bytes'],
      ['{"keyId":"abc","key":"c2hvcnQ=', 'a line is not JSON'],
      ['null', 'a line has no keyId'],
      ['{"keyId":"abc","given":"E1"}', 'the line for key abc is neither a key, a gift nor a tombstone'],
    ]) {
      await fs.writeFile(keysFile, `${relaid.join('\n')}\n${line}\n`);
      await expect(openAll(dir)).rejects.toThrow(`content-keys.ndjson cannot be read (${problem})`);
    }
  });
});
