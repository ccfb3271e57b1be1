// The supervisor's wallboard at scale, measured from outside as the supervisor sees it: the real
// binary (bin/courtdesk.js) in a real pty at 80x24 (util-linux `script`), logged in with a
// supervisor token, against a real broker in its own process holding 10,000 waiting enquiries,
// with 1,000 agents' websockets open (lib/working-agents-child.js), 300 of them holding 3
// enquiries each, and work going on throughout: enquiries posted at a steady rate and agents
// answering one (reply, close) and claiming the next, so the broker pushes the wallboard (at
// most every 500 ms) and the queue's events while everything is measured.
//
// One workbench, three phases in turn: the queue view (the baseline), the wallboard (`w`), then
// the queue again (Esc), so a drift of the machine's load shows as a difference between the two
// queue phases; ratios are against both queue phases taken together. In each phase:
//   - key press to frame: j/k (the queue's selection; on the wallboard, the agent row), from the
//     write to the pty until the last byte of the first frame that shows the selection moved.
//     Ink draws each frame inside synchronized-output marks (ESC[?2026h .. ESC[?2026l), which
//     is how frames are told apart; the first frame of any kind after the key is given too;
//   - idle: frames and bytes written to the terminal per second, and the workbench's CPU;
//   - RSS of the workbench (and its peak), read from /proc when the phase ends.
// BENCH_PROFILE=DIR runs the binary (and the broker) under --cpu-prof.
// Sizes: BENCH_WALLBOARD_WAITING (10000), _AGENTS (1000), _HOLDERS (300), _POSTS (posts/s, 10),
// _ANSWERS (answers/s, 10), _IDLE_SECONDS (20), _KEYS (100 per phase).
// Needs the build (npm run bench:wallboard builds first). Run: node bench/wallboard.js
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { forkHelper } from './lib/ipc.js';
import { Figures, fmt, percentile } from './lib/stats.js';
import { fill, memoryOf, nodeChildOf, wallNow } from './workbench.js';

