// Several broker nodes on one PostgreSQL journal (issue 15), figures from one run:
//   - durable intake/s from 64 posters: the file store; PostgreSQL with one node; PostgreSQL with
//     two nodes taking posts at once; against plain single-row INSERTs from 64 clients on the
//     same database (the baseline);
//   - intake→agent p50/p99 with the agent on the other node, against the same node;
//   - a claim race across two nodes, 1,000 trials: winners per trial;
//   - a new node's start on a long store (BENCH_START_EVENTS, default 1,000,000) with and without
//     the checkpoint kept in PostgreSQL.
// BENCH_PG_PARTS=intake or =start runs only those figures (default both).
// Brokers and posters run in their own processes. BENCH_STORE (default the machine's
// postgres://postgres@127.0.0.1:5432/postgres) names the database; each part uses a fresh schema,
// dropped after. Needs the build. Run: npm run bench:pg
import { promises as fs } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { importFileJournal } from '../dist/broker/journal/pg-import.js';
import { migrate, parseStoreUrl } from '../dist/broker/journal/pg-schema.js';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { forkHelper } from './lib/ipc.js';
import { Figures, fmt, percentile } from './lib/stats.js';
import { journalWriter, lifecycle } from './recovery.js';

const BASE = process.env.BENCH_STORE ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POSTERS = 64;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const WARMUP_MS = 1000;
const LATENCY_SAMPLES = 300;
const CLAIM_TRIALS = Number(process.env.BENCH_CLAIM_TRIALS ?? 1000);
const START_EVENTS = Number(process.env.BENCH_START_EVENTS ?? 1_000_000);
const PARTS = new Set((process.env.BENCH_PG_PARTS ?? 'intake,start').split(','));

const print = console.log;
const figures = new Figures(print);
const root = await fs.mkdtemp(join(tmpdir(), 'courtdesk-bench-pg-'));
const schemas = [];

async function freshSchema() {
  const url = new URL(BASE);
  const schema = `bench_${process.pid}_${schemas.length}`;
  url.searchParams.set('schema', schema);
  await migrate(parseStoreUrl(url.href));
  schemas.push(schema);
  return url.href;
}

async function dir(name) {
  const d = join(root, name);
  await fs.mkdir(d, { recursive: true });
  return d;
}

/** Two data folders with the same tokens. */
async function folders(name, count) {
  const dirs = [];
  for (let i = 0; i < count; i++) dirs.push(await dir(`${name}-${i}`));
  const intake = await addToken(dirs[0], { name: 'bench-intake', role: 'intake' });
  const agent = await addToken(dirs[0], { name: 'alice', role: 'agent' });
  const agent2 = await addToken(dirs[0], { name: 'bob', role: 'agent' });
  for (const d of dirs.slice(1)) await fs.copyFile(join(dirs[0], 'tokens.json'), join(d, 'tokens.json'));
  return { dirs, intake, agent, agent2 };
}

/** 64 posters split over `urls` (one poster process per URL), closed loop, for DURATION_MS after a warm-up. */
async function intake(urls, token) {
  const posters = urls.map((url) => forkHelper('./posters-child.js', { url, token, connections: POSTERS / urls.length }));
  try {
    await Promise.all(posters.map((p) => p.ready));
    const concurrency = POSTERS / urls.length;
    await Promise.all(posters.map((p) => p.call('closed', { concurrency, durationMs: WARMUP_MS })));
    const results = await Promise.all(posters.map((p) => p.call('closed', { concurrency, durationMs: DURATION_MS })));
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const started = Math.min(...results.map((r) => r.startedAt));
    const ended = Math.max(...results.map((r) => r.endedAt));
    return { perSecond: ok / ((ended - started) / 1000), latencies: results.flatMap((r) => r.latencies) };
  } finally {
    await Promise.all(posters.map((p) => p.call('close').catch(() => p.child.kill())));
  }
}

/** Plain single-row INSERTs (synchronous commit) from 64 clients, the same duration. */
async function insertBaseline() {
  const url = await freshSchema();
  const address = parseStoreUrl(url);
  const clients = await Promise.all(
    Array.from({ length: POSTERS }, async () => {
      const c = new pg.Client(address.config);
      await c.connect();
      return c;
    }),
  );
  await clients[0].query('CREATE TABLE baseline (id bigserial PRIMARY KEY, body text NOT NULL)');
  const body = 'x'.repeat(300);
  let count = 0;
  const end = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        await c.query('INSERT INTO baseline (body) VALUES ($1)', [body]);
        count++;
      }
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((c) => c.end()));
  return perSecond;
}

