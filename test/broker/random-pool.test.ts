// The pooled random source hands every byte out once: an IV given twice would break AES-GCM.
import { expect, it } from 'vitest';
import { randomPooled } from '../../src/broker/random-pool.js';

it('gives fresh bytes of the length asked, never the same run twice, across refills', () => {
  const seen = new Set<string>();
  // 12-byte IVs through several refills of the 4 KiB pool.
  for (let i = 0; i < 2000; i++) {
    const iv = randomPooled(12);
    expect(iv).toHaveLength(12);
    seen.add(iv.toString('hex'));
  }
  expect(seen.size).toBe(2000);
  expect(randomPooled(10_000)).toHaveLength(10_000);
});

it('returns buffers of their own, untouched by later draws', () => {
  const first = randomPooled(16);
  const copy = Buffer.from(first);
  for (let i = 0; i < 500; i++) randomPooled(16);
  expect(first.equals(copy)).toBe(true);
});