const BIN = fileURLToPath(new URL('../bin/courtdesk.js', import.meta.url));
const env = (name, fallback) => Number(process.env[`BENCH_WALLBOARD_${name}`] ?? fallback);
const WAITING = env('WAITING', 10_000);
const AGENTS = env('AGENTS', 1000);
const HOLDERS = Math.min(AGENTS, env('HOLDERS', 300));
const HELD_EACH = 3;
const POSTS_PER_SECOND = env('POSTS', 10);
const ANSWERS_PER_SECOND = env('ANSWERS', 10);
const IDLE_SECONDS = env('IDLE_SECONDS', 20);
const KEYS = env('KEYS', 100);
/** A key whose frame has not come by then is counted as missed, and the run goes on. */
const KEY_TIMEOUT_MS = 15_000;
/** Ink's synchronized-output marks: every frame is drawn between them. */
const FRAME_BEGIN = '\x1b[?2026h';
const FRAME_END = '\x1b[?2026l';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * What a frame shows as selected: on the wallboard the footer's "Selected: NAME"; in the queue the
 * person on the inverse row (the row's clock is left out: it changes every second).
 */
function readFrame(text) {
  if (text.includes('Wallboard')) {
    const plain = text.replace(ANSI, '');
    return {
      view: 'wallboard',
      selected: /Selected: (\S+)/.exec(plain)?.[1] ?? null,
      agentsShown: /Agents \((\d[\d,]*) online\)/.exec(plain)?.[1] ?? null,
      waiting: /Waiting now (\d[\d,]*)/.exec(plain)?.[1] ?? null,
    };
  }
  const from = text.indexOf('\x1b[7m');
  const to = from < 0 ? -1 : text.indexOf('\x1b[27m', from);
  const row = from < 0 ? null : text.slice(from, to < 0 ? undefined : to).replace(ANSI, '');
  const waiting = /(\d[\d,]*) waiting/.exec(text.replace(ANSI, ''))?.[1] ?? null;
  return { view: 'queue', selected: row === null ? null : (/(Person|Later) \d+/.exec(row)?.[0] ?? row.replace(/\d+:\d\d/g, '').trim()), waiting };
}

/** CPU milliseconds a process has used (utime + stime from /proc/PID/stat, 10 ms ticks). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Milliseconds a process's main thread has waited for a CPU, runnable but not running (/proc/PID/schedstat). */
function cpuWaitMsOf(pid) {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** The real binary under `script`, its output cut into frames as it arrives. */
class Terminal {
  constructor(brokerUrl, token, configDir) {
    const profile = process.env.BENCH_PROFILE ? `--cpu-prof --cpu-prof-dir='${process.env.BENCH_PROFILE}'` : '';
    const command = `stty cols 80 rows 24; exec env -u CI COURTDESK_CONFIG_DIR='${configDir}' TERM=xterm-256color '${process.execPath}' ${profile} '${BIN}' --broker ${brokerUrl} --token ${token}`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.frames = [];
    this.bytes = 0;
    this.last = null;
    let text = '';
    let previous = '';
    let startedAt = null;
    this.child.stdout.on('data', (chunk) => {
      const at = wallNow();
      this.bytes += chunk.length;
      startedAt ??= at;
      text += chunk.toString('utf8');
      for (let end = text.indexOf(FRAME_END); end >= 0; end = text.indexOf(FRAME_END)) {
        const body = text.slice(Math.max(0, text.lastIndexOf(FRAME_BEGIN, end)), end);
        // A frame the same as the one before it changed nothing on the screen (it is drawn whole).
        const frame = { start: startedAt, end: at, bytes: Buffer.byteLength(body), same: body === previous, ...readFrame(body) };
        previous = body;
        this.frames.push(frame);
        this.last = frame;
        text = text.slice(end + FRAME_END.length);
        startedAt = text.length > 0 ? at : null;
      }
      // Output before the first frame (or between frames) is not kept beyond what a frame needs.
      if (text.length > 1_000_000) text = text.slice(-100_000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  press(key) {
    this.child.stdin.write(key);
  }

  async waitFor(test, what, ms = 60_000) {
    const deadline = Date.now() + ms;
    while (!(this.last && test(this.last))) {
      if (this.child.exitCode !== null) throw new Error(`the workbench exited while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s; the last frame: ${JSON.stringify(this.last)}`);
      await sleep(5);
    }
  }

  get pid() {
    this.node ??= nodeChildOf(this.child.pid);
    return this.node;
  }

  async quit() {
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    if (this.child.exitCode === null) this.press('q');
    await this.exited;
    clearTimeout(timeout);
  }
}

/** Frames, bytes and CPU over `seconds` with nobody pressing anything. */
async function idle(term, broker, seconds) {
  const firstFrame = term.frames.length;

  const bytes = term.bytes;
  const cpu = cpuMsOf(term.pid);
  const waited = cpuWaitMsOf(term.pid);
  const brokerCpu = await broker.cpu();
  const from = wallNow();
  await sleep(seconds * 1000);
  const s = (wallNow() - from) / 1000;
  const brokerNow = await broker.cpu();
  const frames = term.frames.slice(firstFrame);
  return {
    framesPerSecond: frames.length / s,
    sameFramesPerSecond: frames.filter((f) => f.same).length / s,
    bytesPerSecond: (term.bytes - bytes) / s,
    cpuPercent: ((cpuMsOf(term.pid) - cpu) / 10) / s,
    cpuWaitPercent: ((cpuWaitMsOf(term.pid) - waited) / 10) / s,
    brokerCpuPercent: ((brokerNow.user + brokerNow.system - brokerCpu.user - brokerCpu.system) / 1e4) / s,
  };
}

/**
 * j/k, ten each way in turn: each from the write until the last byte of the first frame showing the
 * selection moved (and of the first frame of any kind after the key). Presses keep clear of the
 * second turning over, when the clocks draw a frame of their own.
 */
async function keyFrames(term, view, count) {
  const moved = [];
  const first = [];
  let missed = 0;
  for (let i = 0; i < count; i++) {
    const intoSecond = wallNow() % 1000;
    if (intoSecond < 60 || intoSecond > 900) await sleep((1060 - intoSecond) % 1000);
    const before = term.last.selected;
    const from = term.frames.length;
    const at = wallNow();
    term.press(i % 20 < 10 ? 'j' : 'k');
    let shown = null;
    while (!shown && wallNow() - at < KEY_TIMEOUT_MS) {
      await sleep(1);
      shown = term.frames.slice(from).find((f) => f.end >= at && f.view === view && f.selected !== null && f.selected !== before);
    }
    if (shown) {
      moved.push(shown.end - at);
      first.push(term.frames.slice(from).find((f) => f.end >= at).end - at);
    } else missed++;
    await sleep(40);
  }
  return { moved, first, missed };
}

async function phase(term, broker, agents, view, print) {
  await sleep(3000);
  await agents.call('report');
  const quiet = await idle(term, broker, IDLE_SECONDS);
  const keys = await keyFrames(term, view, KEYS);
  const { trickle } = await agents.call('report');
  print(`  ${view} phase measured (key to frame p50 ${fmt(percentile(keys.moved, 0.5), 1)} ms; load ${load()})`);
  return { view, ...quiet, ...keys, ...memoryOf(term.pid), trickle, waiting: term.last.waiting };
}

async function setUp(dir, print) {
  const dataDir = join(dir, 'data');
  const started = performance.now();
  const intake = await addToken(dataDir, { name: 'bench-intake', role: 'intake' });
  const supervisor = await addToken(dataDir, { name: 'sam', role: 'supervisor', languages: ['en', 'cy'] });
  const agentTokens = [];
  for (let i = 0; i < AGENTS; i++) agentTokens.push({ name: `agent${String(i).padStart(4, '0')}`, token: await addToken(dataDir, { name: `agent${String(i).padStart(4, '0')}`, role: 'agent', languages: ['en', 'cy'] }) });
  const broker = await startBrokerProcess({ dataDir });
  const held = HOLDERS * HELD_EACH;
  const ids = await fill(broker.url, intake, WAITING + held);
  print(`  set up: ${fmt(AGENTS)} agent tokens, ${fmt(WAITING + held)} enquiries posted (${fmt((performance.now() - started) / 1000, 1)} s)`);
  const agents = forkHelper('./working-agents-child.js', { url: broker.url, intake, agents: agentTokens });
  await agents.ready;
  const connectedAt = performance.now();
  const { connected, resumed } = await agents.call('connect');
  // The newest are held; the answered come from the middle of the queue, never from the rows on
  // the supervisor's screen, so the queue's selection moves only by key.
  const holdings = Array.from({ length: HOLDERS }, (_, a) => ids.slice(WAITING + a * HELD_EACH, WAITING + (a + 1) * HELD_EACH));
  const claimed = await agents.call('claim', { holdings });
  print(`  ${fmt(connected)} agents connected (${fmt(resumed)} resumed after the first's snapshot), ${fmt(claimed.held)} enquiries held by ${fmt(HOLDERS)} of them (${fmt((performance.now() - connectedAt) / 1000, 1)} s)`);
  await agents.call('startTrickle', { postsPerSecond: POSTS_PER_SECOND, answersPerSecond: ANSWERS_PER_SECOND, pool: ids.slice(WAITING / 4, WAITING).reverse() });
  return { broker, agents, supervisor };
}

export async function runWallboardBench({ print = console.log } = {}) {
  print(`wallboard (the real binary, supervisor token, 80x24 pty via script(1); broker and ${fmt(AGENTS)} agents each in their own process)`);
  print(`  ${fmt(WAITING)} waiting, ${fmt(HOLDERS)} agents holding ${HELD_EACH} each; while measured: ${POSTS_PER_SECOND} enquiries/s posted, ${ANSWERS_PER_SECOND}/s answered (reply, close, claim another)`);
  const loadBefore = load();
  print(`  machine load average before: ${loadBefore} (2 cores, shared)`);
  const dir = await fs.mkdtemp(join(tmpdir(), 'courtdesk-bench-wallboard-'));
  let broker;
  let agents;
  let term;
  try {
    let supervisor;
    ({ broker, agents, supervisor } = await setUp(dir, print));
    term = new Terminal(broker.url, supervisor, join(dir, 'config'));
    await term.waitFor((f) => f.view === 'queue' && f.waiting !== null, 'first queue frame');
    const queue = await phase(term, broker, agents, 'queue', print);
    term.press('w');
    // A workbench far behind may still be working through the last presses: give it time, and
    // press again only if the queue is all it has drawn since.
    const pressedAt = wallNow();
    await term.waitFor((f) => f.view === 'wallboard' || wallNow() - pressedAt > 30_000, 'the wallboard', 40_000);
    if (term.last.view !== 'wallboard') term.press('w');
    await term.waitFor((f) => f.view === 'wallboard' && f.agentsShown !== null, 'wallboard with its figures', 120_000);
    // The first j selects the top agent row; the measured j/k then walk rows 1 to 10 and back.
    term.press('j');
    await term.waitFor((f) => f.view === 'wallboard' && f.selected !== null, 'an agent selected on the wallboard');
    const board = await phase(term, broker, agents, 'wallboard', print);
    const { agentsShown, waiting: boardWaiting } = term.last;
    term.press('\x1b');
    await term.waitFor((f) => f.view === 'queue', 'the queue after Esc');
    const queueAgain = await phase(term, broker, agents, 'queue', print);
    await term.quit();
    const loadAfter = load();

    const both = { moved: [...queue.moved, ...queueAgain.moved], first: [...queue.first, ...queueAgain.first] };
    // Each figure with what its ratio is taken against: key figures against both queue phases'
    // presses together, the rest against the two queue phases' mean.
    const pooled = (of) => of(both);
    const mean = (of) => (of(queue) + of(queueAgain)) / 2;
    const rows = [
      ['key to frame p50 (ms)', (p) => percentile(p.moved, 0.5), 1, pooled],
      ['key to frame p99 (ms)', (p) => percentile(p.moved, 0.99), 1, pooled],
      ['key to frame max (ms)', (p) => Math.max(...p.moved), 1, pooled],
      ['first frame after key p99 (ms)', (p) => percentile(p.first, 0.99), 1, pooled],
      ['keys with no frame in 15 s', (p) => p.missed, 0, null],
      ['idle frames/s', (p) => p.framesPerSecond, 1, mean],
      ['idle frames/s the same as the last', (p) => p.sameFramesPerSecond, 1, mean],
      ['idle bytes/s to the terminal', (p) => p.bytesPerSecond, 0, mean],
      ['idle workbench CPU (%)', (p) => p.cpuPercent, 1, mean],
      ['idle workbench waiting for a CPU (%)', (p) => p.cpuWaitPercent, 1, mean],
      ['idle broker CPU (%)', (p) => p.brokerCpuPercent, 1, mean],
      ['workbench RSS (MB)', (p) => p.rssBytes / 1024 / 1024, 0, mean],
      ['workbench peak RSS (MB)', (p) => p.peakRssBytes / 1024 / 1024, 0, mean],
    ];
    print('');
    const head = ['figure', 'queue', 'wallboard', 'queue again', 'wallboard/queue'];
    const cells = rows.map(([name, of, digits, base]) => [name, fmt(of(queue), digits), fmt(of(board), digits), fmt(of(queueAgain), digits), base ? `${fmt(of(board) / base(of), 2)}x` : '']);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c) => c.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
    print(`  ${line(head)}`);
    for (const c of cells) print(`  ${line(c)}`);
    print(`  (${KEYS} presses and ${IDLE_SECONDS} s idle per phase; ratios: key figures against both queue phases' presses together, the rest against their mean)`);
    const t = queueAgain.trickle;
    print(`  while measured: ${fmt(t.posted)} posted, ${fmt(t.answered)} answered${Object.keys(t.commandFailed).length ? `, refused ${JSON.stringify(t.commandFailed)}` : ''}${t.behind ? `, ${fmt(t.behind)} not sent (broker behind)` : ''}; the wallboard said ${boardWaiting} waiting (held by nobody) and ${agentsShown} agents online; the queue's status line ${queueAgain.waiting} waiting at the end`);
    print(`  machine load average before ${loadBefore}, after ${loadAfter}`);

    const label = `wallboard ${fmt(AGENTS)} agents, ${fmt(WAITING)} waiting`;
    const record = new Figures(() => {});
    record.add({ name: `${label}: key to frame p99, queue view`, value: percentile(both.moved, 0.99), unit: 'ms', digits: 1 });
    record.add({ name: `${label}: key to frame p99, wallboard open`, value: percentile(board.moved, 0.99), unit: 'ms', digits: 1 });
    record.add({ name: `${label}: key to frame p99, wallboard / queue`, value: percentile(board.moved, 0.99) / percentile(both.moved, 0.99), unit: 'x', digits: 2 });
    record.add({ name: `${label}: idle bytes/s, wallboard open`, value: board.bytesPerSecond, unit: 'B/s' });
    record.add({ name: `${label}: workbench RSS, wallboard open`, value: board.rssBytes / 1024 / 1024, unit: 'MB' });
    record.add({ name: `${label}: workbench RSS, queue view`, value: mean((p) => p.rssBytes) / 1024 / 1024, unit: 'MB' });
    return record.rows;
  } finally {
    if (term && term.child.exitCode === null) term.child.kill('SIGKILL');
    await agents?.call('close').catch(() => agents.child.kill());
    await broker?.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWallboardBench({ print: console.log });
}
