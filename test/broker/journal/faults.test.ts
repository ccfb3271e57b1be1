// The journal under a failing disk: every write, fdatasync and truncate can fail (ENOSPC, EIO,
// short writes), at any call. What must hold whatever fails: an append that resolved is in the
// journal after a reopen; one that rejected after a cut-back is not; the chain stays whole.
import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/events.js';
import { PROBE_FILE } from '../../../src/broker/journal/file-store.js';
import { JournalUnavailableError, type JournalHealth } from '../../../src/broker/journal/store.js';
import { FaultyFiles, shortWrites, type FaultyCall } from '../../helpers/faulty-files.js';
import { diskFiles } from '../../../src/broker/journal/file-ops.js';
import { cleanUp, journalPath, openAll, received, store, tempDir } from './helpers.js';

afterEach(cleanUp);

async function openFaulty(dir: string, files: FaultyFiles, probeIntervalMs = 20) {
  const s = store(dir, { files, probeIntervalMs });
  await s.open(() => {});
  const health: JournalHealth[] = [];
  s.onHealth((h) => health.push(h));
  const failures: number[] = [];
  s.onFailure((seq) => failures.push(seq));
  return { s, health, failures };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a write that fails (disk full, EIO)', () => {
  it.each(['ENOSPC', 'EIO'])('%s: is cut back out of the file, refused with degraded health, and writing resumes by itself', async (code) => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const { s, health, failures } = await openFaulty(dir, files);
    await s.append([received(1)]).durable;
    const sizeBefore = (await fs.stat(journalPath(dir))).size;

    // Half the bytes reach the file before the error: exactly what must not survive.
    files.fail('write', code, { partial: 40 });
    files.fail('write', code, { path: PROBE_FILE, times: 3 });
    const failing = s.append([received(2), received(3)]);
    const err = await failing.durable.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JournalUnavailableError);
    expect((err as JournalUnavailableError).uncertain).toBe(false);
    expect((err as Error).message).toMatch(new RegExp(`cannot write to its journal .*${code}`));
    expect(failures).toEqual([2]);
    expect((await fs.stat(journalPath(dir))).size).toBe(sizeBefore);
    expect(s.health().state).toBe('degraded');

    // Refused at once while degraded: nothing is given a seq.
    expect(() => s.append([received(4)])).toThrow(JournalUnavailableError);

    // The test write fails three times, then the disk takes writes again.
    await until(() => s.health().state === 'ok');
    expect(health.map((h) => h.state)).toEqual(['degraded', 'ok']);
    const after = s.append([received(5)]);
    expect(after.records[0]!.seq).toBe(2); // the refused seqs are reused: no gap
    await after.durable;
    await s.close();
    await expect(fs.stat(`${dir}/${PROBE_FILE}`)).rejects.toMatchObject({ code: 'ENOENT' });

    const reopened = await openAll(dir);
    expect(reopened.opened.warnings).toEqual([]);
    expect(reopened.records.map((r) => (r.event as { enquiryId: string }).enquiryId)).toEqual(['E1', 'E5']);
  });

  it('rejects everything queued behind the failed group too, so no later record chains onto a missing one', async () => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const { s, failures } = await openFaulty(dir, files, 60_000);
    await s.append([received(1)]).durable;
    files.fail('write', 'ENOSPC', { delayMs: 30 });
    const first = s.append([received(2)]);
    // Queued while the first is being written: it chains onto seq 2 and must fail with it.
    await new Promise((r) => setTimeout(r, 10));
    const second = s.append([received(3)]);
    expect(second.records[0]!.seq).toBe(3);
    await expect(first.durable).rejects.toBeInstanceOf(JournalUnavailableError);
    await expect(second.durable).rejects.toBeInstanceOf(JournalUnavailableError);
    expect(failures).toEqual([2]);
    await s.close();
    expect((await openAll(dir)).records.map((r) => r.seq)).toEqual([1]);
  });
});

describe('an fdatasync that fails', () => {
  it('fails the store for good (the kernel may have dropped the pages), after cutting the records back out', async () => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const { s, health } = await openFaulty(dir, files);
    await s.append([received(1)]).durable;
    files.fail('datasync', 'EIO');
    const err = await s.append([received(2)]).durable.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JournalUnavailableError);
    expect((err as JournalUnavailableError).uncertain).toBe(false);
    expect((err as Error).message).toMatch(/stopped writing to its journal after a failed fsync .*EIO/);
    expect(health.map((h) => h.state)).toEqual(['failed']);
    // No test write brings it back: only a restart, which reads what the disk really holds.
    await new Promise((r) => setTimeout(r, 100));
    expect(s.health().state).toBe('failed');
    expect(() => s.append([received(3)])).toThrow(/failed fsync/);
    await s.close();
    const reopened = await openAll(dir);
    expect(reopened.records.map((r) => r.seq)).toEqual([1]);
  });

  it('says the outcome is uncertain when the cut-back fails too, so nobody is told either way', async () => {
    const dir = await tempDir();
    const files = new FaultyFiles();
    const { s } = await openFaulty(dir, files);
    await s.append([received(1)]).durable;
    files.fail('datasync', 'EIO').fail('truncate', 'EIO');
    const err = await s.append([received(2)]).durable.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JournalUnavailableError);
    expect((err as JournalUnavailableError).uncertain).toBe(true);
    expect(s.health()).toMatchObject({ state: 'failed', reason: expect.stringMatching(/cutting it back .* failed too/) });
    await s.close();
    // Whatever the disk kept, the journal still opens: a complete record verifies, a partial one is torn.
    await expect(openAll(dir)).resolves.toBeDefined();
  });
});

