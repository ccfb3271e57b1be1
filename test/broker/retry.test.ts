// RetryTimers on its own: stopping cancels what is scheduled, waits for attempts under way, and
// gives up on one that does not finish within the grace, aborting it.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RetryTimers } from '../../src/broker/retry.js';

const policy = { baseDelayMs: 10, maxDelayMs: 100 };

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('RetryTimers.stop', () => {
  it('waits for an attempt under way, which may still record (isStopped is false until it is done)', async () => {
    const timers = new RetryTimers(policy);
    let started = false;
    let stoppedWhenDone: boolean | undefined;
    timers.schedule('a', 0, async () => {
      started = true;
      await sleep(200);
      stoppedWhenDone = timers.isStopped;
    });
    await until(() => started, 'the attempt to start');
    await timers.stop();
    expect(stoppedWhenDone).toBe(false);
    expect(timers.isStopped).toBe(true);
  });

  it('cancels attempts not yet started, and schedules nothing once stopping', async () => {
    const timers = new RetryTimers(policy);
    const ran: string[] = [];
    timers.schedule('later', 50, async () => void ran.push('later'));
    const stopping = timers.stop();
    timers.schedule('during', 0, async () => void ran.push('during'));
    await stopping;
    timers.schedule('after', 0, async () => void ran.push('after'));
    await sleep(100);
    expect(ran).toEqual([]);
  });

  it('gives up on an attempt that does not finish within the grace, and tells it so', async () => {
    const timers = new RetryTimers({ ...policy, stopGraceMs: 150 });
    let started = false;
    let release!: () => void;
    let stoppedWhenDone: boolean | undefined;
    timers.schedule('hung', 0, async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
      stoppedWhenDone = timers.isStopped;
    });
    await until(() => started, 'the attempt to start');
    const begun = Date.now();
    await timers.stop();
    expect(Date.now() - begun).toBeGreaterThanOrEqual(140);
    expect(Date.now() - begun).toBeLessThan(1000);
    // The peer answers at last: the attempt sees it was abandoned, so it records nothing.
    release();
    await until(() => stoppedWhenDone !== undefined, 'the attempt to finish');
    expect(stoppedWhenDone).toBe(true);
  });

  it('aborts the attempts it gives up on, once isStopped is true, so their sends end at once', async () => {
    const timers = new RetryTimers({ ...policy, stopGraceMs: 100 });
    let signal: AbortSignal | undefined;
    let stoppedAtAbort: boolean | undefined;
    timers.schedule('hung', 0, (s) => {
      signal = s;
      return new Promise<void>((resolve) =>
        s.addEventListener('abort', () => {
          stoppedAtAbort = timers.isStopped;
          resolve();
        }),
      );
    });
    await until(() => signal !== undefined, 'the attempt to start');
    expect(signal!.aborted).toBe(false);
    await timers.stop();
    expect(signal!.aborted).toBe(true);
    expect(stoppedAtAbort).toBe(true);
  });
});
