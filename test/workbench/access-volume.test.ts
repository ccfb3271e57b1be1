// How many access records an agent's workbench writes: it opens a conversation only once the
// selection has rested (150 ms), and only one not loaded yet, so scrolling the queue writes one
// record for where it stops, not one per row, and going back to a row writes none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deskPerTest, type Mounted } from './harness.js';

const t = deskPerTest();
const REST_MS = 150;

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

/**
 * Presses `key` `times` times a few milliseconds apart, and says how often the test itself was
 * held up between two presses for as long as the rest (a busy machine): the selection then really
 * did rest there, and a record for that row is right.
 */
async function hold(m: Mounted, key: string, times: number): Promise<number> {
  let stalls = 0;
  let last = performance.now();
  for (let i = 0; i < times; i++) {
    await m.press(key);
    const now = performance.now();
    if (i > 0 && now - last >= REST_MS - 5) stalls++;
    last = now;
  }
  return stalls;
}

describe('access records from the workbench', () => {
  it('writes one for where a scroll stops, one per row rested on, none for a row already open', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await t.desk.post({ name: `Person ${String(i).padStart(2, '0')}`, from: `p${i}@example.org`, text: `enquiry ${i}` }));
    const m = await t.workbench({ rows: 40 });
    await m.waitFor((f) => f.includes('enquiry 0'), 'the first conversation');
    await settle();
    expect((await accesses()).map((a) => a.enquiryId)).toEqual([ids[0]]);

    // Holding j down through 29 rows: keys far inside the rest, so only the last row is opened.
    const stalls = await hold(m, 'j', 29);
    await settle();
    const scrolled = await accesses();
    expect(scrolled.at(-1)!.enquiryId).toBe(ids[29]);
    expect(scrolled.length - 2).toBeLessThanOrEqual(stalls);
    expect(scrolled.every((a) => a.by === 'alice' && a.via === 'workbench')).toBe(true);

    // Stepping back five rows, resting on each: each is opened, unless a stall had opened it already.
    for (let row = 28; row >= 24; row--) {
      await m.press('k');
      await settle();
      expect((await accesses()).filter((a) => a.enquiryId === ids[row])).toHaveLength(1);
    }
    const rested = (await accesses()).length;
    expect(rested - 7).toBeLessThanOrEqual(stalls);

    // Back over rows already open (their conversations are loaded): nothing more.
    await m.press(...Array.from({ length: 5 }, () => 'j'));
    await settle();
    for (let i = 0; i < 5; i++) {
      await m.press('k');
      await settle(200);
    }
    const all = await accesses();
    expect(all).toHaveLength(rested);
    expect(new Set(all.map((a) => a.enquiryId)).size).toBe(rested);
  });
});