function agentSocket(url, token, onFrame) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/agent`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  ws.on('message', (data) => onFrame(JSON.parse(data.toString())));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', function welcome(data) {
      if (JSON.parse(data.toString()).type === 'welcome') {
        ws.off('message', welcome);
        resolve(ws);
      }
    });
  });
}

const entriesOf = (f) => (f.type === 'event' ? [f] : f.type === 'events' ? f.events : []);

/** Post one at a time to `postUrl`; the time from the 201 to the event at an agent on `agentUrl`. */
async function intakeToAgent(postUrl, agentUrl, tokens) {
  const arrivedAt = new Map();
  const waiting = new Map();
  const ws = await agentSocket(agentUrl, tokens.agent, (f) => {
    for (const e of entriesOf(f)) {
      if (e.event.type !== 'enquiry.received') continue;
      arrivedAt.set(e.event.enquiryId, performance.now());
      waiting.get(e.event.enquiryId)?.();
    }
  });
  const samples = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const res = await fetch(`${postUrl}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.intake}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'web', from: `lat${i}@example.org`, text: `Latency ${i}` }),
      });
      const acked = performance.now();
      const { id } = await res.json();
      if (!arrivedAt.has(id)) {
        await new Promise((resolve) => {
          waiting.set(id, resolve);
          setTimeout(resolve, 5000);
        });
        waiting.delete(id);
      }
      // An event that came before the 201 was read counts as 0.
      if (arrivedAt.has(id)) samples.push(Math.max(0, arrivedAt.get(id) - acked));
    }
  } finally {
    ws.close();
  }
  return samples;
}

