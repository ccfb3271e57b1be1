// How many access records an agent's workbench writes: it opens a conversation only once the
// selection has rested (150 ms), and only one not loaded yet, so scrolling the queue writes one
// record for where it stops, not one per row, and going back to a row writes none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deskPerTest } from './harness.js';

const t = deskPerTest();

async function accesses(): Promise<Array<{ enquiryId: string; by: string; via: string }>> {
  const text = await readFile(join(t.desk.dir, 'journal.ndjson'), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.includes('"enquiry.accessed"'))
    .map((line) => JSON.parse(line).event);
}

async function settle(ms = 400): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('access records from the workbench', () => {
  it('writes one for where a scroll stops, one per row rested on, none for a row already open', async () => {
    for (let i = 0; i < 30; i++) await t.desk.post({ name: `Person ${String(i).padStart(2, '0')}`, from: `p${i}@example.org`, text: `enquiry ${i}` });
    const m = await t.workbench({ rows: 40 });
    await m.waitFor((f) => f.includes('enquiry 0'), 'the first conversation');
    await settle();
    expect(await accesses()).toHaveLength(1);

    // Holding j down through 29 rows: keys every few milliseconds, far inside the 150 ms rest.
    await m.press(...Array.from({ length: 29 }, () => 'j'));
    await settle();
    const scrolled = await accesses();
    expect(scrolled).toHaveLength(2);
    expect(scrolled.every((a) => a.by === 'alice' && a.via === 'workbench')).toBe(true);

    // Stepping back five rows, resting on each: one record each.
    for (let i = 0; i < 5; i++) {
      await m.press('k');
      await settle();
    }
    expect(await accesses()).toHaveLength(7);

    // Back over rows already open (their conversations are loaded): nothing more.
    await m.press(...Array.from({ length: 5 }, () => 'j'));
    await settle();
    for (let i = 0; i < 5; i++) {
      await m.press('k');
      await settle(200);
    }
    expect(await accesses()).toHaveLength(7);
    expect(new Set((await accesses()).map((a) => a.enquiryId)).size).toBe(7);
  });
});
