// courtdesk against its peers, in one run, on the same harness: the same agents (raw websocket
// clients in AGENT_PROCESSES processes, every one JSON-parsing every frame), the same enquiry
// bytes, the same clock, probes interleaved so the machine's other load falls on both sides.
//   (a) p99 intake → agent, 1,000 agents × 100 enquiries/s: courtdesk vs a bare `ws` broadcast server
//   (b) deliveries/s at saturation, 1,000 agents (a search for the highest rate with p99 < 100 ms
//       and nothing lost): courtdesk vs Mosquitto, agents on MQTT over websocket
//   (c) durable intake/s, 64 clients awaiting each acknowledgement: courtdesk's POST /v1/enquiries
//       (201 once fsynced) vs single-row INSERTs into PostgreSQL with synchronous_commit on
// Servers run pinned to one core, everything else to the other (lib/pin.js). Results are printed
// as a table and written to bench/results/peers-<time>.json.
// Run: npm run bench:peers [-- --quick] [-- --json]
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addToken, tokensPath } from '../dist/broker/tokens.js';
import { INTAKE_RATE_FOR_BENCH, startBareWsProcess, startBrokerProcess } from './lib/broker-process.js';
import { CLOCK, stampNow } from './lib/enquiry-load.js';
import { forkHelper } from './lib/ipc.js';
import { ensureMosquitto, startMosquitto } from './lib/mosquitto-process.js';
import { peerTable, peerVerdict } from './lib/peer-table.js';
import { LOAD_CPU, SERVER_CPU, pinSelf, pinningLine } from './lib/pin.js';
import { durableIntake } from './lib/peers-intake.js';
import { describeProbe, fanoutProbe } from './lib/fanout-probe.js';
import { saturationSearch } from './lib/saturation-search.js';
import { fmt, percentile } from './lib/stats.js';

const AGENTS = 1000;
const AGENT_PROCESSES = 4;
const LATENCY_RATE = 100;
const SATURATION_BOUND_MS = 100;
const PLANS = {
  full: { latencyRounds: 3, latencyMs: 5000, probeMs: 3000, retry: true, searchBudgetMs: 90_000, search: { start: 100, factor: 2, min: 12, max: 6400, precision: 0.1, maxProbes: 7 }, intakeRounds: 3, intakeMs: 4000, warmupMs: 2000 },
  quick: { latencyRounds: 2, latencyMs: 2000, probeMs: 2000, retry: false, searchBudgetMs: 25_000, search: { start: 100, factor: 2, min: 12, max: 6400, precision: 0.25, maxProbes: 4 }, intakeRounds: 2, intakeMs: 2000, warmupMs: 500 },
};
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

/** Forks the agent processes and checks they read the same clock as this one. */
async function agentProcesses() {
  const children = Array.from({ length: AGENT_PROCESSES }, () => forkHelper('./peer-agents-child.js', {}, { cpu: LOAD_CPU }));
  await Promise.all(children.map((c) => c.ready));
  let worst = 0;
  for (const c of children) {
    const before = stampNow();
    const theirs = await c.call('clock');
    const after = stampNow();
    if (theirs < before || theirs > after) throw new Error(`clock not shared: a child read ${theirs} between ${before} and ${after}`);
    worst = Math.max(worst, after - before);
  }
  return { children, clockBracketMs: worst };
}

/** Connects AGENTS agents to a server as group `name`, spread evenly over the agent processes. */
async function connectAgents(children, name, kind, url, tokens, seq = 0) {
  const per = Math.ceil(tokens.length / children.length);
  const t = performance.now();
  const done = await Promise.all(children.map((c, i) => c.call('connect', { name, kind, url, tokens: tokens.slice(i * per, (i + 1) * per), firstIndex: i * per, seq })));
  const connected = done.reduce((n, d) => n + d.connected, 0);
  if (connected !== tokens.length) throw new Error(`${name}: only ${connected} of ${tokens.length} agents connected`);
  return performance.now() - t;
}

const merged = (probes) => probes.flatMap((p) => p.latencies);
const lossless = (probes) => probes.every((p) => p.lossless);

/** Which probes of a search missed deliveries or acknowledgements (such a probe never counts as held). */
function lossLine(probes, label) {
  const rates = (list) => list.map((p) => `${fmt(p.rate)}/s`).join(', ');
  const missed = probes.filter((p) => p.fewestPerAgent < p.acked || p.gaps > 0 || p.closes.length > 0);
  const unacked = probes.filter((p) => p.acked < p.offered);
  if (!missed.length && !unacked.length) return `${label} none in ${probes.length} probes`;
  return [missed.length ? `${label} missed deliveries at ${rates(missed)}` : '', unacked.length ? `${label} left enquiries unacknowledged at ${rates(unacked)}` : ''].filter(Boolean).join(', ');
}

