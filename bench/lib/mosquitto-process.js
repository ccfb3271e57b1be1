// Mosquitto for the peers bench: the machine's own binary (installed with apt-get when missing),
// started with a config of the bench's own in a temp folder, on two free loopback ports (a plain
// MQTT listener for the publisher, a websockets listener for the agents), never the system
// instance on 1883. Persistence off: a message is delivered from memory, as MQTT's QoS 0/1
// normally runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCpu } from './pin.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Installs Debian's mosquitto when the binary is missing; returns its version line. */
export function ensureMosquitto(print) {
  if (!existsSync(MOSQUITTO)) {
    print('  mosquitto missing: apt-get install -y mosquitto');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'mosquitto'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  // `mosquitto -h` prints its version and exits 3.
  const help = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8' });
  return (help.stdout || help.stderr).split('\n')[0].trim();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts mosquitto on `cpu`; `{mqttPort, wsPort, wsUrl, pid, cpu(), close()}`. The queue bound per
 * client is set to courtdesk's (8 MiB) and the message-count bound lifted, so both cut a slow
 * consumer at the same size.
 */
export async function startMosquitto({ cpu } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-mosquitto-'));
  const mqttPort = await freePort();
  const wsPort = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      `max_queued_bytes ${8 * 1024 * 1024}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      `listener ${mqttPort} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const [command, args] = onCpu(cpu, MOSQUITTO, ['-c', conf]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (!(await answers(mqttPort)) || !(await answers(wsPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start: ${stderr.trim() || 'no listener within 10 s'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    mqttPort,
    wsPort,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    pid: child.pid,
    stderr: () => stderr,
    /** `{user, system}` CPU microseconds mosquitto has used so far (from /proc). */
    cpu: () => procCpu(child.pid),
    close: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** utime + stime of a process in microseconds, as process.cpuUsage() gives them. */
async function procCpu(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 1e6 / 100;
  return { user: Number(fields[11]) * tick, system: Number(fields[12]) * tick };
}
