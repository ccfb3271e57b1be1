// The workbench under load: the real binary (bin/courtdesk.js) in a real pseudo-terminal at 80x24
// (util-linux `script`), against a real broker in its own process holding 100 (the baseline) and
// 10,000 waiting enquiries. Everything is read from outside the binary:
//   - process start to first full frame, and broker welcome to first full frame: the broker is
//     reached through a small TCP relay here that notes when the welcome frame's last byte went
//     through to the workbench;
//   - frame time while the clocks tick: the workbench's clocks turn over on the second (ticker.ts),
//     so each idle frame's time is from that second to its last byte arriving on the terminal
//     (React, Ink, the write, the pty and script(1) all included). On a shared machine a frame is
//     also slow when the workbench waits for a CPU, or when this process pauses to collect garbage
//     and reads the bytes late: for the slowest frames the report says how long the workbench's
//     main thread waited to run (/proc/PID/schedstat) and whether this process was collecting;
//   - RSS (and peak RSS) of the node process at idle, and RSS again after the key presses; bytes
//     written to the terminal per second at idle;
//   - frame time after a key press (j/k), which includes Ink's frame-rate throttle.
// BENCH_WORKBENCH_VIEW=1 also mounts the view alone in a fresh process on a queue folded locally,
// reporting Ink's own render time (what the view costs, whatever the link).
// BENCH_PROFILE=DIR runs the binary (and the broker) under --cpu-prof.
// BENCH_WORKBENCH_NODE_ARGS="--no-flush-bytecode" passes Node flags to the binary, for what-if runs.
// Needs the build (npm run bench:workbench builds first). Run: node bench/workbench.js
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { Figures, fmt, percentile } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../bin/courtdesk.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const SIZES = (process.env.BENCH_WORKBENCH_SIZES ?? '100,10000').split(',').map(Number);
/**
 * Idle seconds watched: one clock frame each, and the bytes they cost. The p99 of 60 frames would
 * be their slowest; of 120, the second slowest, as a p99 should be.
 */
const IDLE_SECONDS = Number(process.env.BENCH_WORKBENCH_IDLE_SECONDS ?? 120);
/** The clock-tick p99 is also given without the frames this soon after start (both are printed). */
const WARM_UP_SECONDS = 30;
const KEY_FRAMES = 100;
const VIEW_ONLY = process.env.BENCH_WORKBENCH_VIEW === '1';
/** Chunks closer together than this belong to one frame (script(1) may split a frame's write). */
const FRAME_GAP_MS = 15;
/** Key presses left out of the second key p99: the ones V8 is still compiling the key path for. */
const WARM_UP_PRESSES = 5;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the binary's Date.now(). */
export const wallNow = () => performance.timeOrigin + performance.now();

/** Posts `count` enquiries, 32 at a time; a third in Welsh, a mix of channels and names. Returns their ids, in posting order. */
export async function fill(url, token, count) {
  const channels = ['web', 'api', 'email'];
  const ids = [];
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
      ids[i] = (await res.json()).id;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return ids;
}

/**
 * A TCP relay in front of the broker that watches the broker-to-client bytes of the websocket
 * connection (the one answered `101`) and notes when the first frame (the welcome) started and
 * finished passing through. Frames from the server are unmasked and uncompressed here (the
 * workbench turns permessage-deflate off), so the welcome's length is in its header.
 */
