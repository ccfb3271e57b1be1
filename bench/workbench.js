// The workbench under load: 100 and 10,000 waiting enquiries, an 80x24 terminal.
//   - the real binary in a real pseudo-terminal (util-linux `script`): process start to first full
//     frame, RSS, and bytes written to the terminal per second while idle (only the clocks tick);
//   - the workbench mounted in a fresh Node process on the real client: broker welcome to first
//     full frame, and time per frame (tick to written frame, key press to written frame).
// The broker runs in its own process. Needs the build (npm run bench:workbench builds first).
// Run: node bench/workbench.js
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { Figures, fmt, percentile } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../bin/courtdesk.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const SIZES = (process.env.BENCH_WORKBENCH_SIZES ?? '100,10000').split(',').map(Number);
const IDLE_MS = 10_000;
const TICK_FRAMES = 60;
const KEY_FRAMES = 200;

/** Posts `count` enquiries, 32 at a time; a third in Welsh, a mix of channels and names. */
async function fill(url, token, count) {
  const channels = ['web', 'api', 'email'];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${url}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: channels[i % channels.length],
          from: `person${i}@example.org`,
          name: `Person ${i}`,
          text: `Enquiry ${i}: I have a hearing about claim 305JE126 and need to know the time and what to bring.`,
          language: i % 3 === 0 ? 'cy' : 'en',
        }),
      });
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** A full frame at 80x24 has the status line and the footer. */
const isFullFrame = (text) => text.includes('waiting') && text.includes('q quit');

/** The real binary under `script`, which gives it a pty; the pty is set to 80x24 before node starts. */
async function realTerminal(url, token, configDir) {
  const command = `stty cols 80 rows 24; exec env -u CI COURTDESK_CONFIG_DIR='${configDir}' TERM=xterm-256color '${process.execPath}' '${BIN}' --broker ${url} --token ${token}`;
  const started = performance.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let bytes = 0;
  let firstFrameMs = null;
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    if (firstFrameMs === null) {
      output += chunk.toString('utf8');
      if (isFullFrame(output)) firstFrameMs = performance.now() - started;
    }
  });
  let gone = false;
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (firstFrameMs === null) {
    if (gone) throw new Error(`it exited before drawing: ${output.trim().slice(-500)}`);
    if (Date.now() > deadline) throw new Error(`no full frame within 60 s; output so far: ${JSON.stringify(output.slice(-2000))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  // Let start-up work settle, then count what an idle screen costs: one frame a second for the clocks.
  await new Promise((r) => setTimeout(r, 2000));
  const before = bytes;
  const idleStart = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleBytesPerSecond = (bytes - before) / ((performance.now() - idleStart) / 1000);
  const rssBytes = rssOfDescendant(child.pid);
  child.stdin.write('q');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timeout);
  return { firstFrameMs, idleBytesPerSecond, rssBytes };
}

/** VmRSS of the node process under `script` (its child). */
function rssOfDescendant(pid) {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const child of children) {
    const status = readFileSync(`/proc/${child}/status`, 'utf8');
    if (/^Name:\s*node/m.test(status)) return Number(/^VmRSS:\s*(\d+) kB/m.exec(status)[1]) * 1024;
  }
  return NaN;
}

// Runs in a fresh process (so Ink and React are loaded cold, as in the real binary): connects,
// mounts on a fake 80x24 TTY, and reports timings as one JSON line.
const IN_PROCESS = `
import { EventEmitter } from 'node:events';
const t0 = performance.now();
const dist = (path) => new URL(path, ${JSON.stringify(pathToFileURL(DIST).href)}).href;
const [mode, url, token, tickFrames, keyFrames] = process.argv.slice(1);
const view = import(dist('workbench/index.js'));
let client;
if (mode === 'broker') {
  const { createBrokerClient } = await import(dist('client/broker-client.js'));
  client = createBrokerClient({ url, token });
  await client.ready();
} else {
  // The queue folded locally with the real reducer, behind the client interface, connected.
  const { emptyState } = await import(dist('domain/enquiry.js'));
  const { applyEvent } = await import(dist('domain/reducer.js'));
  const state = emptyState();
  // Waits spread over the last 50 minutes, so the visible clocks change every second (m:ss).
  const count = Number(url);
  const start = Date.now() - 50 * 60_000;
  for (let i = 0; i < count; i++) {
    const at = new Date(start + Math.floor((i * 50 * 60_000) / count)).toISOString();
    applyEvent(state, { seq: i + 1, at, actor: { kind: 'intake', name: 'web' }, event: { type: 'enquiry.received', enquiryId: 'E' + i, messageId: 'M' + i, channel: 'web', from: 'person' + i + '@example.org', name: 'Person ' + i, text: 'Enquiry ' + i + ': I have a hearing about claim 305JE126 and need to know the time.', language: i % 3 === 0 ? 'cy' : 'en', callbackUrl: null } });
  }
  client = { state, agent: { name: 'bench', role: 'agent', languages: ['en', 'cy'] }, epoch: 'local', connection: { state: 'connected' }, pending: [], version: 1,
    subscribe: () => () => {}, ready: async () => {}, send: async () => ({ ok: true, seq: null }), open: async (id) => state.enquiries.get(id), close: async () => {} };
}
const welcomed = performance.now();
const { renderWorkbench } = await view;
class Out extends EventEmitter { isTTY = true; columns = 80; rows = 24; writes = []; write(d) { this.writes.push([performance.now(), String(d)]); return true; } }
class In extends EventEmitter { isTTY = true; q = []; write(d) { this.q.push(d); this.emit('readable'); } read() { return this.q.shift() ?? null; }
  setEncoding() {} setRawMode() {} resume() {} pause() {} ref() {} unref() {} }
const stdout = new Out(); const stdin = new In();
let tickAt = null;
const inkRender = [];
const instance = renderWorkbench({ client, stdout, stdin, stderr: new Out(), env: process.env, onRender: (m) => inkRender.push(m.renderTime), clock: () => { tickAt ??= performance.now(); return Date.now(); } });
const waitFor = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 1)); };
const full = ([, d]) => d.includes('waiting') && d.includes('q quit');
await waitFor(() => stdout.writes.some(full));
const firstFrame = stdout.writes.find(full)[0];
const tick = [];
inkRender.length = 0;
while (tick.length < Number(tickFrames)) {
  tickAt = null;
  const n = stdout.writes.length;
  await waitFor(() => stdout.writes.length > n && tickAt !== null);
  tick.push(stdout.writes[n][0] - tickAt);
}
const inkTick = [...inkRender];
const keys = [];
for (let i = 0; i < Number(keyFrames); i++) {
  const n = stdout.writes.length;
  const at = performance.now();
  stdin.write(i % 20 < 10 ? 'j' : 'k');
  await waitFor(() => stdout.writes.length > n);
  keys.push(stdout.writes[n][0] - at);
  await new Promise((r) => setTimeout(r, 60));
}
console.log(JSON.stringify({ importAndConnectMs: welcomed - t0, welcomeToFrameMs: firstFrame - welcomed, tick, inkTick, keys, rss: process.memoryUsage().rss }));
instance.unmount();
await client.close();
process.exit(0);
`;

async function inProcess(mode, url, token) {
  // Ink draws only its last frame when CI is set (to anything but "0" or "false").
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...env } = process.env;
  // NODE_ENV=production as the workbench command sets it (React's development build is far slower).
  const child = spawn(process.execPath, ['--input-type=module', '-e', IN_PROCESS, mode, url, token, String(TICK_FRAMES), String(KEY_FRAMES)], {
    // Ink shows the cursor on stderr as it unmounts; keep that out of the report.
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, NODE_ENV: 'production' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`in-process workbench exited ${code}: ${out}${err}`);
  return JSON.parse(out.trim().split('\n').at(-1));
}

function frameFigures(figures, label, timing, big, firstFrameName) {
  figures.add({ name: `workbench ${label}: ${firstFrameName}`, value: timing.welcomeToFrameMs, unit: 'ms', ...(big ? { target: 400, better: 'lower' } : {}) });
  figures.note(`process start to ${firstFrameName.startsWith('broker') ? 'welcome (imports and snapshot)' : 'mount (imports and fold)'}: ${fmt(timing.importAndConnectMs)} ms`);
  figures.add({ name: `workbench ${label}: frame time p50, clock tick`, value: percentile(timing.tick, 0.5), unit: 'ms', digits: 2 });
  figures.add({
    name: `workbench ${label}: frame time p99, clock tick`,
    value: percentile(timing.tick, 0.99),
    unit: 'ms',
    digits: 2,
    ...(big ? { target: 10, better: 'lower' } : {}),
  });
  figures.note(`Ink's own render of those frames (its onRender renderTime): p50 ${fmt(percentile(timing.inkTick, 0.5), 2)} ms, p99 ${fmt(percentile(timing.inkTick, 0.99), 2)} ms`);
  figures.add({ name: `workbench ${label}: frame time p50, key press (j/k)`, value: percentile(timing.keys, 0.5), unit: 'ms', digits: 2 });
  figures.add({ name: `workbench ${label}: frame time p99, key press (j/k)`, value: percentile(timing.keys, 0.99), unit: 'ms', digits: 2 });
}

