// CPU pinning for the peers bench: the server under test on one core, every load generator and
// measuring client on the other, so neither steals the other's time slices. Uses taskset; where it
// is missing (or the machine has one core) everything runs unpinned and the bench says so.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const TASKSET = '/usr/bin/taskset';
export const canPin = existsSync(TASKSET) && cpus().length >= 2;
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

/** `[command, args]` that runs `command args` on `cpu` (as it is when pinning is not possible). */
export function onCpu(cpu, command, args) {
  return canPin && cpu !== undefined ? [TASKSET, ['-c', cpu, command, ...args]] : [command, args];
}

/** fork() options that start a Node child on `cpu`: taskset execs node, which keeps the IPC channel. */
export function forkOnCpu(cpu, execArgv) {
  if (!canPin || cpu === undefined) return { execArgv };
  return { execPath: TASKSET, execArgv: ['-c', cpu, process.execPath, ...execArgv] };
}

/** Moves a running process (all its threads) to `cpu`; false when pinning is not possible. */
export function pinPid(cpu, pid) {
  if (!canPin) return false;
  execFileSync(TASKSET, ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
  return true;
}

export const pinSelf = (cpu) => pinPid(cpu, process.pid);

export function pinningLine() {
  return canPin
    ? `pinned with taskset: servers under test on CPU ${SERVER_CPU}; load generators, measuring clients and this process on CPU ${LOAD_CPU}`
    : `ran UNPINNED (${existsSync(TASKSET) ? 'one core only' : `${TASKSET} not found`}): servers and load share the cores`;
}
