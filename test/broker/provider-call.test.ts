import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/broker/provider-call.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 7 ', now)).toBe(7000);
    expect(retryAfterMs('Fri, 01 May 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 01 May 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('takes the first of a repeated header', () => {
    expect(retryAfterMs(['5', '60'], now)).toBe(5000);
  });
});