export async function runWorkbenchBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  print(`workbench (80x24; real binary in a pty via script(1), and mounted in a fresh process on the real client; broker in its own process)`);
  print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);
  for (const size of SIZES) {
    const dir = await fs.mkdtemp(join(tmpdir(), 'courtdesk-bench-workbench-'));
    const dataDir = join(dir, 'data');
    let broker;
    try {
      const agent = await addToken(dataDir, { name: 'bench', role: 'agent', languages: ['en', 'cy'] });
      const intake = await addToken(dataDir, { name: 'bench-intake', role: 'intake' });
      broker = await startBrokerProcess({ dataDir });
      const filled = performance.now();
      await fill(broker.url, intake, size);
      print(`  ${fmt(size)} waiting enquiries (posted in ${fmt((performance.now() - filled) / 1000, 1)} s)`);
      const label = `${fmt(size)} waiting`;
      const big = size >= 10_000;

      try {
        const real = await realTerminal(broker.url, agent, join(dir, 'config'));
        figures.add({ name: `workbench ${label}: process start to first full frame (real binary)`, value: real.firstFrameMs, unit: 'ms' });
        figures.add({ name: `workbench ${label}: RSS`, value: real.rssBytes / 1024 / 1024, unit: 'MB', ...(big ? { target: 100, better: 'lower' } : {}) });
        figures.add({
          name: `workbench ${label}: bytes to the terminal at idle, 80x24`,
          value: real.idleBytesPerSecond,
          unit: 'B/s',
          ...(big ? { target: 3072, better: 'lower' } : {}),
        });
        const timing = await inProcess('broker', broker.url, agent);
        frameFigures(figures, label, timing, big, 'broker welcome to first full frame');
      } catch (err) {
        figures.note(`${label}: the real binary could not run: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
      // The view alone, on the same queue folded locally: what the workbench costs whatever the link.
      const local = await inProcess('local', String(size), '');
      frameFigures(figures, `${label} (view only, queue folded locally)`, local, false, 'mount to first full frame');
      figures.add({ name: `workbench ${label} (view only): RSS of the process`, value: local.rss / 1024 / 1024, unit: 'MB' });
    } finally {
      await broker?.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  return figures.rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWorkbenchBench({ print: console.log });
}
