// Real brokers for tests: in-process on port 0, or the real binary as a child process, and the
// HTTP calls tests make of them.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startBroker } from '../../src/broker/broker.js';
import type { BrokerOptions, RunningBroker } from '../../src/broker/broker-options.js';
import { addToken } from '../../src/broker/tokens.js';

export const BIN = fileURLToPath(new URL('../../bin/courtdesk.js', import.meta.url));

export async function tempDir(prefix = 'courtdesk-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestTokens {
  agent: string;
  agent2: string;
  welsh: string;
  supervisor: string;
  intake: string;
}

export async function makeTokens(dataDir: string): Promise<TestTokens> {
  return {
    agent: await addToken(dataDir, { name: 'alice', role: 'agent' }),
    agent2: await addToken(dataDir, { name: 'bob', role: 'agent' }),
    welsh: await addToken(dataDir, { name: 'carys', role: 'agent', languages: ['en', 'cy'] }),
    supervisor: await addToken(dataDir, { name: 'sam', role: 'supervisor' }),
    intake: await addToken(dataDir, { name: 'webform', role: 'intake' }),
  };
}

export interface TestBroker<Tokens extends { intake: string } = TestTokens> {
  /** The broker now running: `restart` replaces it. */
  readonly broker: RunningBroker;
  url: string;
  dataDir: string;
  tokens: Tokens;
  logs: string[];
  /** POSTs JSON with the intake token (or the headers given). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, token?: string): Promise<Response>;
  /**
   * Stops the broker and starts it again on the same folder and port, so clients pointed at it
   * find it; `meanwhile` runs while it is down.
   */
  restart(meanwhile?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one way tests start a broker in-process: port 0, logs kept, intake unthrottled. Pass `reuse`
 * to start on a folder already made (an earlier broker's, or one with tokens of the test's own);
 * that folder is then the caller's to remove.
 */
export async function startTestBroker<Tokens extends { intake: string } = TestTokens>(
  options: Partial<BrokerOptions> = {},
  reuse?: { dataDir: string; tokens: Tokens },
): Promise<TestBroker<Tokens>> {
  const dir = reuse?.dataDir ?? (await tempDir());
  const tokens = reuse?.tokens ?? ((await makeTokens(dir)) as unknown as Tokens);
  const logs: string[] = [];
  const start = (port: number) => startBroker({ dataDir: dir, port, log: (l) => logs.push(l), intakeRatePerSecond: 10_000, ...options });
  let broker = await start(options.port ?? 0);
  return {
    get broker() {
      return broker;
    },
    url: broker.url,
    dataDir: dir,
    tokens,
    logs,
    post: (path, body, headers = {}) =>
      fetch(`${broker.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.intake}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, token = tokens.intake) => fetch(`${broker.url}${path}`, { headers: { authorization: `Bearer ${token}` } }),
    restart: async (meanwhile) => {
      const { port } = broker;
      await broker.close();
      await meanwhile?.();
      broker = await start(port);
    },
    close: async () => {
      await broker.close();
      if (!reuse) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What intake answers for a new enquiry. */
export interface PostedEnquiry {
  id: string;
  position: number;
  estimatedWaitSeconds: number;
}

/** Posts one enquiry with the intake token; returns intake's answer. */
export async function postEnquiryAnswer(url: string, intakeToken: string, body: Record<string, unknown> = {}): Promise<PostedEnquiry> {
  const res = await fetch(`${url}/v1/enquiries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'web', from: 'user@example.org', text: 'When is my hearing?', ...body }),
  });
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PostedEnquiry;
}

/** Posts one enquiry with the intake token; returns the created id. */
export async function postEnquiry(url: string, intakeToken: string, body: Record<string, unknown> = {}): Promise<string> {
  return (await postEnquiryAnswer(url, intakeToken, body)).id;
}

/** `GET /v1/enquiries/{id}` as the token sees it. */
export async function getEnquiry(url: string, token: string, id: string): Promise<any> {
  const res = await fetch(`${url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET enquiry answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** The seq of the broker's last event, from `/healthz`. */
export async function brokerSeq(url: string): Promise<number> {
  const res = await fetch(`${url}/healthz`);
  return ((await res.json()) as { seq: number }).seq;
}

/** A raw protocol client: collects every frame so tests can assert on exactly what was sent. */
export class RawAgent {
  readonly frames: any[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(url: string, token: string, query = ''): Promise<RawAgent> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/agent${query}`, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      const agent = new RawAgent(ws);
      ws.once('open', () => resolve(agent));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Every event entry received so far, unpacked from `event` and `events` frames. */
  events(): any[] {
    return this.frames.flatMap((f) => (f.type === 'event' ? [f] : f.type === 'events' ? f.events : []));
  }

  async waitFor<T>(find: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(-2000)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  welcome(): Promise<any> {
    return this.waitFor(() => this.frames.find((f) => f.type === 'welcome'), 'welcome');
  }

  /** Sends a command and waits for its ack. */
  async command(frame: Record<string, unknown>): Promise<any> {
    this.ws.send(JSON.stringify(frame));
    return this.waitFor(() => this.frames.find((f) => f.type === 'ack' && f.ref === frame.ref), `ack ${String(frame.ref)}`);
  }

  closed(): Promise<number> {
    return this.waitFor(() => this.closeCode ?? undefined, 'close');
  }

  close(): void {
    this.ws.close();
  }
}

export interface SpawnedBroker {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Runs the real binary: `courtdesk broker --port 0 --data DIR`, resolving once it listens. */
export function spawnBroker(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<SpawnedBroker> {
  const child = spawn(process.execPath, [BIN, 'broker', '--port', '0', '--data', dataDir, ...extraArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout.push(d.toString());
      const match = /listening on (http:\/\/\S+)/.exec(stdout.join(''));
      if (match) resolve({ child, url: match[1]!, stdout, stderr, exited });
    });
    void exited.then((code) => reject(new Error(`broker exited with ${code}: ${stderr.join('')}`)));
  });
}

export interface CourtdeskRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An environment with nothing of the caller's but PATH: `home` as HOME, and the CLI's saved config in `configDir`. */
export function isolatedEnv(home: string, configDir = home): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, COURTDESK_CONFIG_DIR: configDir };
}

/** Runs the real binary to its end: `courtdesk ARGS…` with `env` (default: this process's), in `cwd`. */
export function runCourtdesk(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CourtdeskRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: unknown }).code as number | undefined) ?? -1 : 0, stdout, stderr }),
    );
  });
}
