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
const TICK_FRAMES = 30;
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
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (firstFrameMs === null) {
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
const { createBrokerClient } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'client/broker-client.js')).href)});
const view = import(${JSON.stringify(pathToFileURL(join(DIST, 'workbench/index.js')).href)});
const [url, token, tickFrames, keyFrames] = process.argv.slice(1);
class Out extends EventEmitter { isTTY = true; columns = 80; rows = 24; writes = []; write(d) { this.writes.push([performance.now(), String(d)]); return true; } }
class In extends EventEmitter { isTTY = true; q = []; write(d) { this.q.push(d); this.emit('readable'); } read() { return this.q.shift() ?? null; }
  setEncoding() {} setRawMode() {} resume() {} pause() {} ref() {} unref() {} }
const client = createBrokerClient({ url, token });
await client.ready();
const welcomed = performance.now();
const { renderWorkbench } = await view;
const stdout = new Out(); const stdin = new In();
let tickAt = null;
const instance = renderWorkbench({ client, stdout, stdin, stderr: new Out(), env: process.env, clock: () => { tickAt ??= performance.now(); return Date.now(); } });
const waitFor = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 1)); };
await waitFor(() => stdout.writes.some(([, d]) => d.includes('waiting') && d.includes('q quit')));
const firstFrame = stdout.writes.find(([, d]) => d.includes('waiting') && d.includes('q quit'))[0];
const tick = [];
while (tick.length < Number(tickFrames)) {
  tickAt = null;
  const n = stdout.writes.length;
  await waitFor(() => stdout.writes.length > n && tickAt !== null);
  tick.push(stdout.writes[n][0] - tickAt);
}
const keys = [];
for (let i = 0; i < Number(keyFrames); i++) {
  const n = stdout.writes.length;
  const at = performance.now();
  stdin.write(i % 20 < 10 ? 'j' : 'k');
  await waitFor(() => stdout.writes.length > n);
  keys.push(stdout.writes[n][0] - at);
  await new Promise((r) => setTimeout(r, 60));
}
console.log(JSON.stringify({ importAndConnectMs: welcomed - t0, welcomeToFrameMs: firstFrame - welcomed, tick, keys, rss: process.memoryUsage().rss }));
instance.unmount();
await client.close();
process.exit(0);
`;

async function inProcess(url, token) {
  // Ink draws only its last frame when CI is set (to anything but "0" or "false").
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...env } = process.env;
  // NODE_ENV=production as the workbench command sets it (React's development build is far slower).
  const child = spawn(process.execPath, ['--input-type=module', '-e', IN_PROCESS, url, token, String(TICK_FRAMES), String(KEY_FRAMES)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...env, NODE_ENV: 'production' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`in-process workbench exited ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1));
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

      const real = await realTerminal(broker.url, agent, join(dir, 'config'));
      figures.add({ name: `workbench ${label}: process start to first full frame (real binary)`, value: real.firstFrameMs, unit: 'ms' });
      figures.add({ name: `workbench ${label}: RSS`, value: real.rssBytes / 1024 / 1024, unit: 'MB', ...(big ? { target: 100, better: 'lower' } : {}) });
      figures.add({
        name: `workbench ${label}: bytes to the terminal at idle, 80x24`,
        value: real.idleBytesPerSecond,
        unit: 'B/s',
        ...(big ? { target: 3072, better: 'lower' } : {}),
      });

      const timing = await inProcess(broker.url, agent);
      figures.add({
        name: `workbench ${label}: broker welcome to first full frame`,
        value: timing.welcomeToFrameMs,
        unit: 'ms',
        ...(big ? { target: 400, better: 'lower' } : {}),
      });
      figures.note(`process start to welcome (imports and snapshot): ${fmt(timing.importAndConnectMs)} ms`);
      figures.add({ name: `workbench ${label}: frame time p50, clock tick`, value: percentile(timing.tick, 0.5), unit: 'ms', digits: 2 });
      figures.add({
        name: `workbench ${label}: frame time p99, clock tick`,
        value: percentile(timing.tick, 0.99),
        unit: 'ms',
        digits: 2,
        ...(big ? { target: 10, better: 'lower' } : {}),
      });
      figures.add({ name: `workbench ${label}: frame time p50, key press (j/k)`, value: percentile(timing.keys, 0.5), unit: 'ms', digits: 2 });
      figures.add({ name: `workbench ${label}: frame time p99, key press (j/k)`, value: percentile(timing.keys, 0.99), unit: 'ms', digits: 2 });
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
