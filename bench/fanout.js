// Fan-out: events delivered per second to 100 and to 1,000 connected agents, with latency from
// append (the event's `at`) to receipt, against a bare ws broadcast server measured the same way.
//
// Method. The server runs in its own process; the agents are raw websocket clients in two more
// (lib/agents-child.js); a producer process POSTs enquiries to /v1/enquiries at a paced rate
// (lib/posters-child.js). Each server gets a ramp of 2-second steps at rising rates; a step
// "holds" when every event reached every client (≥ 99%, no gap, no socket cut) with p99 ≤ 50 ms
// and kept pace with the producer (a step that missed only the latency bound or the pace is tried
// once more, since the machine is shared).
// The figure is the highest step that held: sustainable events/s under that latency bound.
// Both servers get the same clients, producer, payload and steps. The broker appends each event
// to its journal, fsyncs (group commit) and sends each socket one frame per commit (`events`
// when several are ready); the bare server sends one `event` frame per POST at once, no disk.
// Latency is given from the event's `at` (stamped by the server) and from just before the POST
// (the producer writes its clock into the text), which also counts intake and the fsync.
// For a shorter, focused run: BENCH_FANOUT_AGENTS=1000 BENCH_FANOUT_RATES=100,400 (rates for
// every agent count given), BENCH_FANOUT_SERVERS=broker (or bare). BENCH_FANOUT_CPUS=0,1 pins each
// server to the first core and the clients and producer to the second (taskset), as the figures
// in DESIGN.md were measured. BENCH_FANOUT_KEEP_GOING=1 tries every rate, held or not.
// Run: node bench/fanout.js
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addToken, tokensPath } from '../dist/broker/tokens.js';
import { startBareWsProcess, startBrokerProcess } from './lib/broker-process.js';
import { forkHelper } from './lib/ipc.js';
import { Figures, fmt, percentile } from './lib/stats.js';

const STEP_MS = 2000;
const CLIENT_PROCESSES = 2;
const LATENCY_BOUND_MS = 50;
/** Producer rates (events/s) per agent count; the ramp stops at the first step that does not hold. */
const RAMPS = {
  100: [500, 1000, 1500, 2000, 3000, 4000, 6000],
  1000: [50, 100, 150, 200, 300, 400, 600, 800],
};
const SAMPLE_EVERY = { 100: 5, 1000: 20 };
const AGENT_COUNTS = (process.env.BENCH_FANOUT_AGENTS ?? '100,1000').split(',').map(Number);
const RATES = process.env.BENCH_FANOUT_RATES?.split(',').map(Number);
const SERVERS = (process.env.BENCH_FANOUT_SERVERS ?? 'broker,bare').split(',');
const CPUS = process.env.BENCH_FANOUT_CPUS?.split(',');
/** BENCH_FANOUT_KEEP_GOING=1: every rate is tried even after one did not hold (to see saturation). */
const KEEP_GOING = process.env.BENCH_FANOUT_KEEP_GOING === '1';

