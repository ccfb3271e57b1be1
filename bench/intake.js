// Durable intake: how many enquiries per second the broker acknowledges (201, i.e. fsynced) with
// 64 concurrent posters, against a bare appendFileSync + fdatasyncSync loop on the same disk, and
// with personal content sealed (the default) against the same posting with sealing off.
// The broker runs in its own process; the posters in two more. Needs the build (npm run build).
// BENCH_STORE=postgres://USER@HOST:PORT/DB runs the broker on the PostgreSQL journal instead, in
// a fresh schema per run (dropped after).
// Run: node bench/intake.js
import { appendFileSync, closeSync, fdatasyncSync, openSync, promises as fs } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { forkHelper } from './lib/ipc.js';
import { Figures, fmt, percentile } from './lib/stats.js';

const POSTERS = 64;
const POSTER_PROCESSES = 2;
const DURATION_MS = 5000;
const BASELINE_MS = 2000;
const WARMUP_MS = 1000;

/** One fdatasync per 200-byte record: a journal without group commit. */
function fsyncBaseline(dir) {
  const fd = openSync(join(dir, 'baseline.ndjson'), 'a');
  const line = `${'x'.repeat(199)}\n`;
  let count = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < BASELINE_MS) {
      appendFileSync(fd, line);
      fdatasyncSync(fd);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count / ((performance.now() - start) / 1000);
}

export async function runIntakeBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  const dir = await fs.mkdtemp(join(tmpdir(), 'courtdesk-bench-intake-'));
  try {
    if (process.env.BENCH_STORE) print(`journal: PostgreSQL (${new URL(process.env.BENCH_STORE).host}), a fresh schema per run`);
    print(`durable intake (${POSTERS} concurrent posters in ${POSTER_PROCESSES} processes, ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up, broker in its own process)`);
    print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);
    const baseline = fsyncBaseline(dir);
    figures.add({ name: 'intake baseline: appendFileSync + fdatasyncSync per 200-byte record', value: baseline, unit: 'records/s' });

    // Personal content sealed (the default) against the same posting with sealing off, in one run.
    const plain = await measure(join(dir, 'plain'), false);
    const sealed = await measure(join(dir, 'sealed'), true);

    figures.add({ name: 'intake: enquiries acknowledged (201, fsynced)', value: sealed.perSecond, unit: '/s', target: 5000 });
    figures.add({ name: 'intake: latency p50', value: percentile(sealed.latencies, 0.5), unit: 'ms', digits: 1 });
    figures.add({ name: 'intake: latency p99', value: percentile(sealed.latencies, 0.99), unit: 'ms', digits: 1 });
    figures.add({ name: 'intake: broker / fsync-per-record baseline', value: sealed.perSecond / baseline, unit: 'x', digits: 1 });
    figures.add({ name: 'intake: content sealed / not sealed (same run)', value: sealed.perSecond / plain.perSecond, unit: 'x', digits: 2, target: 0.9 });
    figures.note(`not sealed: ${fmt(plain.perSecond)}/s, p50 ${fmt(percentile(plain.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(plain.latencies, 0.99), 1)} ms; broker CPU ${fmt(plain.cpuShare)}% of one core against ${fmt(sealed.cpuShare)}% sealed`);
    figures.note(`201s by second of the sealed run: ${sealed.seconds.map((n) => fmt(n ?? 0)).join(', ')}`);
    if (Object.keys(sealed.refused).length > 0) figures.note(`not acknowledged: ${JSON.stringify(sealed.refused)}`);
    return figures.rows;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** 64 posters against a fresh broker for DURATION_MS after a warm-up. */
async function measure(dataDir, encryptContent) {
  const posters = [];
  let broker;
  let store;
  try {
    const token = await addToken(dataDir, { name: 'bench-intake', role: 'intake' });
    store = process.env.BENCH_STORE && (await freshSchema(process.env.BENCH_STORE));
    broker = await startBrokerProcess({ dataDir, encryptContent, store: store?.url });
    for (let i = 0; i < POSTER_PROCESSES; i++) {
      posters.push(forkHelper('./posters-child.js', { url: broker.url, token, connections: POSTERS / POSTER_PROCESSES }));
    }
    await Promise.all(posters.map((p) => p.ready));
    // A second of warm-up (not counted) so the figure is of a running broker, not of its JIT.
    await Promise.all(posters.map((p) => p.call('closed', { concurrency: POSTERS / POSTER_PROCESSES, durationMs: WARMUP_MS })));
    const cpuBefore = await broker.cpu();
    const results = await Promise.all(posters.map((p) => p.call('closed', { concurrency: POSTERS / POSTER_PROCESSES, durationMs: DURATION_MS })));
    const cpuAfter = await broker.cpu();
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const started = Math.min(...results.map((r) => r.startedAt));
    const ended = Math.max(...results.map((r) => r.endedAt));
    const refused = {};
    for (const r of results) for (const [k, v] of Object.entries({ ...r.statuses, ...r.errors })) refused[k] = (refused[k] ?? 0) + v;
    const seconds = [];
    for (const r of results) r.perSecond.forEach((n, i) => (seconds[i] = (seconds[i] ?? 0) + (n ?? 0)));
    const cpuSeconds = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1e6;
    return {
      perSecond: ok / ((ended - started) / 1000),
      latencies: results.flatMap((r) => r.latencies),
      refused,
      seconds,
      cpuShare: (cpuSeconds / ((ended - started) / 1000)) * 100,
    };
  } finally {
    await Promise.all(posters.map((p) => p.call('close').catch(() => p.child.kill())));
    await broker?.close();
    await store?.drop();
  }
}

/** A migrated schema of its own on the database BENCH_STORE names. */
async function freshSchema(base) {
  const { migrate, parseStoreUrl } = await import('../dist/broker/journal/pg-schema.js');
  const { default: pg } = await import('pg');
  const url = new URL(base);
  url.searchParams.set('schema', `bench_${process.pid}_${Date.now()}`);
  const address = parseStoreUrl(url.href);
  await migrate(address);
  return {
    url: url.href,
    drop: async () => {
      const client = new pg.Client(address.config);
      await client.connect();
      await client.query(`DROP SCHEMA "${address.schema}" CASCADE`);
      await client.end();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runIntakeBench({ print: console.log });
}
