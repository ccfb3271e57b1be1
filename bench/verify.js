// `courtdesk journal verify` on a 1,000,000-event journal, timed as an operator meets it: the real
// binary spawned, the clock running from spawn to exit. The journal is written with the real
// FileJournalStore (the recovery bench's realistic lives of enquiries); a broker then starts and
// stops on it, so the folder also has the checkpoint and the signed head a clean stop leaves, and
// the second figure checks those too. Run: node bench/verify.js (after npm run build)
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBrokerProcess } from './lib/broker-process.js';
import { Figures, fmt, mb } from './lib/stats.js';
import { journalWriter, lifecycle } from './recovery.js';

const EVENTS = 1_000_000;
const RUNS = 3;
const BIN = fileURLToPath(new URL('../bin/courtdesk.js', import.meta.url));

/** One `courtdesk journal verify --json`, spawn to exit: its seconds and its report. */
function timedVerify(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'journal', 'verify', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`journal verify exited ${code}: ${stderr}`));
      resolve({ seconds, report: JSON.parse(stdout), stderr });
    });
  });
}

/** The median of RUNS timed runs, with every run's time for the notes. */
async function median(args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timedVerify(args));
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor(RUNS / 2)], all: runs.map((r) => r.seconds) };
}

export async function runVerifyBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-verify-'));
  try {
    print('journal verify (the real binary, spawn to exit)');
    print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);
    let t = performance.now();
    const written = await journalWriter((i) => lifecycle(i)).write(dir, EVENTS);
    figures.note(`wrote ${fmt(written.written)} events (${mb(written.bytes)}) in ${fmt((performance.now() - t) / 1000, 1)} s`);

    const plain = await median(['--data', dir]);
    if (plain.report.events !== EVENTS || !plain.report.ok) throw new Error(`verify reported ${JSON.stringify(plain.report).slice(0, 300)}`);
    const name = `verify: courtdesk journal verify, ${fmt(EVENTS)} events`;
    figures.add({ name, value: plain.seconds, unit: 's', digits: 2, target: 5, better: 'lower' });
    figures.note(`${fmt(EVENTS / plain.seconds)} events/s, ${fmt(written.bytes / 1024 / 1024 / plain.seconds)} MB/s; runs ${plain.all.map((s) => fmt(s, 2)).join(', ')} s`);
    figures.add({ name: 'verify: events per second', value: EVENTS / plain.seconds, unit: 'events/s' });

    t = performance.now();
    await (await startBrokerProcess({ dataDir: dir })).close();
    figures.note(`a broker started and stopped on it in ${fmt((performance.now() - t) / 1000, 1)} s, leaving a checkpoint and a signed head`);
    const full = await median(['--data', dir, '--heads', join(dir, 'signed-heads.ndjson'), '--public-key', join(dir, 'journal-signing.pub')]);
    if (!full.report.checkpoint?.ok || full.report.heads?.count !== 1) throw new Error(`verify reported ${JSON.stringify(full.report).slice(0, 300)}`);
    figures.add({ name: `${name}, with its checkpoint and --heads`, value: full.seconds, unit: 's', digits: 2, target: 5, better: 'lower' });
    figures.note(`runs ${full.all.map((s) => fmt(s, 2)).join(', ')} s; load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    return figures.rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runVerifyBench({ print: console.log });
}
