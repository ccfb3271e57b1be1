import { describe, expect, it } from 'vitest';
import { backoffBounds, reconnectDelay } from '../../src/client/backoff.js';

const bounds = { minMs: 100, maxMs: 5_000 };

describe('reconnectDelay', () => {
  it('doubles the ceiling each attempt and draws from its upper half', () => {
    // random() = 1 gives the ceiling itself, 0 gives half of it (but never below the minimum).
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(a, bounds, () => 1))).toEqual([100, 200, 400, 800, 1600]);
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(a, bounds, () => 0))).toEqual([100, 100, 200, 400, 800]);
  });

  it('never exceeds the maximum, however many attempts', () => {
    for (const attempt of [7, 20, 64, 1_000, 1e9]) {
      expect(reconnectDelay(attempt, bounds, () => 1)).toBe(5_000);
      expect(reconnectDelay(attempt, bounds, () => 0)).toBe(2_500);
    }
  });

  it('is jittered: different random draws give different delays', () => {
    const draws = new Set([0, 0.25, 0.5, 0.75].map((r) => reconnectDelay(6, bounds, () => r)));
    expect(draws.size).toBe(4);
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(1_600);
      expect(d).toBeLessThanOrEqual(3_200);
    }
  });

  it('stays within the bounds with the real random source', () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const d = reconnectDelay(attempt, bounds);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(5_000);
    }
  });
});

describe('backoffBounds', () => {
  it('defaults to 250 ms and 10 s', () => {
    expect(backoffBounds(undefined, undefined)).toEqual({ minMs: 250, maxMs: 10_000 });
  });

  it('raises the default maximum to a minimum above it', () => {
    expect(backoffBounds(20_000, undefined)).toEqual({ minMs: 20_000, maxMs: 20_000 });
  });

  it('says what is wrong with bad bounds', () => {
    expect(() => backoffBounds(0, 100)).toThrow(/minReconnectDelayMs must be .* at least 1 \(got 0\)/);
    expect(() => backoffBounds(Number.NaN, 100)).toThrow(/minReconnectDelayMs/);
    expect(() => backoffBounds(500, 100)).toThrow(/maxReconnectDelayMs .* no smaller than minReconnectDelayMs \(500\) \(got 100\)/);
  });
});
