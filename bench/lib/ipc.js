// Request/response over a forked child's IPC channel, so the parent can drive helper processes
// (broker, bare ws server, agent clients, posters) step by step and collect their figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forkOnCpu } from './pin.js';

/** In the child: answers `{id, type, args}` messages with the named handler's result. */
export function serveRpc(handlers) {
  // A helper must not outlive the bench that started it (a listening server would keep it alive).
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (msg) => {
    if (!msg || typeof msg.id !== 'number') return;
    const handler = handlers[msg.type];
    try {
      if (!handler) throw new Error(`no handler for "${msg.type}"`);
      const result = await handler(msg.args ?? {});
      process.send({ id: msg.id, ok: true, result });
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
    }
  });
}

/**
 * Forks `script` (a path relative to this folder) with `config` as JSON in argv, waits for its
 * `{ready: ...}` message and returns `{child, ready, call(type, args), exited}`. `cpu` pins it (pin.js).
 */
export function forkHelper(script, config = {}, { execArgv = [], timeoutMs = 120_000, cpu } = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [JSON.stringify(config)], {
    ...forkOnCpu(cpu, execArgv),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map();
  let nextId = 1;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (msg) => {
      if (msg && 'ready' in msg) {
        clearTimeout(timer);
        resolve(msg.ready);
        return;
      }
      const waiter = pending.get(msg?.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(`${script}: ${msg.error}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const err = new Error(`${script} exited (code ${code}, signal ${signal})`);
      reject(err);
      for (const w of pending.values()) w.reject(err);
      pending.clear();
    });
  });
  ready.catch(() => {});
  const call = (type, args) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${script} has exited`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, type, args });
    });
  return { child, ready, call, exited };
}

/** The child's config, as passed by forkHelper. */
export function helperConfig() {
  return JSON.parse(process.argv[2] ?? '{}');
}

/** Tells the parent the child is up. */
export function announceReady(info = {}) {
  process.send({ ready: info });
}
