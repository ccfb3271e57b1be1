// The replay worker (replay-ahead.ts) against the main thread's own pass, on the same real files:
// the built store, which reads ahead on a worker thread, must fold exactly the records, and give
// exactly the warnings and refusals, that the sources' store gives reading on one thread. (The
// worker can only load the built JavaScript, which `npm test` builds first.)
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_KEYS_FILE } from '../../../src/broker/journal/content-keys.js';
import type * as FileStoreModule from '../../../src/broker/journal/file-store.js';
import type { JournalRecord } from '../../../src/domain/events.js';
import type { JournalPosition, ResumeFrom } from '../../../src/broker/journal/store.js';
import { cleanUp, journalPath, manyLives, openAll, store, tempDir } from './helpers.js';

const BUILT = join(import.meta.dirname, '..', '..', '..', 'dist', 'broker', 'journal', 'file-store.js');
let Built: typeof FileStoreModule.FileJournalStore;

beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  Built = ((await import(pathToFileURL(BUILT).href)) as typeof FileStoreModule).FileJournalStore;
});
afterEach(cleanUp);

/** Resuming after `after`, as from a checkpoint whose state loads at once. */
const resumeAfter = (after: JournalPosition): ResumeFrom => ({ after, load: async () => {}, onRewind: (why) => expect.fail(`rewound: ${why}`) });

/** Opens a copy of the folder with the built store: what a broker started from dist replays. */
async function openBuilt(dir: string, resume?: ResumeFrom) {
  const copy = await tempDir();
  await fs.cp(dir, copy, { recursive: true });
  const built = new Built({ dir: copy });
  const records: JournalRecord[] = [];
  try {
    const opened = await built.open((r) => records.push(r), resume);
    return { records, opened };
  } finally {
    await built.close().catch(() => {});
  }
}

/** Opens a copy with the sources' store, which replays on this thread alone. */
async function openHere(dir: string, resume?: ResumeFrom) {
  const copy = await tempDir();
  await fs.cp(dir, copy, { recursive: true });
  const here = store(copy);
  const records: JournalRecord[] = [];
  const opened = await here.open((r) => records.push(r), resume);
  await here.close();
  return { records, opened };
}

/**
 * A journal of some 11 MB (more of the worker's batches than it may post ahead, so it also waits for the fold to catch
 * up), with content removed under retention for some enquiries, and gifts a crash lost for others.
 */
async function busyJournal(): Promise<{ dir: string; checkpointAt: JournalPosition }> {
  const dir = await tempDir();
  const { store: writer } = await openAll(dir);
  let checkpointAt: JournalPosition | undefined;
  for (let i = 0; i < 2400; i += 100) {
    await writer.append(manyLives(i, i + 100)).durable;
    if (i === 200) checkpointAt = writer.position();
  }
  expect(await writer.removeContent(new Set(['E3', 'E700', 'E2399']), '2026-12-07')).toBe(3);
  await writer.close();
  const keysFile = join(dir, CONTENT_KEYS_FILE);
  const lines = (await fs.readFile(keysFile, 'utf8')).split('\n');
  const lost = lines.filter((l) => !/"enquiryId":"E(5|600|1000)"/.test(l));
  expect(lost.length).toBe(lines.length - 3);
  await fs.writeFile(keysFile, lost.join('\n'));
  expect((await fs.stat(journalPath(dir))).size).toBeGreaterThan(10 * 1024 * 1024);
  return { dir, checkpointAt: checkpointAt! };
}

