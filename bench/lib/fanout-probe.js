// One fan-out probe for the peers bench: `rate` enquiries/s for `durationMs` into one server, then
// wait until every agent has every acknowledged enquiry (or deliveries stop), and judge the probe.
// Loss is checked per agent: each must hold exactly the acknowledged enquiries, in seq order.
import { readFile } from 'node:fs/promises';
import { stampNow } from './enquiry-load.js';
import { fmt, percentile } from './stats.js';

/** Latency samples wanted per probe; every sampleEvery-th enquiry of each agent is timed. */
const SAMPLES_PER_PROBE = 100_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Busy share of each CPU between two readings of /proc/stat (everything on the machine). */
export async function cpuTimes() {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const rows = {};
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    const idle = f[3] + f[4];
    rows[m[1]] = { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
  }
  return rows;
}

export function busyShare(before, after, cpu) {
  const a = after[cpu];
  const b = before[cpu];
  return a && b && a.total > b.total ? (a.busy - b.busy) / (a.total - b.total) : NaN;
}

/**
 * `system`: `{name, agents, load: {call}, cpu()}` where load.call('paced', {rate, durationMs})
 * offers the enquiries; `children`: the peer-agents-child helpers holding its agents.
 */
export async function fanoutProbe(system, children, { rate, durationMs, boundMs, serverCpu, loadCpu, drainMs = 10_000 }) {
  const { name, agents } = system;
  await settle(children, name);
  const sampleEvery = Math.max(1, Math.round((rate * agents * durationMs) / 1000 / SAMPLES_PER_PROBE));
  await Promise.all(children.map((c) => c.call('reset', { name, sampleEvery })));
  const serverCpu0 = await system.cpu();
  const cores0 = await cpuTimes();
  const startedAt = stampNow();
  const sent = await system.load.call('paced', { rate, durationMs });
  const expected = sent.ok * agents;
  let last = -1;
  let stableSince = Date.now();
  const drainStart = Date.now();
  for (;;) {
    const got = (await Promise.all(children.map((c) => c.call('report', { name })))).reduce((n, r) => n + r.enquiries, 0);
    if (got >= expected) break;
    if (got !== last) {
      last = got;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 1000) break;
    if (Date.now() - drainStart > drainMs) break;
    await sleep(25);
  }
  const cores1 = await cpuTimes();
  const serverCpu1 = await system.cpu();
  const seen = await Promise.all(children.map((c) => c.call('report', { name, withLatencies: true })));
  const latencies = seen.flatMap((r) => r.latencies);
  const delivered = seen.reduce((n, r) => n + r.enquiries, 0);
  const lastAt = Math.max(...seen.map((r) => r.lastAt));
  const seconds = (Math.max(lastAt, startedAt + durationMs) - startedAt) / 1000;
  const offered = Math.floor((rate * durationMs) / 1000);
  const r = {
    rate,
    durationMs,
    offered,
    acked: sent.ok,
    notAcked: { ...sent.statuses, ...sent.errors, ...(sent.behind ? { loadBehind: sent.behind } : {}) },
    expected,
    delivered,
    fewestPerAgent: Math.min(...seen.map((s) => s.fewest)),
    mostPerAgent: Math.max(...seen.map((s) => s.most)),
    gaps: seen.reduce((n, s) => n + s.gaps, 0),
    closes: seen.flatMap((s) => s.closes),
    frames: seen.reduce((n, s) => n + s.frames, 0),
    bytes: seen.reduce((n, s) => n + s.bytes, 0),
    deliveriesPerSecond: delivered / seconds,
    samples: latencies.length,
    sampleEvery,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    serverCpu: (serverCpu1.user + serverCpu1.system - serverCpu0.user - serverCpu0.system) / 1e6 / seconds,
    clientCpu: seen.reduce((n, s) => n + s.cpu.user + s.cpu.system, 0) / 1e6 / seconds,
    serverCoreBusy: busyShare(cores0, cores1, serverCpu),
    loadCoreBusy: busyShare(cores0, cores1, loadCpu),
  };
  // Nothing lost: every agent holds exactly every acknowledged enquiry, in seq order, none cut off,
  // and every offered enquiry was acknowledged.
  r.lossless = sent.ok === offered && r.fewestPerAgent === sent.ok && r.mostPerAgent === sent.ok && r.gaps === 0 && r.closes.length === 0;
  r.kept = r.deliveriesPerSecond >= 0.9 * rate * agents;
  r.held = r.lossless && r.kept && r.p99 < boundMs;
  // Not enumerable: kept for merging rounds, left out of the JSON results.
  Object.defineProperty(r, 'latencies', { value: latencies });
  return r;
}

/**
 * Waits (up to 30 s) until no frame has reached the group for 500 ms, so what a slow server still
 * owes from the last probe is not counted in the next.
 */
async function settle(children, name) {
  const frames = async () => (await Promise.all(children.map((c) => c.call('report', { name })))).reduce((n, r) => n + r.frames, 0);
  const deadline = Date.now() + 30_000;
  let last = await frames();
  let quietSince = Date.now();
  while (Date.now() - quietSince < 500 && Date.now() < deadline) {
    await sleep(100);
    const now = await frames();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

export function describeProbe(r) {
  const problems = [
    r.acked < r.offered ? `${fmt(r.offered - r.acked)} of ${fmt(r.offered)} not acknowledged ${JSON.stringify(r.notAcked)}` : '',
    r.fewestPerAgent < r.acked ? `an agent missed ${fmt(r.acked - r.fewestPerAgent)} (${fmt(r.expected - r.delivered)} deliveries missing in all)` : '',
    r.mostPerAgent > r.acked ? `an agent got ${fmt(r.mostPerAgent - r.acked)} more than were acknowledged` : '',
    r.gaps ? `${fmt(r.gaps)} seq gaps or reorders` : '',
    r.closes.length ? `${r.closes.length} sockets cut (${[...new Set(r.closes)].join(', ')})` : '',
    r.kept ? '' : 'fell behind the offered rate',
  ].filter(Boolean);
  return (
    `${fmt(r.rate)}/s × ${fmt(r.durationMs / 1000, 1)} s: ${fmt(r.deliveriesPerSecond)} deliveries/s, ` +
    `${fmt(r.frames ? r.delivered / r.frames : 0, 1)} enquiries/frame, ${fmt(r.delivered ? r.bytes / r.delivered : 0)} B/enquiry, ` +
    `p50 ${fmt(r.p50, 1)} p99 ${fmt(r.p99, 1)} max ${fmt(r.max, 1)} ms (${fmt(r.samples)} samples); ` +
    `server ${fmt(r.serverCpu * 100)}% CPU, clients ${fmt(r.clientCpu * 100)}%; cores busy: server ${fmt(r.serverCoreBusy * 100)}% load ${fmt(r.loadCoreBusy * 100)}%; ` +
    (problems.length ? problems.join('; ') : `lossless: every agent got all ${fmt(r.acked)}, in seq order`)
  );
}
