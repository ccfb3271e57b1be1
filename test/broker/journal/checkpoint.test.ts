// Checkpoints through the real journal and the real fold: a start from a checkpoint must give the
// state a full replay gives, and a checkpoint that does not check out must never be used.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerCore, type CoreOptions } from '../../../src/broker/core.js';
import { CHECKPOINT_FILE, openCheckpoint, writeCheckpoint } from '../../../src/broker/journal/checkpoint.js';
import { captureState } from '../../../src/broker/journal/checkpoint-format.js';
import { FileJournalStore } from '../../../src/broker/journal/file-store.js';
import type { NewRecord } from '../../../src/broker/journal/store.js';
import { bob, cleanUp, manyLives, tempDir } from './helpers.js';
import { FOLD_VERSION } from '../../../src/domain/reducer.js';

afterEach(cleanUp);

function core(dir: string, options: Partial<CoreOptions> = {}, logs: string[] = []): BrokerCore {
  return new BrokerCore(new FileJournalStore({ dir }), {
    recentLimit: 1000,
    checkpointDir: dir,
    checkpointEvery: 0,
    checkpointMinIntervalMs: 0,
    log: (line) => logs.push(line),
    ...options,
  });
}

/** The state a broker starting without any checkpoint folds. */
async function fullReplay(dir: string) {
  const c = core(dir, { checkpointDir: undefined });
  const opened = await c.open();
  expect(opened.resumedAfter).toBe(0);
  await c.close();
  return c.state;
}