describe('short writes', () => {
  it('are finished by further writes: every record arrives whole', async () => {
    const dir = await tempDir();
    const s = store(dir, { files: shortWrites(diskFiles, 7) });
    await s.open(() => {});
    await Promise.all([1, 2, 3].map((i) => s.append([received(i)]).durable));
    await s.close();
    expect((await openAll(dir)).records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});

describe('a fault at any call', () => {
  // For each call kind and each position in a run of appends, fail that one call and check the
  // promise each append was given against what a reopened journal holds.
  const cases: Array<[FaultyCall, string]> = [
    ['write', 'ENOSPC'],
    ['write', 'EIO'],
    ['datasync', 'EIO'],
    ['truncate', 'EIO'],
    ['sync', 'EIO'],
  ];
  it.each(cases)('%s failing with %s: what resolved is kept, what was cut back is gone, the chain holds', async (call, code) => {
    for (let skip = 0; skip < 6; skip++) {
      const dir = await tempDir();
      const files = new FaultyFiles();
      const s = store(dir, { files, probeIntervalMs: 5 });
      await s.open(() => {});
      if (call === 'truncate' || call === 'sync') {
        // Only a failed write is cut back: fail the write at that point, then the cut-back itself.
        files.fail('write', 'ENOSPC', { skip, partial: 25 }).fail(call, code);
      } else {
        files.fail(call, code, { skip, partial: call === 'write' ? 25 : undefined });
      }
      const outcomes: Array<{ record: JournalRecord; ok: boolean; uncertain: boolean }> = [];
      for (let i = 1; i <= 8; i++) {
        let appended;
        try {
          appended = s.append([received(i)]);
        } catch {
          await new Promise((r) => setTimeout(r, 15));
          continue;
        }
        const { records, durable } = appended;
        const settled = await durable.then(
          () => ({ ok: true, uncertain: false }),
          (e: JournalUnavailableError) => ({ ok: false, uncertain: e.uncertain }),
        );
        outcomes.push({ record: records[0]!, ...settled });
      }
      await s.close().catch(() => {});
      const kept = new Set((await openAll(dir)).records.map((r) => r.hash));
      for (const o of outcomes) {
        if (o.ok) expect(kept.has(o.record.hash), `acknowledged seq ${o.record.seq} kept (skip ${skip})`).toBe(true);
        else if (!o.uncertain) expect(kept.has(o.record.hash), `refused seq ${o.record.seq} gone (skip ${skip})`).toBe(false);
      }
      expect(outcomes.length, `appends accepted (skip ${skip})`).toBeGreaterThan(0);
    }
  });
});

describe('damage at every byte of the last two records', () => {
  async function lastTwo() {
    const dir = await tempDir();
    const s = store(dir);
    await s.open(() => {});
    for (let i = 1; i <= 5; i++) await s.append([received(i)]).durable;
    await s.close();
    const bytes = await fs.readFile(journalPath(dir));
    const lineStarts = [0];
    for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 10) lineStarts.push(i + 1);
    return { dir, bytes, from: lineStarts[lineStarts.length - 2]!, lineStarts };
  }

  it('a flipped byte anywhere in them, their newlines included, is refused: never cut as a torn write', async () => {
    const { dir, bytes, from } = await lastTwo();
    for (let at = from; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x01;
      await fs.writeFile(journalPath(dir), damaged);
      await expect(openAll(dir), `flipped byte ${at}`).rejects.toThrow(/altered or damaged after it was written/);
    }
  });

  it('a cut anywhere in them loses only the record it cuts into; a record missing only its newline is kept', async () => {
    const { dir, bytes, from, lineStarts } = await lastTwo();
    for (let at = from; at < bytes.length; at++) {
      await fs.writeFile(journalPath(dir), bytes.subarray(0, at));
      const { records, store: s } = await openAll(dir);
      // A record survives when all of it but perhaps its newline is before the cut.
      const newlines = [...lineStarts.slice(2).map((start) => start - 1), bytes.length - 1];
      const whole = newlines.filter((nl) => nl <= at).length;
      expect(records.length, `cut at byte ${at}`).toBe(whole);
      await s.close();
    }
  });
});