async function latencyScenario(print, plan, children, systems) {
  print(`(a) p99 intake → agent at ${fmt(AGENTS)} agents × ${LATENCY_RATE} enquiries/s, ${plan.latencyRounds} interleaved rounds of ${plan.latencyMs / 1000} s each`);
  const probes = Object.fromEntries(systems.map((s) => [s.name, []]));
  for (let round = 1; round <= plan.latencyRounds; round++) {
    for (const s of systems) {
      const r = await fanoutProbe(s, children, { rate: LATENCY_RATE, durationMs: plan.latencyMs, boundMs: Infinity, serverCpu: SERVER_CPU, loadCpu: LOAD_CPU, drainMs: 20_000 });
      probes[s.name].push(r);
      print(`  round ${round} ${s.label}: ${describeProbe(r)}`);
    }
  }
  const out = {};
  for (const s of systems) {
    const all = merged(probes[s.name]);
    const kept = probes[s.name].every((p) => p.kept);
    const loadBusy = Math.max(...probes[s.name].map((p) => p.loadCoreBusy));
    out[s.name] = { p50: percentile(all, 0.5), p99: percentile(all, 0.99), samples: all.length, lossless: lossless(probes[s.name]), kept, loadCoreBusy: loadBusy, probes: probes[s.name] };
    print(`  ${s.label}: p50 ${fmt(out[s.name].p50, 1)} ms, p99 ${fmt(out[s.name].p99, 1)} ms over ${fmt(all.length)} samples; ${out[s.name].lossless ? 'no loss: every agent got every enquiry, in seq order' : 'LOSS: see the rounds above'}`);
    if (!kept) print(`    ${s.label} fell behind ${LATENCY_RATE}/s with the load core up to ${fmt(loadBusy * 100)}% busy: its p99 is a backlog in the agents as much as the server's latency`);
  }
  return out;
}

async function saturationScenario(print, plan, children, systems) {
  print(`(b) deliveries/s at saturation, ${fmt(AGENTS)} agents: the highest rate with p99 < ${SATURATION_BOUND_MS} ms and nothing lost,`);
  print(`    searched (×${plan.search.factor} up to the first failure, then bisection to ${plan.search.precision * 100}%; at most ${plan.search.maxProbes} probes of ${plan.probeMs / 1000} s), probes interleaved;`);
  print(`    ${plan.retry ? 'a probe that lost nothing but missed the bound or the pace is run once more (the machine is shared); ' : ''}the search stops after ${plan.searchBudgetMs / 1000} s`);
  const deadline = performance.now() + plan.searchBudgetMs;
  const searches = Object.fromEntries(systems.map((s) => [s.name, saturationSearch(plan.search)]));
  const probes = Object.fromEntries(systems.map((s) => [s.name, []]));
  let outOfTime = false;
  for (let active = true; active; ) {
    active = false;
    if (performance.now() > deadline) {
      outOfTime = true;
      break;
    }
    for (const s of systems) {
      const rate = searches[s.name].next();
      if (rate === null) continue;
      active = true;
      const options = { rate, durationMs: plan.probeMs, boundMs: SATURATION_BOUND_MS, serverCpu: SERVER_CPU, loadCpu: LOAD_CPU };
      let r = await fanoutProbe(s, children, options);
      print(`  ${s.label}: ${describeProbe(r)} → ${r.held ? 'held' : 'did not hold'}`);
      if (plan.retry && !r.held && r.lossless) {
        r = await fanoutProbe(s, children, options);
        print(`  ${s.label} again: ${describeProbe(r)} → ${r.held ? 'held' : 'did not hold'}`);
      }
      probes[s.name].push(r);
      searches[s.name].record(rate, r.held);
    }
  }
  if (outOfTime) print(`  the search ran out of its ${plan.searchBudgetMs / 1000} s: the brackets below are wider than ${plan.search.precision * 100}%`);
  const out = {};
  for (const s of systems) {
    const { best, lowestFailed } = searches[s.name].result();
    const bestProbe = probes[s.name].filter((p) => p.held && p.rate === best).at(-1);
    out[s.name] = { bestRate: best, lowestFailedRate: lowestFailed, searchOutOfTime: outOfTime, deliveriesPerSecond: bestProbe?.deliveriesPerSecond ?? 0, p99: bestProbe?.p99 ?? NaN, loadCoreBusy: bestProbe?.loadCoreBusy ?? NaN, probes: probes[s.name] };
    const busy = Math.max(...probes[s.name].filter((p) => p.rate === lowestFailed).map((p) => p.loadCoreBusy), 0);
    print(
      `  ${s.label}: ${best ? `held at ${fmt(best)}/s (${fmt(out[s.name].deliveriesPerSecond)} deliveries/s, p99 ${fmt(out[s.name].p99, 1)} ms)` : 'no rate held'}` +
        (lowestFailed ? `, failed at ${fmt(lowestFailed)}/s${busy > 0.9 ? ` with the load core ${fmt(busy * 100)}% busy: the measuring side, not only the server, may be the limit` : ''}` : ''),
    );
  }
  return out;
}