/** What a start makes of the folder's checkpoint: its seq and state, or why it is not used. */
async function readBack(dir: string): Promise<{ seq?: number; state?: unknown; problem?: string }> {
  try {
    const checkpoint = await openCheckpoint(dir);
    return checkpoint ? { seq: checkpoint.position.seq, state: await checkpoint.load() } : {};
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

async function recordAll(c: BrokerCore, records: NewRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 50) await c.record(records.slice(i, i + 50)).durable;
}

/** A broker core that records the lives of enquiries `from` to `to`, then stops (writing its checkpoint). */
async function recordThenStop(dir: string, from: number, to: number, options: Partial<CoreOptions> = {}): Promise<BrokerCore> {
  const c = core(dir, options);
  await c.open();
  await recordAll(c, manyLives(from, to));
  await c.close();
  return c;
}

describe('checkpoints', () => {
  it('a start from the shutdown checkpoint, plus later events, folds the same state as a full replay', async () => {
    const dir = await tempDir();
    const first = await recordThenStop(dir, 0, 30);
    expect((await fs.stat(join(dir, CHECKPOINT_FILE))).mode & 0o777).toBe(0o600);

    const second = core(dir);
    const opened = await second.open();
    expect(opened).toMatchObject({ resumedAfter: first.state.seq, warnings: [] });
    await recordAll(second, manyLives(30, 40));
    await second.close();

    const third = core(dir);
    expect((await third.open()).resumedAfter).toBe(second.state.seq);
    await third.close();
    expect(third.state).toEqual(await fullReplay(dir));
    expect(third.state.enquiries.size).toBe(40);
    expect(third.state.refs.size).toBeGreaterThan(300);
  });

  it('holds the state as it was when captured while later events keep changing it', async () => {
    const dir = await tempDir();
    const c = core(dir);
    await c.open();
    await recordAll(c, manyLives(0, 10));
    const capture = captureState(c.state, { epoch: c.epoch, fileEpoch: c.epoch, seq: c.state.seq, hash: 'h', offset: 0 });
    const expected = structuredClone(c.state);
    await recordAll(c, manyLives(10, 20)); // new keys in every table, changed and closed enquiries
    await recordAll(c, [{ actor: bob, event: { type: 'enquiry.closed', enquiryId: 'E2' } }]);
    await writeCheckpoint(dir, capture, { paced: true });
    const { seq, state } = await readBack(dir);
    expect(seq).toBe(expected.seq);
    expect(structuredClone(state)).toEqual(expected); // both as plain Maps and objects
    await c.close();
  });

  it('is written while serving after every N events, no sooner than the interval allows', async () => {
    const dir = await tempDir();
    const c = core(dir, { checkpointEvery: 100 });
    await c.open();
    await recordAll(c, manyLives(0, 5)); // under 100 events
    await new Promise((r) => setTimeout(r, 50));
    expect(await readBack(dir)).toEqual({});
    await recordAll(c, manyLives(5, 12));
    await expect.poll(async () => (await readBack(dir)).seq, { timeout: 5000 }).toBeGreaterThanOrEqual(100);
    await c.close();

    const slow = core(dir, { checkpointEvery: 10, checkpointMinIntervalMs: 60_000 });
    const before = (await readBack(dir)).seq;
    await slow.open();
    await recordAll(slow, manyLives(12, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect((await readBack(dir)).seq).toBe(before);
    await slow.close();
    expect((await readBack(dir)).seq).toBe(slow.state.seq);
  });

  it('is not used when its bytes were changed, cut short, or made by another fold', async () => {
    const dir = await tempDir();
    await recordThenStop(dir, 0, 5);
    const file = join(dir, CHECKPOINT_FILE);
    const good = await fs.readFile(file, 'utf8');

    await fs.writeFile(file, good.replace('Any news?', 'Any newt?'));
    expect((await readBack(dir)).problem).toBe('its HMAC does not match its content under DATA/checkpoint.key (it was damaged or changed)');
    // An edit whose digest is made again, as anyone could with a plain SHA-256: still refused,
    // because only a holder of the folder's key can make the HMAC.
    const edited = good.replace('Any news?', 'Any newt?');
    const body = edited.slice(0, edited.lastIndexOf('{"end"'));
    const lines = body.split('\n').length - 1;
    await fs.writeFile(file, `${body}${JSON.stringify({ end: 'courtdesk', lines, hmac: createHash('sha256').update(body).digest('hex') })}\n`);
    expect((await readBack(dir)).problem).toMatch(/its HMAC does not match/);
    await fs.writeFile(file, good.slice(0, good.lastIndexOf('{"end"')));
    expect((await readBack(dir)).problem).toMatch(/it has no end line \(it was cut short\)/);
    await fs.writeFile(file, good.slice(0, 2000));
    expect((await readBack(dir)).problem).toMatch(/(a line is not JSON|no end line)/);
    await fs.writeFile(file, good.replace(`"fold":${FOLD_VERSION}`, '"fold":0'));
    expect((await readBack(dir)).problem).toContain(`folded by reducer version 0, and this broker's is ${FOLD_VERSION}`);

    // A broker finding any of these replays the whole journal and says why.
    const logs: string[] = [];
    const restarted = core(dir, {}, logs);
    const opened = await restarted.open();
    expect(opened.resumedAfter).toBe(0);
    expect(opened.warnings[0]).toMatch(/^checkpoint: not using .*checkpoint\.ndjson: it was folded by reducer version 0, .*replaying the whole journal$/);
    await restarted.close();
    expect(restarted.state).toEqual(await fullReplay(dir));
  });

  it('is set aside when the journal was replaced, and the whole journal is folded', async () => {
    const dir = await tempDir();
    await recordThenStop(dir, 0, 5);
    const stale = await fs.readFile(join(dir, CHECKPOINT_FILE));

    // Another history in the same folder: a fresh journal with other enquiries.
    await fs.rm(join(dir, 'journal.ndjson'));
    await recordThenStop(dir, 50, 52, { checkpointDir: undefined });
    await fs.writeFile(join(dir, CHECKPOINT_FILE), stale);

    const restarted = core(dir);
    const opened = await restarted.open();
    expect(opened.resumedAfter).toBe(0);
    expect(opened.warnings[0]).toMatch(/not using the checkpoint \(it was made for journal /);
    expect([...restarted.state.enquiries.keys()]).toEqual(['E50', 'E51']);
    await restarted.close();
  });
});
