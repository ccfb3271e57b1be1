// Journal figures: what group commit buys over fsync-per-record, and how fast a big journal replays.
// Needs the build (`npx tsc -p tsconfig.build.json`). Run: node bench/journal.js
import { appendFileSync, closeSync, fdatasyncSync, openSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileJournalStore } from '../dist/broker/journal/file-store.js';
import { emptyState } from '../dist/domain/enquiry.js';
import { applyEvent } from '../dist/domain/reducer.js';

const BASELINE_SECONDS = 2;
const STORE_SECONDS = 3;
const APPENDERS = 64;
const REPLAY_RECORDS = 1_000_000;

const intake = { kind: 'intake', name: 'web-form' };

function received(i) {
  return {
    actor: intake,
    event: {
      type: 'enquiry.received',
      enquiryId: `E${i}`,
      messageId: `M${i}`,
      channel: 'web',
      from: `caller${i % 50_000}@example.org`,
      name: 'Ann Jones',
      text: `Hello, my hearing about claim 305JE126 is next week. Where do I go? (${i})`,
      language: 'en',
      callbackUrl: null,
    },
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-GB');
const mb = (bytes) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** One fdatasync per 200-byte record: what a journal without group commit can do. */
function baseline(dir) {
  const fd = openSync(join(dir, 'baseline.ndjson'), 'a');
  const line = `${'x'.repeat(199)}\n`;
  let count = 0;
  const start = performance.now();
  const end = start + BASELINE_SECONDS * 1000;
  try {
    while (performance.now() < end) {
      appendFileSync(fd, line);
      fdatasyncSync(fd);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count / ((performance.now() - start) / 1000);
}

/** APPENDERS callers each waiting for their record to be durable before appending the next. */
async function throughStore(dir) {
  const store = new FileJournalStore({ dir: join(dir, 'store') });
  await store.open(() => {});
  let commits = 0;
  store.onCommit(() => commits++);
  const latencies = [];
  let count = 0;
  let bytes = 0;
  const start = performance.now();
  const end = start + STORE_SECONDS * 1000;
  const appender = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const { records, durable } = store.append([received(count)]);
      await durable;
      latencies.push(performance.now() - t);
      count++;
      if (count === 1) bytes = JSON.stringify(records[0]).length + 1;
    }
  };
  await Promise.all(Array.from({ length: APPENDERS }, appender));
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { perSecond: count / seconds, perCommit: count / commits, p50: pct(0.5), p99: pct(0.99), lineBytes: bytes };
}

async function replay(dir, print) {
  const journalDir = join(dir, 'replay');
  const writer = new FileJournalStore({ dir: journalDir });
  await writer.open(() => {});
  const batch = 10_000;
  const writeStart = performance.now();
  for (let i = 0; i < REPLAY_RECORDS; i += batch) {
    await writer.append(Array.from({ length: batch }, (_, j) => received(i + j + 1))).durable;
  }
  await writer.close();
  const size = (await fs.stat(join(journalDir, 'journal.ndjson'))).size;
  print(`  wrote ${fmt(REPLAY_RECORDS)} records (${mb(size)}) in ${((performance.now() - writeStart) / 1000).toFixed(2)} s`);

  // First with a fold that only counts (the journal's own cost), then with the real reducer.
  let counted = 0;
  const counting = new FileJournalStore({ dir: journalDir });
  let t = performance.now();
  await counting.open(() => counted++);
  const countSeconds = (performance.now() - t) / 1000;
  await counting.close();
  const countRss = process.memoryUsage().rss;

  const state = emptyState();
  const folding = new FileJournalStore({ dir: journalDir });
  t = performance.now();
  const opened = await folding.open((record) => applyEvent(state, record));
  const foldSeconds = (performance.now() - t) / 1000;
  await folding.close();
  const foldRss = process.memoryUsage().rss;
  if (counted !== REPLAY_RECORDS || opened.lastSeq !== REPLAY_RECORDS || state.seq !== REPLAY_RECORDS) {
    throw new Error(`replay saw ${counted} / ${opened.lastSeq} / ${state.seq} records, expected ${REPLAY_RECORDS}`);
  }
  return { countSeconds, countRss, foldSeconds, foldRss };
}

export async function runJournalBench({ print = console.log } = {}) {
  const dir = await fs.mkdtemp(join(tmpdir(), 'courtdesk-bench-journal-'));
  try {
    print('journal (embedded file store)');
    const bare = baseline(dir);
    print(`  baseline, appendFileSync + fdatasyncSync per 200-byte record: ${fmt(bare)} records/s`);
    const store = await throughStore(dir);
    print(
      `  FileJournalStore, ${APPENDERS} concurrent appenders awaiting durable: ${fmt(store.perSecond)} records/s ` +
        `(${(store.perSecond / bare).toFixed(1)}x baseline; ${store.perCommit.toFixed(1)} records per fdatasync, ` +
        `${store.lineBytes}-byte lines, append-to-durable p50 ${store.p50.toFixed(2)} ms, p99 ${store.p99.toFixed(2)} ms)`,
    );
    const r = await replay(dir, print);
    print(`  open() of ${fmt(REPLAY_RECORDS)} enquiry.received records, counting fold: ${r.countSeconds.toFixed(2)} s, RSS after ${mb(r.countRss)}`);
    print(`  open() of ${fmt(REPLAY_RECORDS)} enquiry.received records, reducer fold: ${r.foldSeconds.toFixed(2)} s, RSS after ${mb(r.foldRss)} (holds the folded state)`);
    return { baselinePerSecond: bare, store, replay: r };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runJournalBench({ print: console.log });
}