export async function runPeersBench({ print = console.log, quick = false } = {}) {
  const plan = PLANS[quick ? 'quick' : 'full'];
  const started = performance.now();
  const meta = { date: new Date().toISOString(), mode: quick ? 'quick' : 'full', node: process.version, cores: cpus().length, uptimeBefore: uptime(), clock: CLOCK, pinning: pinningLine(), intakeRatePerSecond: INTAKE_RATE_FOR_BENCH };
  print(`courtdesk vs peers (${meta.mode} run): Node ${meta.node}, ${meta.cores} cores; machine: ${meta.uptimeBefore}`);
  print(`  clock: ${CLOCK}; latency = parsed in the agent's process − stamped just before the POST/PUBLISH is written`);
  pinSelf(LOAD_CPU);
  print(`  ${meta.pinning}`);
  print('  "cores busy" below is each core\'s busy share from /proc/stat, everything on the machine included; "CPU" is the process\'s own');
  print(`  courtdesk's intake rate limit (intakeRatePerSecond, 50/s per token by default) raised to ${fmt(INTAKE_RATE_FOR_BENCH)}/s for the bench only`);
  meta.mosquitto = ensureMosquitto(print);
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-peers-'));
  const cleanup = [];
  const results = {};
  try {
    const template = join(dir, 'tokens');
    const tokens = { intake: await addToken(template, { name: 'bench-intake', role: 'intake' }), agents: [] };
    for (let i = 0; i < AGENTS; i++) tokens.agents.push(await addToken(template, { name: `agent${i}`, role: 'agent' }));
    let brokers = 0;
    const freshBroker = async () => {
      const dataDir = join(dir, `broker-${brokers++}`);
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await copyFile(tokensPath(template), tokensPath(dataDir));
      const broker = await startBrokerProcess({ dataDir, cpu: SERVER_CPU });
      cleanup.push(() => broker.close());
      return broker;
    };
    const posters = (url, connections) => {
      const p = forkHelper('./posters-child.js', { url, token: tokens.intake, connections }, { cpu: LOAD_CPU });
      cleanup.push(() => p.call('close').catch(() => p.child.kill()));
      return p;
    };
    const { children, clockBracketMs } = await agentProcesses();
    cleanup.push(() => Promise.all(children.map((c) => c.call('close').catch(() => c.child.kill()))));
    print(`  ${AGENT_PROCESSES} agent processes read the same clock as this one (each reading bracketed within ${fmt(clockBracketMs, 2)} ms)`);
    meta.clockBracketMs = clockBracketMs;

    const broker = await freshBroker();
    const bare = await startBareWsProcess({ cpu: SERVER_CPU });
    cleanup.push(() => bare.close());
    const courtdesk = { name: 'courtdesk', label: 'courtdesk', agents: AGENTS, load: posters(broker.url, 64), cpu: () => broker.cpu() };
    const bareWs = { name: 'bare', label: 'bare ws', agents: AGENTS, load: posters(bare.url, 64), cpu: () => bare.cpu() };
    await Promise.all([courtdesk.load.ready, bareWs.load.ready]);
    const ms1 = await connectAgents(children, 'courtdesk', 'courtdesk', broker.url, tokens.agents);
    const ms2 = await connectAgents(children, 'bare', 'courtdesk', bare.url, tokens.agents);
    print(`  ${fmt(AGENTS)} agents connected to courtdesk in ${fmt(ms1 / 1000, 1)} s, to bare ws in ${fmt(ms2 / 1000, 1)} s`);
    print('');
    results.latency = await latencyScenario(print, plan, children, [courtdesk, bareWs]);
    await Promise.all(children.map((c) => c.call('disconnect', { name: 'bare' })));
    await bare.close();

    const mosquitto = await startMosquitto({ cpu: SERVER_CPU });
    cleanup.push(() => mosquitto.close());
    const publisher = forkHelper('./mqtt-publisher-child.js', { host: '127.0.0.1', port: mosquitto.mqttPort }, { cpu: LOAD_CPU });
    cleanup.push(() => publisher.call('close').catch(() => publisher.child.kill()));
    await publisher.ready;
    const ms3 = await connectAgents(children, 'mosquitto', 'mqtt', mosquitto.wsUrl, tokens.agents, await publisher.call('seq'));
    print('');
    print(`  ${meta.mosquitto}: plain listener :${mosquitto.mqttPort} (publisher, QoS 1, one connection), websockets :${mosquitto.wsPort} (agents, QoS 0); persistence off; ${fmt(AGENTS)} agents subscribed in ${fmt(ms3 / 1000, 1)} s`);
    const mosq = { name: 'mosquitto', label: 'Mosquitto-ws', agents: AGENTS, load: publisher, cpu: () => mosquitto.cpu() };
    results.saturation = await saturationScenario(print, plan, children, [courtdesk, mosq]);
    await Promise.all(children.map((c) => c.call('disconnect', { name: 'mosquitto' })));
    await Promise.all(children.map((c) => c.call('disconnect', { name: 'courtdesk' })));

    print('');
    results.intake = await durableIntake(print, plan, { freshBroker, posters, children, agentToken: tokens.agents[0] });
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }

  const a = results.latency;
  const b = results.saturation;
  const c = results.intake;
  const verdicts = [
    peerVerdict({ figure: `p99 intake→agent, ${fmt(AGENTS)} agents × ${LATENCY_RATE}/s`, unit: 'ms', digits: 1, courtdesk: a.courtdesk.p99, peer: a.bare.p99, peerName: 'bare ws', floor: 2, better: 'lower', courtdeskLost: !a.courtdesk.lossless }),
    peerVerdict({
      figure: `deliveries/s at saturation (p99 < ${SATURATION_BOUND_MS} ms, no loss)`,
      unit: '/s',
      courtdesk: b.courtdesk.bestRate ? b.courtdesk.deliveriesPerSecond : NaN,
      peer: b.mosquitto.bestRate ? b.mosquitto.deliveriesPerSecond : NaN,
      missing: 'none held',
      peerName: 'Mosquitto-ws',
      floor: 1,
      better: 'higher',
    }),
    peerVerdict({ figure: 'durable intake/s, 64 clients', unit: '/s', courtdesk: c.courtdesk.perSecond, peer: c.postgres.perSecond, peerName: 'PostgreSQL', floor: 1, better: 'higher', courtdeskLost: !c.courtdesk.allKept }),
  ];
  meta.uptimeAfter = uptime();
  meta.seconds = (performance.now() - started) / 1000;
  print('');
  print(`courtdesk vs peers (${meta.mode}, ${fmt(meta.seconds)} s; machine before: ${meta.uptimeBefore}; after: ${meta.uptimeAfter})`);
  print(peerTable(verdicts));
  const load = loadavg()[0];
  if (load > meta.cores) {
    print(
      `machine busy (load average ${fmt(load, 1)} on ${meta.cores} cores): other work shared the pinned cores, so every figure is low and noisy; ` +
        `and a core under contention is shared per runnable thread, which favours a peer of many processes (PostgreSQL's 64 backends) over one event loop (courtdesk, bare ws, Mosquitto)`,
    );
  }
  print(
    `losses: (a) courtdesk ${a.courtdesk.lossless ? 'none' : 'SOME'}, bare ws ${a.bare.lossless ? 'none' : 'SOME'}; (b) ${lossLine(b.courtdesk.probes, 'courtdesk')}, ${lossLine(b.mosquitto.probes, 'Mosquitto-ws')}; ` +
      `(c) courtdesk ${c.courtdesk.allKept ? 'every 201 in the journal' : 'NOT every 201 in the journal'}, PostgreSQL ${c.postgres.allKept ? 'every commit in the table' : 'NOT every commit in the table'}`,
  );
  for (const [label, r] of [['courtdesk', a.courtdesk], ['bare ws', a.bare]]) {
    if (!r.kept) print(`caveat (a): ${label} fell behind the offered ${LATENCY_RATE}/s (load core up to ${fmt(r.loadCoreBusy * 100)}% busy); its p99 includes the measuring agents' backlog`);
  }
  const file = await writeResults({ meta, verdicts, results });
  print(`results: ${file}`);
  return { meta, verdicts, results, file };
}

async function writeResults(report) {
  const folder = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(folder, { recursive: true });
  const file = join(folder, `peers-${report.meta.date.replace(/[:.]/g, '-')}${report.meta.mode === 'quick' ? '-quick' : ''}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The summary rows `npm run bench` adds to its table. */
export function peerSummaryRows({ verdicts }) {
  return verdicts.map((v) => ({ name: `peers: ${v.figure}, courtdesk / ${v.peerName}`, value: v.ratio, unit: 'x', digits: 2, target: v.floor, better: v.better, pass: v.pass }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  const report = await runPeersBench({ print: json ? (line) => console.error(line) : console.log, quick: process.argv.includes('--quick') });
  if (json) console.log(JSON.stringify(report, null, 2));
}
