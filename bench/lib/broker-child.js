// Runs one broker in its own process for the benches; driven over IPC by broker-process.js.
import { startBroker } from '../../dist/broker/broker.js';
import { announceReady, helperConfig, serveRpc } from './ipc.js';

const config = helperConfig();
const logged = [];
const t0 = performance.now();
const broker = await startBroker({
  dataDir: config.dataDir,
  port: 0,
  intakeRatePerSecond: config.intakeRatePerSecond ?? 1e9,
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
  log: () => logged,
  close: async () => {
    await broker.close();
    // Exit after answering, so a --cpu-prof profile gets written.
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});

announceReady({ url: broker.url, port: broker.port, startMs, uptimeMs: process.uptime() * 1000, warnings: broker.warnings });