async function welcomeRelay(brokerUrl) {
  const upstream = new URL(brokerUrl);
  const seen = { upgradeAt: null, firstByteAt: null, lastByteAt: null, bytes: null };
  const sockets = new Set();
  const server = createServer((client) => {
    const broker = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    sockets.add(client).add(broker);
    client.on('error', () => broker.destroy());
    broker.on('error', () => client.destroy());
    client.on('close', () => broker.destroy());
    broker.on('close', () => client.destroy());
    client.pipe(broker);
    // null: not yet known; 'other': not the websocket; {}: a welcome frame's header is next; a
    // number: bytes of the welcome frame still to come. A large welcome comes as fragments, and has
    // passed with the one that has FIN set.
    let head = Buffer.alloc(0);
    let state = null;
    let fin = false;
    broker.on('data', (chunk) => {
      let done = false;
      let rest = chunk;
      while (!done && rest.length > 0 && state !== 'other') {
        if (typeof state === 'number') {
          const taken = Math.min(state, rest.length);
          state -= taken;
          rest = rest.subarray(taken);
          if (state === 0) {
            if (fin) done = true;
            else state = {};
          }
          continue;
        }
        head = Buffer.concat([head, rest]);
        rest = Buffer.alloc(0);
        if (state === null) {
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) break;
          if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101') || seen.upgradeAt !== null) {
            state = 'other';
            break;
          }
          seen.upgradeAt = wallNow();
          head = head.subarray(end + 4);
          state = {};
        }
        if (head.length < 2) break;
        const short = head[1] & 0x7f;
        const headerLength = short === 126 ? 4 : short === 127 ? 10 : 2;
        if (head.length < headerLength) break;
        const length = short === 126 ? head.readUInt16BE(2) : short === 127 ? Number(head.readBigUInt64BE(2)) : short;
        seen.firstByteAt ??= wallNow();
        seen.bytes = (seen.bytes ?? 0) + length;
        fin = (head[0] & 0x80) !== 0;
        rest = head.subarray(headerLength);
        head = Buffer.alloc(0);
        state = length;
        if (length === 0 && fin) done = true;
      }
      if (done) {
        state = 'other';
        client.write(chunk, () => (seen.lastByteAt = wallNow()));
      } else client.write(chunk);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A full frame at 80x24 has the status line and the footer. */
const isFullFrame = (text) => text.includes('waiting') && text.includes('q quit');

/**
 * Groups output chunks `[wallMs, bytes, cpuWaitMs?]` into frames: `{start, end, bytes, cpuWaitAtEnd}`
 * (the workbench's CPU wait so far, as read when the frame's last chunk came).
 */
function frames(chunks) {
  const out = [];
  for (const [at, bytes, cpuWait] of chunks) {
    const last = out.at(-1);
    if (last && at - last.end <= FRAME_GAP_MS) {
      last.end = at;
      last.bytes += bytes;
      last.cpuWaitAtEnd = cpuWait;
    } else out.push({ start: at, end: at, bytes, cpuWaitAtEnd: cpuWait });
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The real binary under `script`, which gives it a pty; the pty is set to 80x24 before node starts. */
async function realTerminal(brokerUrl, token, configDir) {
  const relay = await welcomeRelay(brokerUrl);
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const profile = process.env.BENCH_PROFILE ? `--cpu-prof --cpu-prof-dir='${process.env.BENCH_PROFILE}'` : '';
  const extra = process.env.BENCH_WORKBENCH_NODE_ARGS ?? '';
  const command = `stty cols 80 rows 24; exec env -u CI COURTDESK_CONFIG_DIR='${configDir}' TERM=xterm-256color '${process.execPath}' ${profile} ${extra} '${BIN}' --broker ${relay.url} --token ${token}`;
  const started = wallNow();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let firstFrameAt = null;
  let chunks = [];
  let waits = null;
  child.stdout.on('data', (chunk) => {
    const at = wallNow();
    chunks.push([at, chunk.length, waits?.read()]);
    if (firstFrameAt === null) {
      output += chunk.toString('utf8');
      if (isFullFrame(output)) firstFrameAt = at;
    }
  });
  let gone = false;
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => (gone = true));
  try {
    const deadline = Date.now() + 60_000;
    while (firstFrameAt === null) {
      if (gone) throw new Error(`it exited before drawing: ${output.trim().slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`no full frame within 60 s; output so far: ${JSON.stringify(output.slice(-2000))}`);
      await sleep(5);
    }
    const { upgradeAt, firstByteAt, lastByteAt, bytes: welcomeBytes } = relay.seen;
    // Let start-up work settle, then watch an idle screen: one frame a second for the clocks.
    await sleep(2000);
    const node = nodeChildOf(child.pid);
    chunks = [];
    const idleStart = wallNow();
    const idleWaits = new CpuWaits(node);
    waits = idleWaits;
    const ownGc = new OwnGcPauses();
    await sleep(IDLE_SECONDS * 1000 + 100);
    const idleEnd = wallNow();
    idleWaits.stop();
    waits = null;
    ownGc.stop();
    const idle = chunks.filter(([at]) => at <= idleEnd);
    const idleBytesPerSecond = idle.reduce((n, [, b]) => n + b, 0) / ((idleEnd - idleStart) / 1000);
    // Each idle frame from the second its clocks turned over to its last byte on the terminal.
    const tick = frames(idle).map((f) => {
      const second = Math.floor(f.start / 1000) * 1000;
      return { ms: f.end - second, sinceStartS: (second - started) / 1000, cpuWaitMs: f.cpuWaitAtEnd - idleWaits.before(second), ownGcMs: ownGc.during(second - 20, f.end) };
    });
    const memory = memoryOf(node);

    const keys = [];
    const keyWaits = new CpuWaits(node);
    waits = keyWaits;
    const keyGc = new OwnGcPauses();
    const keysStart = wallNow();
    for (let i = 0; i < KEY_FRAMES; i++) {
      // Keep clear of the clock's frame, so each key's frame is its own.
      const intoSecond = wallNow() % 1000;
      if (intoSecond < 60 || intoSecond > 900) await sleep((1060 - intoSecond) % 1000);
      chunks = [];
      const waitedBefore = keyWaits.read();
      const at = wallNow();
      child.stdin.write(i % 20 < 10 ? 'j' : 'k');
      while (chunks.length === 0 || wallNow() - chunks.at(-1)[0] <= FRAME_GAP_MS) {
        if (wallNow() - at > 5000) throw new Error(`no frame within 5 s of key press ${i + 1}`);
        await sleep(2);
      }
      const frame = frames(chunks)[0];
      keys.push({ ms: frame.end - at, sinceKeysS: (at - keysStart) / 1000, cpuWaitMs: frame.cpuWaitAtEnd - waitedBefore, ownGcMs: keyGc.during(at, frame.end) });
      await sleep(40);
    }
    keyWaits.stop();
    waits = null;
    keyGc.stop();
    const afterKeys = memoryOf(node);
    return {
      firstFrameMs: firstFrameAt - started,
      connectMs: upgradeAt - started,
      welcomeMs: lastByteAt - started,
      welcomeBytes,
      welcomeTransferMs: lastByteAt - firstByteAt,
      welcomeToFrameMs: firstFrameAt - lastByteAt,
      idleBytesPerSecond,
      tick,
      keys,
      ...memory,
      rssAfterKeysBytes: afterKeys.rssBytes,
    };
  } finally {
    const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
    if (!gone) child.stdin.write('q');
    await exited;
    clearTimeout(timeout);
    await relay.close();
  }
}

/** The node process under `script` (its child). */
export function nodeChildOf(pid) {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  const node = children.find((c) => /^Name:\s*node/m.test(readFileSync(`/proc/${c}/status`, 'utf8')));
  if (!node) throw new Error(`no node process under script (pid ${pid})`);
  return Number(node);
}

/** VmRSS and VmHWM (peak) of a process, in bytes. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)[1]) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

/**
 * How long a process's main thread has waited for a CPU (runnable, not running), from
 * /proc/PID/schedstat: read 20 ms before every second turns over, and again as each frame's bytes
 * arrive, so the difference is what it waited while drawing that frame.
 */
class CpuWaits {
  constructor(pid) {
    this.file = `/proc/${pid}/schedstat`;
    this.samples = new Map();
    const next = () => {
      this.timer = setTimeout(() => {
        this.samples.set(Math.round(wallNow() / 1000) * 1000, this.read());
        next();
      }, 1000 - ((wallNow() + 20) % 1000));
    };
    next();
  }

  read() {
    return Number(readFileSync(this.file, 'utf8').split(' ')[1]) / 1e6;
  }

  stop() {
    clearTimeout(this.timer);
  }

  /** Milliseconds waited until just before `second` (NaN if that sample is missing). */
  before(second) {
    return this.samples.get(second) ?? NaN;
  }
}

/** Garbage collection pauses of this process: while one runs, the terminal's bytes are read late. */
class OwnGcPauses {
  constructor() {
    this.pauses = [];
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.pauses.push([performance.timeOrigin + e.startTime, e.duration]);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop() {
    this.observer.disconnect();
  }

  /** Milliseconds of pause between two wall-clock times. */
  during(from, to) {
    return this.pauses.reduce((sum, [at, ms]) => sum + Math.max(0, Math.min(to, at + ms) - Math.max(from, at)), 0);
  }
}

// The view alone (BENCH_WORKBENCH_VIEW=1): mounted in a fresh process (Ink and React loaded cold)
// on a fake 80x24 TTY, on a queue folded locally with the real reducer; reports one JSON line.
const VIEW_ONLY_SCRIPT = `
import { EventEmitter } from 'node:events';
const t0 = performance.now();
const dist = (path) => new URL(path, ${JSON.stringify(pathToFileURL(DIST).href)}).href;
const [count, tickFrames] = process.argv.slice(1).map(Number);
const view = import(dist('workbench/index.js'));
const { emptyState } = await import(dist('domain/enquiry.js'));
const { applyEvent } = await import(dist('domain/reducer.js'));
const state = emptyState();
// Waits spread over the last 50 minutes, so the visible clocks change every second (m:ss).
const start = Date.now() - 50 * 60_000;
for (let i = 0; i < count; i++) {
  const at = new Date(start + Math.floor((i * 50 * 60_000) / count)).toISOString();
  applyEvent(state, { seq: i + 1, at, actor: { kind: 'intake', name: 'web' }, event: { type: 'enquiry.received', enquiryId: 'E' + i, messageId: 'M' + i, channel: 'web', from: 'person' + i + '@example.org', name: 'Person ' + i, text: 'Enquiry ' + i + ': I have a hearing about claim 305JE126 and need to know the time.', language: i % 3 === 0 ? 'cy' : 'en', callbackUrl: null } });
}
const client = { state, agent: { name: 'bench', role: 'agent', languages: ['en', 'cy'] }, epoch: 'local', connection: { state: 'connected' }, pending: [], version: 1,
  subscribe: () => () => {}, ready: async () => {}, send: async () => ({ ok: true, seq: null }), open: async (id) => state.enquiries.get(id), close: async () => {} };
const folded = performance.now();
const { renderWorkbench } = await view;
class Out extends EventEmitter { isTTY = true; columns = 80; rows = 24; writes = []; write(d) { this.writes.push([performance.now(), String(d)]); return true; } }
class In extends EventEmitter { isTTY = true; setEncoding() {} setRawMode() {} resume() {} pause() {} ref() {} unref() {} read() { return null; } }
const stdout = new Out();
let tickAt = null;
const inkRender = [];
const instance = renderWorkbench({ client, stdout, stdin: new In(), stderr: new Out(), env: process.env, onRender: (m) => inkRender.push(m.renderTime), clock: () => { tickAt ??= performance.now(); return Date.now(); } });
const waitFor = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 1)); };
const full = ([, d]) => d.includes('waiting') && d.includes('q quit');
await waitFor(() => stdout.writes.some(full));
const firstFrame = stdout.writes.find(full)[0];
const tick = [];
inkRender.length = 0;
while (tick.length < tickFrames) {
  tickAt = null;
  const n = stdout.writes.length;
  await waitFor(() => stdout.writes.length > n && tickAt !== null);
  tick.push(stdout.writes[n][0] - tickAt);
}
console.log(JSON.stringify({ foldMs: folded - t0, mountToFrameMs: firstFrame - folded, tick, inkTick: inkRender, rss: process.memoryUsage().rss }));
instance.unmount();
process.exit(0);
`;

async function viewOnly(size) {
  // Ink draws only its last frame when CI is set (to anything but "0" or "false").
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...env } = process.env;
  const child = spawn(process.execPath, ['--input-type=module', '-e', VIEW_ONLY_SCRIPT, String(size), String(Math.min(IDLE_SECONDS, 30))], {
    // Ink shows the cursor on stderr as it unmounts; keep that out of the report.
    stdio: ['ignore', 'pipe', 'pipe'],
    // As the workbench runs: React's development build is far slower.
    env: { ...env, NODE_ENV: 'production' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`view-only workbench exited ${code}: ${out}${err}`);
  return JSON.parse(out.trim().split('\n').at(-1));
}

export async function runWorkbenchBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  print(`workbench (the real binary in an 80x24 pty via script(1); broker in its own process; ${IDLE_SECONDS} s of idle clock frames)`);
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
      const label = `workbench ${fmt(size)} waiting`;
      const big = size >= 10_000;
      const target = (value, better = 'lower') => (big ? { target: value, better } : {});

      const real = await realTerminal(broker.url, agent, join(dir, 'config'));
      figures.add({ name: `${label}: process start to first full frame`, value: real.firstFrameMs, unit: 'ms' });
      figures.note(
        `connected ${fmt(real.connectMs)} ms after start; welcome (${fmt(real.welcomeBytes / 1024)} KiB) through by ${fmt(real.welcomeMs)} ms, ${fmt(real.welcomeTransferMs)} ms from its first byte`,
      );
      figures.add({ name: `${label}: broker welcome to first full frame`, value: real.welcomeToFrameMs, unit: 'ms', ...target(400) });
      const tickMs = real.tick.map((t) => t.ms);
      figures.add({ name: `${label}: frame time p50, clock tick`, value: percentile(tickMs, 0.5), unit: 'ms', digits: 2 });
      figures.add({ name: `${label}: frame time p99, clock tick`, value: percentile(tickMs, 0.99), unit: 'ms', digits: 2, ...target(10) });
      const settled = real.tick.filter((t) => t.sinceStartS >= WARM_UP_SECONDS).map((t) => t.ms);
      figures.note(
        `${tickMs.length} clock frames, from the second turning over to the frame's last byte on the terminal; p99 without the first ${WARM_UP_SECONDS} s after start (${settled.length} frames) ${fmt(percentile(settled, 0.99), 2)} ms, of all of them above`,
      );
      const slowest = [...real.tick].sort((x, y) => y.ms - x.ms).slice(0, 3);
      figures.note(
        `slowest: ${slowest.map((t) => `${fmt(t.ms, 1)} ms at ${fmt(t.sinceStartS)} s (the workbench waited ${fmt(t.cpuWaitMs, 1)} ms for a CPU${t.ownGcMs > 0 ? `; this bench paused ${fmt(t.ownGcMs, 1)} ms collecting garbage` : ''})`).join(', ')}`,
      );
      figures.add({ name: `${label}: RSS`, value: real.rssBytes / 1024 / 1024, unit: 'MB', ...target(100) });
      // The target is read at idle, before any key: the presses then grow the young generation and
      // have V8 compile the render path, which the idle figure does not see.
      figures.note(`peak RSS ${fmt(real.peakRssBytes / 1024 / 1024)} MB; RSS after the ${KEY_FRAMES} key presses ${fmt(real.rssAfterKeysBytes / 1024 / 1024)} MB`);
      figures.add({ name: `${label}: bytes to the terminal at idle, 80x24`, value: real.idleBytesPerSecond, unit: 'B/s', ...target(3072) });
      const keyMs = real.keys.map((k) => k.ms);
      figures.add({ name: `${label}: frame time p50, key press (j/k)`, value: percentile(keyMs, 0.5), unit: 'ms', digits: 2 });
      figures.add({ name: `${label}: frame time p99, key press (j/k)`, value: percentile(keyMs, 0.99), unit: 'ms', digits: 2 });
      // The first presses are the first the process has seen: V8 is still compiling the key path
      // (on its own threads, which take the second core), as the clocks' first 30 s are left out above.
      figures.note(`p99 without the first ${WARM_UP_PRESSES} presses: ${fmt(percentile(real.keys.slice(WARM_UP_PRESSES).map((k) => k.ms), 0.99), 2)} ms`);
      const slowKeys = [...real.keys].sort((x, y) => y.ms - x.ms).slice(0, 3);
      figures.note(
        `slowest of ${keyMs.length} presses: ${slowKeys.map((k) => `${fmt(k.ms, 1)} ms at ${fmt(k.sinceKeysS, 1)} s (the workbench waited ${fmt(k.cpuWaitMs, 1)} ms for a CPU${k.ownGcMs > 0 ? `; this bench paused ${fmt(k.ownGcMs, 1)} ms collecting garbage` : ''})`).join(', ')}`,
      );

      if (VIEW_ONLY) {
        const local = await viewOnly(size);
        const viewLabel = `${label} (view only, queue folded locally)`;
        figures.add({ name: `${viewLabel}: mount to first full frame`, value: local.mountToFrameMs, unit: 'ms' });
        figures.add({ name: `${viewLabel}: frame time p99, clock tick`, value: percentile(local.tick, 0.99), unit: 'ms', digits: 2 });
        figures.note(
          `Ink's own render of those frames (onRender renderTime): p50 ${fmt(percentile(local.inkTick, 0.5), 2)} ms, p99 ${fmt(percentile(local.inkTick, 0.99), 2)} ms; RSS ${fmt(local.rss / 1024 / 1024)} MB`,
        );
      }
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
