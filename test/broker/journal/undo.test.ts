// Events folded at append but never made durable must leave no trace: after a failed write the
// broker's state is exactly the state of what the journal holds, before anyone is answered.
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerCore } from '../../../src/broker/core.js';
import { JournalUnavailableError, type NewRecord } from '../../../src/broker/journal/store.js';
import { FaultyFiles } from '../../helpers/faulty-files.js';
import { alice, bob, cleanUp, manyLives, store, tempDir } from './helpers.js';

afterEach(cleanUp);

function core(dir: string, files: FaultyFiles): BrokerCore {
  return new BrokerCore(store(dir, { files, probeIntervalMs: 60_000 }), { recentLimit: 1000, checkpointEvery: 0, checkpointMinIntervalMs: 0, log: () => {} });
}

async function recordAll(c: BrokerCore, records: NewRecord[]): Promise<void> {
  for (const r of records) await c.record([r]).durable;
}

/** Later events for enquiries already there: every table and every kind of change. */
const changes: NewRecord[] = [
  { actor: alice, ref: 'late-claim', event: { type: 'enquiry.claimed', enquiryId: 'E2', agent: 'alice' } },
  { actor: alice, ref: 'late-reply', event: { type: 'enquiry.replied', enquiryId: 'E2', messageId: 'ML1', agent: 'alice', text: 'Late reply' } },
  { actor: bob, ref: 'late-close', event: { type: 'enquiry.closed', enquiryId: 'E4' } },
  { actor: bob, ref: 'late-reopen', event: { type: 'enquiry.reopened', enquiryId: 'E3' } },
  { actor: bob, ref: 'late-presence', event: { type: 'agent.presence', agent: 'carys', state: 'available' } },
];

describe('a failed write takes its events back out of the state', () => {
  it('leaves the state equal to the state before them, in every table', async () => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const c = core(dir, files);
    await c.open();
    await recordAll(c, manyLives(0, 5));
    const before = structuredClone(c.state);

    files.fail('write', 'ENOSPC', { delayMs: 20 });
    // Several appends in one group, all folded before the write fails.
    const appended = [...manyLives(5, 8), ...changes].map((r) => c.record([r]));
    expect(c.state.enquiries.has('E6')).toBe(true); // folded for the next decision...
    const results = await Promise.allSettled(appended.map((a) => a.durable));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof JournalUnavailableError)).toBe(true);
    expect(structuredClone(c.state)).toEqual(before); // ...and gone again
    expect(c.state.seq).toBe(before.seq);
    expect(c.state.refs.has('alice\u0000late-claim')).toBe(false);
    await c.close();
  });

  it('keeps what was durable when a later group fails', async () => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const c = core(dir, files);
    await c.open();
    await recordAll(c, manyLives(0, 2));
    const kept = c.record(manyLives(2, 3));
    await kept.durable;
    const durableState = structuredClone(c.state);
    files.fail('write', 'EIO');
    await expect(c.record(changes).durable).rejects.toBeInstanceOf(JournalUnavailableError);
    expect(structuredClone(c.state)).toEqual(durableState);
    await c.close();
  });
});
