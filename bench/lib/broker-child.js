// Runs one broker in its own process for the benches; driven over IPC by broker-process.js.
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBroker } from '../../dist/broker/broker.js';
import { announceReady, helperConfig, serveRpc } from './ipc.js';
import { percentile } from './stats.js';

const config = helperConfig();
const logged = [];

// Instrumentation only (nothing in the broker changes): time every fdatasync the journal makes,
// by wrapping FileHandle.prototype.datasync, and watch the event loop's delay, so a latency
// figure can be split into disk wait and CPU wait.
const probe = await open(join(config.dataDir, '.bench-probe'), 'w');
const handleProto = Object.getPrototypeOf(probe);
await probe.close();
await rm(join(config.dataDir, '.bench-probe'));
const realDatasync = handleProto.datasync;
let syncs = [];
handleProto.datasync = async function datasync(...args) {
  const t = performance.now();
  try {
    return await realDatasync.apply(this, args);
  } finally {
    syncs.push(performance.now() - t);
  }
};
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const t0 = performance.now();
const broker = await startBroker({
  dataDir: config.dataDir,
  port: 0,
  intakeRatePerSecond: config.intakeRatePerSecond ?? 1e9,
  ...(config.checkpointEvery !== undefined ? { checkpointEvery: config.checkpointEvery } : {}),
  ...(config.checkpointMinIntervalMs !== undefined ? { checkpointMinIntervalMs: config.checkpointMinIntervalMs } : {}),
  ...(config.encryptContent !== undefined ? { encryptContent: config.encryptContent } : {}),
  ...(config.store ? { store: config.store } : {}),
  // A claim race fires two commands per trial as fast as it can: the per-agent limits are off.
  ...(config.unlimitedCommands ? { commandRatePerSocket: 0, commandRatePerToken: 0 } : {}),
  log: (line) => {
    if (logged.length < 100) logged.push(line);
    if (config.echoLog) process.stderr.write(`broker: ${line}\n`);
  },
});
const startMs = performance.now() - t0;

serveRpc({
  memory: ({ gc }) => {
    if (gc && globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gcRan: Boolean(gc && globalThis.gc) };
  },
  cpu: () => process.cpuUsage(),
  /** fdatasync count and durations, and event-loop delay, since the last call. */
  probes: () => {
    const taken = syncs;
    syncs = [];
    const result = {
      fsyncs: taken.length,
      fsyncP50: percentile(taken, 0.5),
      fsyncP99: percentile(taken, 0.99),
      fsyncMax: taken.length ? taken[taken.length - 1] : NaN,
      loopDelayP50: loopDelay.percentile(50) / 1e6,
      loopDelayP99: loopDelay.percentile(99) / 1e6,
      loopDelayMax: loopDelay.max / 1e6,
    };
    loopDelay.reset();
    return result;
  },
  log: () => logged,
  close: async () => {
    await broker.close();
    // Exit after answering, so a --cpu-prof profile gets written.
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});

announceReady({ url: broker.url, port: broker.port, startMs, uptimeMs: process.uptime() * 1000, warnings: broker.warnings });
