import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/domain/bounded-map.js';

describe('RecentMap', () => {
  it('remembers at least the newest `limit` keys, forgetting the oldest generation whole', () => {
    const m = new RecentMap<string, number>(3);
    for (let i = 1; i <= 7; i++) m.set(`k${i}`, i);
    expect(m.has('k1')).toBe(false);
    expect([4, 5, 6, 7].every((i) => m.get(`k${i}`) === i)).toBe(true);
  });

  it('entriesNow lists what it held when called, oldest first, though more keys are set meanwhile', () => {
    const m = new RecentMap<string, number>(3);
    for (let i = 1; i <= 4; i++) m.set(`k${i}`, i);
    const now = m.entriesNow();
    for (let i = 5; i <= 9; i++) m.set(`k${i}`, i); // two generation swaps
    expect([...now]).toEqual([
      ['k1', 1],
      ['k2', 2],
      ['k3', 3],
      ['k4', 4],
    ]);

    const rebuilt = new RecentMap<string, number>(3);
    for (const [k, v] of m.entriesNow()) rebuilt.set(k, v);
    expect(rebuilt).toEqual(m);
  });
});
