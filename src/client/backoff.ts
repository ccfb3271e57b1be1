// How long to wait before the next reconnect attempt. Exponential so a broker that is down is not
// hammered, capped so an agent is never left waiting long once it is back, and jittered so a room
// full of workbenches dropped at the same moment does not reconnect in one burst.

export interface BackoffBounds {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffBounds = { minMs: 250, maxMs: 10_000 };

/**
 * The delay before attempt number `attempt` (1 for the first retry after a drop). The ceiling
 * doubles from `minMs` each attempt up to `maxMs`; the delay is drawn from the upper half of the
 * ceiling ("equal jitter"), and never falls below `minMs`.
 */
export function reconnectDelay(attempt: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const { minMs, maxMs } = bounds;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2 ** exponent is Infinity for huge attempts, which Math.min turns into maxMs.
  const ceiling = Math.min(maxMs, minMs * 2 ** exponent);
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.round(Math.min(maxMs, Math.max(minMs, jittered)));
}

/** Checks caller-supplied bounds, so a typo in a config file gets a clear message rather than a busy loop. */
export function backoffBounds(minMs: number | undefined, maxMs: number | undefined): BackoffBounds {
  const min = minMs ?? DEFAULT_BACKOFF.minMs;
  const max = maxMs ?? Math.max(DEFAULT_BACKOFF.maxMs, min);
  if (!Number.isFinite(min) || min < 1) {
    throw new Error(`minReconnectDelayMs must be a number of milliseconds of at least 1 (got ${String(minMs)}).`);
  }
  if (!Number.isFinite(max) || max < min) {
    throw new Error(`maxReconnectDelayMs must be a number of milliseconds no smaller than minReconnectDelayMs (${min}) (got ${String(maxMs)}).`);
  }
  return { minMs: min, maxMs: max };
}
