// Starts servers under test in their own processes, so the load generator and the measuring
// clients never share an event loop (or a core's time slices) with the server they measure.
//
//   const b = await startBrokerProcess({ dataDir });   // b.url, b.memory({gc}), b.close()
//
// BENCH_PROFILE=DIR runs every server child under --cpu-prof, writing .cpuprofile files to DIR.
// BENCH_SERVER_NODE_ARGS="--max-semi-space-size=64" passes extra Node flags to server children
// (for what-if runs; the figures of record use none).
import { forkHelper } from './ipc.js';

function profileArgs(name) {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : [];
}

async function startServer(script, name, config, { gc = false, cpu } = {}) {
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const execArgv = [...(gc ? ['--expose-gc'] : []), ...extra, ...profileArgs(name)];
  const forkedAt = performance.now();
  const helper = forkHelper(script, config, { execArgv, cpu });
  const ready = await helper.ready;
  const startedMs = performance.now() - forkedAt;
  return {
    ...ready,
    pid: helper.child.pid,
    /** Milliseconds from fork() to the child saying it listens. */
    startedMs,
    /** `{rss, heapUsed, ...}` of the server process, after two full GCs when asked and possible. */
    memory: (opts = {}) => helper.call('memory', opts),
    /** `{user, system}` CPU microseconds the server process has used so far. */
    cpu: () => helper.call('cpu'),
    /** fdatasync timings (broker only) and event-loop delay since the last call. */
    probes: () => helper.call('probes'),
    log: () => helper.call('log'),
    close: async () => {
      await helper.call('close').catch(() => helper.child.kill('SIGKILL'));
      await helper.exited;
    },
  };
}

/**
 * The broker's intake limit (startBroker's `intakeRatePerSecond`, per token; 50/s unless set)
 * as the benches raise it: one bench token posts thousands a second.
 */
export const INTAKE_RATE_FOR_BENCH = 1e9;

/** A real broker (startBroker) in a child process, on port 0, with intake rate limiting raised out of the way. */
export function startBrokerProcess({ dataDir, intakeRatePerSecond = INTAKE_RATE_FOR_BENCH, gc = false, echoLog = false, checkpointEvery, checkpointMinIntervalMs, encryptContent, store, unlimitedCommands, cpu }) {
  return startServer('./broker-child.js', 'broker', { dataDir, intakeRatePerSecond, echoLog, checkpointEvery, checkpointMinIntervalMs, encryptContent, store, unlimitedCommands }, { gc, cpu });
}

/** A bare ws broadcast server with the same intake route and socket path (see bare-ws-child.js). */
export function startBareWsProcess({ cpu } = {}) {
  return startServer('./bare-ws-child.js', 'bare-ws', {}, { cpu });
}