describe('replay with a worker reading ahead', () => {
  it('folds exactly what a replay on one thread folds: opened content, removed content, lost gifts learned', async () => {
    const { dir } = await busyJournal();
    const [here, built] = await Promise.all([openHere(dir), openBuilt(dir)]);
    expect(built.opened.warnings).toEqual(here.opened.warnings);
    expect(built.opened.lastSeq).toBe(here.opened.lastSeq);
    expect(built.records.length).toBe(here.records.length);
    expect(built.records).toEqual(here.records);
    const texts = built.records.filter((r) => r.event.type === 'enquiry.received').map((r) => (r.event as { text: string }).text);
    expect(texts.filter((t) => t.startsWith('removed under the retention policy on 2026-12-07'))).toHaveLength(3);
    expect(texts.filter((t) => t.startsWith("Ble mae'r llys?"))).toHaveLength(2397);
  });

  it('a record damaged half way: the same refusal, naming the same line', async () => {
    const { dir } = await busyJournal();
    const text = await fs.readFile(journalPath(dir), 'utf8');
    const at = text.indexOf('"claim-1500"');
    await fs.writeFile(journalPath(dir), `${text.slice(0, at)}"claim-1501"${text.slice(at + 12)}`);
    const [here, built] = await Promise.allSettled([openHere(dir), openBuilt(dir)]);
    expect(here.status).toBe('rejected');
    expect(built.status).toBe('rejected');
    const message = (r: PromiseSettledResult<unknown>) => ((r as PromiseRejectedResult).reason as Error).message.replace(/courtdesk-journal-\w+/, 'DIR');
    expect(message(built)).toBe(message(here));
    expect(message(built)).toMatch(/its hash does not match its content and the record before it/);
  });

  it('a torn last write: the same cut, and every record before it', async () => {
    const { dir } = await busyJournal();
    await fs.appendFile(journalPath(dir), '{"seq":999999,"at":"2026-12-07T10:');
    const [here, built] = await Promise.all([openHere(dir), openBuilt(dir)]);
    expect(built.opened.warnings).toEqual(here.opened.warnings);
    expect(built.opened.warnings.join('\n')).toMatch(/dropped a torn tail of 34 bytes/);
    expect(built.records).toEqual(here.records);
  });

  it('after a checkpoint: the same records from the one after it on', async () => {
    const { dir, checkpointAt } = await busyJournal();
    // More than the 8 MiB below which the store reads on one thread (READ_AHEAD_FROM_BYTES).
    expect((await fs.stat(journalPath(dir))).size - checkpointAt.offset).toBeGreaterThan(8 * 1024 * 1024);
    const [here, built] = await Promise.all([openHere(dir, resumeAfter(checkpointAt)), openBuilt(dir, resumeAfter(checkpointAt))]);
    expect(built.opened.warnings).toEqual(here.opened.warnings);
    expect(built.opened.resumedAfter).toBe(checkpointAt.seq);
    expect(built.records[0]!.seq).toBe(checkpointAt.seq + 1);
    expect(built.records).toEqual(here.records);
  });

  it('after a checkpoint whose state is slow to load: nothing folded until it has, then the same records', async () => {
    const { dir, checkpointAt } = await busyJournal();
    const folded: JournalRecord[] = [];
    let foldedWhileLoading = -1;
    const slowLoad: ResumeFrom = {
      after: checkpointAt,
      // Long enough for the worker to read the whole tail meanwhile: it must wait to be folded.
      load: async () => {
        await new Promise((r) => setTimeout(r, 500));
        foldedWhileLoading = folded.length;
      },
      onRewind: (why) => expect.fail(`rewound: ${why}`),
    };
    const copy = await tempDir();
    await fs.cp(dir, copy, { recursive: true });
    const built = new Built({ dir: copy });
    const opened = await built.open((r) => folded.push(r), slowLoad);
    await built.close();
    const here = await openHere(dir, resumeAfter(checkpointAt));
    expect(foldedWhileLoading).toBe(0);
    expect(opened.warnings).toEqual(here.opened.warnings);
    expect(folded).toEqual(here.records);
  });

  it('after a checkpoint whose state does not load: what was read after it is dropped, and the whole journal replayed', async () => {
    const { dir, checkpointAt } = await busyJournal();
    const rewound: string[] = [];
    const failedLoad: ResumeFrom = {
      after: checkpointAt,
      load: async () => {
        await new Promise((r) => setTimeout(r, 200));
        throw new Error('its digest does not match');
      },
      onRewind: (why) => rewound.push(why),
    };
    const [here, built] = await Promise.all([openHere(dir), openBuilt(dir, failedLoad)]);
    expect(rewound).toEqual(['its digest does not match']);
    expect(built.opened.resumedAfter).toBe(0);
    expect(built.opened.warnings).toEqual(['journal: not using the checkpoint (its digest does not match); replayed the whole journal', ...here.opened.warnings]);
    expect(built.records[0]!.seq).toBe(1);
    expect(built.records).toEqual(here.records);
  });

  it('a journal that started a new epoch after a cut: the same epoch at the end', async () => {
    const { dir } = await busyJournal();
    const text = await fs.readFile(journalPath(dir), 'utf8');
    const lastLine = text.lastIndexOf('\n', text.length - 2) + 1;
    await fs.writeFile(journalPath(dir), `${text.slice(0, lastLine)}${text.slice(lastLine).replace('"at":"2', '"at":"3')}`);
    const cut = store(dir, { repair: { truncateAt: Buffer.byteLength(text.slice(0, lastLine)) } });
    const cutOpened = await cut.open(() => {});
    await cut.close();
    const [here, built] = await Promise.all([openHere(dir), openBuilt(dir)]);
    expect(built.records.at(-1)!.event.type).toBe('journal.epoch-started');
    expect(built.opened.epoch).toBe(cutOpened.epoch);
    expect(built.opened.epoch).toBe(here.opened.epoch);
    expect(built.records).toEqual(here.records);
  });
});