/** Pins a process and all its threads to one core, when asked (BENCH_FANOUT_CPUS). */
function pin(pid, which) {
  if (CPUS) execFileSync('taskset', ['-a', '-cp', CPUS[which], String(pid)], { stdio: 'ignore' });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects `tokens` as agents, split over CLIENT_PROCESSES processes. */
async function connectAgents(url, tokens, sampleEvery) {
  const per = Math.ceil(tokens.length / CLIENT_PROCESSES);
  const groups = [];
  for (let i = 0; i < CLIENT_PROCESSES; i++) {
    groups.push(forkHelper('./agents-child.js', { url, tokens: tokens.slice(i * per, (i + 1) * per), firstIndex: i * per, sampleEvery }));
    pin(groups[i].child.pid, 1);
  }
  await Promise.all(groups.map((g) => g.ready));
  const connected = await Promise.all(groups.map((g) => g.call('connect')));
  return { groups, connected: connected.reduce((n, c) => n + c.connected, 0), sampled: connected.reduce((n, c) => n + c.sampled, 0) };
}

async function reports(groups, withLatencies = false) {
  return Promise.all(groups.map((g) => g.call('report', { withLatencies })));
}

/** One paced step: returns what the clients saw and whether it held. */
async function step({ server, producer, groups, agents }, rate) {
  await Promise.all(groups.map((g) => g.call('reset')));
  const cpu0 = await server.cpu();
  await server.probes();
  const sent = await producer.call('paced', { rate, durationMs: STEP_MS });
  const expected = sent.ok * agents;
  // Wait until every acknowledged event has reached every client, or deliveries stop coming.
  const drainStart = Date.now();
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const total = (await reports(groups)).reduce((n, r) => n + r.events, 0);
    if (total >= expected) break;
    if (total !== last) {
      last = total;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 750) break;
    if (Date.now() - drainStart > 8000) break;
    await sleep(50);
  }
  const cpu1 = await server.cpu();
  const probes = await server.probes();
  const seen = await reports(groups, true);
  const events = seen.reduce((n, r) => n + r.events, 0);
  const frames = seen.reduce((n, r) => n + r.frames, 0);
  const bytes = seen.reduce((n, r) => n + r.bytes, 0);
  const lastAt = Math.max(...seen.map((r) => r.lastAt));
  const seconds = (Math.max(lastAt, sent.endedAt) - sent.startedAt) / 1000;
  const latencies = seen.flatMap((r) => r.latencies);
  const fromPost = seen.flatMap((r) => r.fromPost ?? []);
  const closes = seen.flatMap((r) => r.closes);
  const gaps = seen.reduce((n, r) => n + r.gaps, 0);
  const result = {
    rate,
    agents,
    acked: sent.ok,
    notAcked: { ...sent.statuses, ...sent.errors, ...(sent.behind ? { producerBehind: sent.behind } : {}) },
    events,
    expected,
    frames,
    bytes,
    perSecond: events / seconds,
    framesPerSecond: frames / seconds,
    eventsPerFrame: frames ? events / frames : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    postP50: percentile(fromPost, 0.5),
    postP99: percentile(fromPost, 0.99),
    samples: latencies.length,
    closes,
    gaps,
    serverCpu: (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1e6 / seconds,
    clientCpu: seen.reduce((n, r) => n + r.cpu.user + r.cpu.system, 0) / 1e6 / seconds,
    probes,
    ackP99: percentile(sent.latencies, 0.99),
  };
  // Every acknowledged event reached every client, and at the offered pace: a server that falls
  // behind on intake stamps `at` late and hides its backlog from the latency, but not from this.
  result.complete = expected > 0 && events >= 0.99 * expected && sent.ok >= 0.95 * Math.floor((rate * STEP_MS) / 1000);
  result.kept = result.perSecond >= 0.9 * rate * agents;
  result.held = result.complete && result.kept && closes.length === 0 && gaps === 0 && result.p99 <= LATENCY_BOUND_MS;
  return result;
}

function describe(r) {
  const lost = r.expected - r.events;
  const extra = [
    lost > 0 ? `${fmt(lost)} deliveries missing` : '',
    r.kept ? '' : `fell behind the offered ${fmt(r.rate * r.agents)}/s`,
    r.closes.length ? `${r.closes.length} sockets cut (${[...new Set(r.closes)].join(', ')})` : '',
    r.gaps ? `${r.gaps} seq gaps` : '',
    Object.keys(r.notAcked).length ? `not acked ${JSON.stringify(r.notAcked)}` : '',
  ].filter(Boolean);
  return (
    `${fmt(r.rate)} events/s offered: ${fmt(r.perSecond)} delivered/s, ${fmt(r.framesPerSecond)} frames/s ` +
    `(${fmt(r.eventsPerFrame, 1)} events/frame, ${fmt(r.events ? r.bytes / r.events : 0)} B/event), p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms, ` +
    `from the POST p50 ${fmt(r.postP50)} ms p99 ${fmt(r.postP99)} ms, ` +
    `CPU server ${fmt(r.serverCpu * 100)}% clients ${fmt(r.clientCpu * 100)}%, loop delay p99 ${fmt(r.probes.loopDelayP99, 1)} ms` +
    (r.probes.fsyncs ? `, ${fmt(r.probes.fsyncs)} fsyncs p50 ${fmt(r.probes.fsyncP50, 1)} p99 ${fmt(r.probes.fsyncP99, 1)} ms` : '') +
    `, intake ack p99 ${fmt(r.ackP99)} ms${extra.length ? `; ${extra.join('; ')}` : ''} → ${r.held ? 'held' : 'did not hold'}`
  );
}

/** Runs the ramp for one server kind and agent count; returns the best step that held and the first that did not. */
async function ramp(print, kind, agents, tokens, start) {
  const server = await start();
  pin(server.pid, 0);
  const producer = forkHelper('./posters-child.js', { url: server.url, token: tokens.intake, connections: 32 });
  pin(producer.child.pid, 1);
  let groups = [];
  try {
    await producer.ready;
    const connected = await connectAgents(server.url, tokens.agents.slice(0, agents), SAMPLE_EVERY[agents]);
    groups = connected.groups;
    if (connected.connected !== agents) throw new Error(`only ${connected.connected} of ${agents} agents connected`);
    print(`  ${kind}, ${fmt(agents)} agents (${connected.sampled} parse every frame for latency):`);
    let best = null;
    let broke = null;
    let first = null;
    let most = 0;
    for (const rate of RATES ?? RAMPS[agents]) {
      let r = await step({ server, producer, groups, agents }, rate);
      print(`    ${describe(r)}`);
      // Other work on a shared machine can stall any process for 100 ms and spoil a step, so a
      // step that missed the latency bound or the pace is tried once more. Lost events, seq gaps
      // and cut sockets are never retried.
      if (!r.held && r.complete && r.closes.length === 0 && r.gaps === 0) {
        r = await step({ server, producer, groups, agents }, rate);
        print(`    again: ${describe(r)}`);
      }
      first ??= r;
      most = Math.max(most, r.perSecond);
      if (!r.held) {
        broke = r;
        if (KEEP_GOING) continue;
        break;
      }
      best = r;
    }
    const rss = (await server.memory()).rss;
    return { best, broke, rss, first, most };
  } finally {
    await Promise.all(groups.map((g) => g.call('close').catch(() => g.child.kill())));
    await producer.call('close').catch(() => producer.child.kill());
    await server.close();
  }
}

export async function runFanoutBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-fanout-'));
  try {
    print(`fan-out (server, ${CLIENT_PROCESSES} agent-client processes and a paced intake producer each in their own process;`);
    print(`  ${STEP_MS / 1000} s steps at rising rates; a step holds when all events reach all agents with p99 ≤ ${LATENCY_BOUND_MS} ms)`);
    print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on 2 cores (other work on the machine skews every figure)`);
    // Tokens once, then a fresh data folder (same tokens) for every broker, so no run inherits another's queue.
    const template = join(dir, 'tokens');
    const tokens = { intake: await addToken(template, { name: 'bench-intake', role: 'intake' }), agents: [] };
    for (let i = 0; i < 1000; i++) tokens.agents.push(await addToken(template, { name: `agent${i}`, role: 'agent' }));
    let runs = 0;
    const freshBroker = async () => {
      const dataDir = join(dir, `broker-${runs++}`);
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await copyFile(tokensPath(template), tokensPath(dataDir));
      return startBrokerProcess({ dataDir });
    };

    const results = {};
    const none = { best: null, broke: null, rss: NaN, first: null };
    for (const agents of AGENT_COUNTS) {
      results[agents] = {
        broker: SERVERS.includes('broker') ? await ramp(print, 'broker', agents, tokens, freshBroker) : none,
        bare: SERVERS.includes('bare') ? await ramp(print, 'bare ws', agents, tokens, startBareWsProcess) : none,
      };
    }

    print('');
    for (const agents of AGENT_COUNTS) {
      const { broker, bare } = results[agents];
      // When not even the lowest step held, its figures are shown (marked), not zeros.
      const b = broker.best ?? broker.first;
      const w = bare.best ?? bare.first;
      const n = `${fmt(agents)} agents`;
      const bb = broker.best ? 'broker' : 'broker (no step held: lowest step)';
      const ww = bare.best ? 'bare ws' : 'bare ws (no step held: lowest step)';
      const target = agents === 1000 ? 100_000 : undefined;
      figures.add({ name: `fan-out ${n}: ${bb} events delivered (p99 ≤ ${LATENCY_BOUND_MS} ms)`, value: b?.perSecond ?? 0, unit: 'events/s', target });
      figures.add({ name: `fan-out ${n}: ${bb} frames`, value: b?.framesPerSecond ?? 0, unit: 'frames/s' });
      figures.add({ name: `fan-out ${n}: ${bb} latency p50`, value: b?.p50 ?? NaN, unit: 'ms' });
      figures.add({ name: `fan-out ${n}: ${bb} latency p99`, value: b?.p99 ?? NaN, unit: 'ms', target: LATENCY_BOUND_MS, better: 'lower' });
      figures.add({ name: `fan-out ${n}: ${bb} latency p99 from just before the POST`, value: b?.postP99 ?? NaN, unit: 'ms' });
      figures.add({ name: `fan-out ${n}: broker most events delivered in any step`, value: broker.most ?? NaN, unit: 'events/s' });
      if (b?.probes?.fsyncs) figures.note(`broker fdatasync at that step: p50 ${fmt(b.probes.fsyncP50, 1)} ms, p99 ${fmt(b.probes.fsyncP99, 1)} ms (part of every event's latency: nothing is sent before it is durable)`);
      figures.add({ name: `fan-out ${n}: ${ww} baseline events delivered`, value: w?.perSecond ?? 0, unit: 'events/s' });
      figures.add({ name: `fan-out ${n}: ${ww} latency p50`, value: w?.p50 ?? NaN, unit: 'ms' });
      figures.add({ name: `fan-out ${n}: ${ww} latency p99`, value: w?.p99 ?? NaN, unit: 'ms' });
      figures.add({ name: `fan-out ${n}: ${ww} latency p99 from just before the POST`, value: w?.postP99 ?? NaN, unit: 'ms' });
      figures.add({ name: `fan-out ${n}: bare ws most events delivered in any step`, value: bare.most ?? NaN, unit: 'events/s' });
      figures.add({
        name: `fan-out ${n}: broker / bare ws${broker.best && bare.best ? '' : ' (not comparable: a ramp held no step)'}`,
        value: broker.best && bare.best ? broker.best.perSecond / bare.best.perSecond : NaN,
        unit: 'x',
        digits: 2,
        target: 0.8,
      });
      figures.note(`server RSS at the end: broker ${fmt(broker.rss / 1024 / 1024)} MB, bare ws ${fmt(bare.rss / 1024 / 1024)} MB`);
    }
    return figures.rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFanoutBench({ print: console.log });
}