async function claimRace(urls, tokens) {
  const seen = [new Set(), new Set()];
  const acks = new Map();
  const sockets = await Promise.all(
    [tokens.agent, tokens.agent2].map((token, n) =>
      agentSocket(urls[n], token, (f) => {
        if (f.type === 'ack') acks.get(f.ref)?.(f);
        for (const e of entriesOf(f)) if (e.event.type === 'enquiry.received') seen[n].add(e.event.enquiryId);
      }),
    ),
  );
  const winners = new Map();
  const refusals = new Map();
  const command = (ws, ref, enquiryId) =>
    new Promise((resolve) => {
      acks.set(ref, resolve);
      ws.send(JSON.stringify({ type: 'claim', ref, enquiryId }));
    });
  try {
    for (let i = 0; i < CLAIM_TRIALS; i++) {
      const res = await fetch(`${urls[0]}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.intake}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'web', from: `race${i}@example.org`, text: `Race ${i}` }),
      });
      const { id } = await res.json();
      while (!seen[0].has(id) || !seen[1].has(id)) await new Promise((r) => setTimeout(r, 1));
      const results = await Promise.all(sockets.map((ws, n) => command(ws, `t${i}-${n}`, id)));
      const won = results.filter((a) => a.ok).length;
      winners.set(won, (winners.get(won) ?? 0) + 1);
      for (const a of results) if (!a.ok) refusals.set(a.error.code, (refusals.get(a.error.code) ?? 0) + 1);
    }
  } finally {
    for (const ws of sockets) ws.close();
  }
  return { winners, refusals };
}

try {
  print(`several nodes on PostgreSQL (${new URL(BASE).host}); ${POSTERS} posters, ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up`);
  print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);

  if (PARTS.has('intake')) {
    const f = await folders('file', 1);
    const broker = await startBrokerProcess({ dataDir: f.dirs[0] });
    const r = await intake([broker.url], f.intake).finally(() => broker.close());
    figures.add({ name: 'intake: file store, one node', value: r.perSecond, unit: '/s' });
    figures.note(`file store: p50 ${fmt(percentile(r.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(r.latencies, 0.99), 1)} ms`);
  }
  if (PARTS.has('intake')) {
    const f = await folders('pg1', 1);
    const broker = await startBrokerProcess({ dataDir: f.dirs[0], store: await freshSchema() });
    const r = await intake([broker.url], f.intake).finally(() => broker.close());
    figures.add({ name: 'intake: PostgreSQL, one node', value: r.perSecond, unit: '/s' });
    figures.note(`PostgreSQL one node: p50 ${fmt(percentile(r.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(r.latencies, 0.99), 1)} ms`);
  }
  if (PARTS.has('intake')) {
    const f = await folders('pg2', 2);
    const store = await freshSchema();
    const brokers = await Promise.all(f.dirs.map((d) => startBrokerProcess({ dataDir: d, store, unlimitedCommands: true })));
    try {
      const r = await intake(brokers.map((b) => b.url), f.intake);
      figures.add({ name: 'intake: PostgreSQL, two nodes taking posts at once', value: r.perSecond, unit: '/s' });
      figures.note(`PostgreSQL two nodes: p50 ${fmt(percentile(r.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(r.latencies, 0.99), 1)} ms`);
      const other = await intakeToAgent(brokers[0].url, brokers[1].url, f);
      const same = await intakeToAgent(brokers[0].url, brokers[0].url, f);
      figures.add({ name: 'intake→agent, agent on the other node: p50', value: percentile(other, 0.5), unit: 'ms', digits: 1 });
      figures.add({ name: 'intake→agent, agent on the other node: p99', value: percentile(other, 0.99), unit: 'ms', digits: 1 });
      figures.add({ name: 'intake→agent, agent on the same node: p50', value: percentile(same, 0.5), unit: 'ms', digits: 1 });
      figures.add({ name: 'intake→agent, agent on the same node: p99', value: percentile(same, 0.99), unit: 'ms', digits: 1 });
      const { winners, refusals } = await claimRace(brokers.map((b) => b.url), f);
      figures.add({ name: `claim race across two nodes: trials with exactly one winner (of ${CLAIM_TRIALS})`, value: winners.get(1) ?? 0, unit: 'trials' });
      figures.note(`claim race winners per trial: ${JSON.stringify(Object.fromEntries(winners))}; refusals: ${JSON.stringify(Object.fromEntries(refusals))}`);
    } finally {
      await Promise.all(brokers.map((b) => b.close()));
    }
  }
  if (PARTS.has('intake')) figures.add({ name: 'baseline: plain single-row INSERTs from 64 clients, same database', value: await insertBaseline(), unit: '/s' });

  if (PARTS.has('start')) {
    const f = await folders('start', 3);
    // The recovery bench's day (sealed, most enquiries answered and closed), written by the real file store.
    const written = await journalWriter((i) => lifecycle(i)).write(f.dirs[0], START_EVENTS);
    figures.note(`wrote ${fmt(written.written)} events for ${fmt(written.enquiries)} enquiries (${fmt(written.bytes / 1e6)} MB) to import`);
    const store = await freshSchema();
    const importedAt = performance.now();
    await importFileJournal(f.dirs[0], parseStoreUrl(store));
    figures.note(`store import of ${fmt(START_EVENTS)} records took ${fmt((performance.now() - importedAt) / 1000, 1)} s`);
    // The first node has no checkpoint anywhere: it folds the whole journal, then writes one at its stop.
    const cold = await startBrokerProcess({ dataDir: f.dirs[1], store });
    figures.add({ name: `new node start on ${fmt(START_EVENTS)} events, no checkpoint`, value: cold.startedMs / 1000, unit: 's', digits: 1 });
    await cold.close();
    const warm = await startBrokerProcess({ dataDir: f.dirs[2], store });
    figures.add({ name: `new node start on ${fmt(START_EVENTS)} events, from the shared checkpoint`, value: warm.startedMs / 1000, unit: 's', digits: 1 });
    // Whether it used the checkpoint, or found it larger than the journal it covers and replayed.
    const said = await warm.log();
    for (const line of said) if (/checkpoint/.test(line)) figures.note(line.trim());
    if (said.some((line) => line.includes('started from the checkpoint'))) {
      // What the checkpoint covers is verified beside serving: say how long that took.
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      for (const line of await warm.log()) if (/verified seq|could not verify/.test(line)) figures.note(line.trim());
    }
    await warm.close();
  }
} finally {
  const client = new pg.Client(parseStoreUrl(BASE).config);
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
  await fs.rm(root, { recursive: true, force: true });
}
