// A real broker on port 0 in a temp folder (test/helpers/broker.ts), a real broker client, and the workbench mounted on a
// virtual terminal whose size the test sets (ink-testing-library's has 100 columns and no rows).
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker-options.js';
import { addToken } from '../../src/broker/tokens.js';
import { createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient } from '../../src/client/types.js';
import { memoryDraftStore, renderWorkbench, type DraftStore, type WorkbenchInstance } from '../../src/workbench/index.js';
import type { Settings } from '../../src/workbench/settings.js';
import { getEnquiry, postEnquiry, startTestBroker, tempDir } from '../helpers/broker.js';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  enter: '\r',
  esc: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  ctrlU: '\x15',
  ctrlW: '\x17',
  ctrlC: '\x03',
  home: '\x1b[H',
  end: '\x1b[F',
  pageUp: '\x1b[5~',
};

export class TestStdout extends EventEmitter {
  readonly isTTY = true;
  frames: string[] = [];
  bytes = 0;
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (data: string): boolean => {
    this.frames.push(data);
    this.bytes += Buffer.byteLength(data);
    return true;
  };
  lastFrame(): string {
    return this.frames.at(-1) ?? '';
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Stdin as Ink reads it: 'readable' then read() until null. */
export class TestStdin extends EventEmitter {
  readonly isTTY = true;
  private queue: string[] = [];
  write(data: string): void {
    this.queue.push(data);
    this.emit('readable');
  }
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface Desk {
  dir: string;
  broker: RunningBroker;
  url: string;
  tokens: { alice: string; carys: string; bob: string; sam: string; intake: string };
  /** A second, plain client for another agent (to claim or transfer behind the workbench's back). */
  other(token: string): Promise<BrokerClient>;
  post(body: { channel?: string; from?: string; name?: string; text?: string; language?: string }): Promise<string>;
  get(id: string): Promise<any>;
  close(): Promise<void>;
}

export async function startDesk(): Promise<Desk> {
  const dir = await tempDir('courtdesk-workbench-');
  const tokens = {
    alice: await addToken(dir, { name: 'alice', role: 'agent', languages: ['en'] }),
    carys: await addToken(dir, { name: 'carys', role: 'agent', languages: ['en', 'cy'] }),
    bob: await addToken(dir, { name: 'bob', role: 'agent', languages: ['en', 'cy'] }),
    sam: await addToken(dir, { name: 'sam', role: 'supervisor', languages: ['en', 'cy'] }),
    intake: await addToken(dir, { name: 'webform', role: 'intake' }),
  };
  const t = await startTestBroker({}, { dataDir: dir, tokens });
  const others: BrokerClient[] = [];
  return {
    dir,
    broker: t.broker,
    async other(token) {
      const client = createBrokerClient({ url: t.url, token, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
      others.push(client);
      await client.ready();
      return client;
    },
    url: t.url,
    tokens,
    post: (body) => postEnquiry(t.url, tokens.intake, body),
    get: (id) => getEnquiry(t.url, tokens.intake, id),
    async close() {
      for (const c of others) await c.close();
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Mounted {
  instance: WorkbenchInstance;
  client: BrokerClient;
  stdout: TestStdout;
  stdin: TestStdin;
  drafts: DraftStore;
  frame(): string;
  /** Writes keys as a terminal would; each argument arrives as one chunk. */
  press(...chunks: string[]): Promise<void>;
  waitFor(test: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  unmount(): Promise<void>;
}

export interface MountOptions {
  token: string;
  columns?: number;
  rows?: number;
  env?: NodeJS.ProcessEnv;
  settings?: Partial<Settings>;
  drafts?: DraftStore;
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export async function mount(desk: Desk, o: MountOptions): Promise<Mounted> {
  const client = createBrokerClient({
    url: desk.url,
    token: o.token,
    minReconnectDelayMs: o.minReconnectDelayMs ?? 50,
    maxReconnectDelayMs: o.maxReconnectDelayMs ?? 200,
  });
  await client.ready();
  const stdout = new TestStdout(o.columns ?? 80, o.rows ?? 24);
  const stdin = new TestStdin();
  const drafts = o.drafts ?? memoryDraftStore();
  let unmounted: Promise<void> | undefined;
  const instance = renderWorkbench({
    client,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new TestStdout(80, 24) as unknown as NodeJS.WriteStream,
    env: o.env ?? {},
    settings: o.settings ?? {},
    drafts,
    debug: true,
  });
  const m: Mounted = {
    instance,
    client,
    stdout,
    stdin,
    drafts,
    frame: () => stdout.lastFrame(),
    async press(...chunks) {
      for (const chunk of chunks) {
        stdin.write(chunk);
        // A lone Esc is held by Ink until the next turn (it may start a sequence).
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async waitFor(test, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = stdout.lastFrame();
        if (test(frame)) return frame;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    unmount() {
      // Once only: a test may unmount to restart, and the clean-up after it unmounts what is left.
      unmounted ??= (async () => {
        instance.unmount();
        await instance.waitUntilExit().catch(() => {});
        await client.close();
      })();
      return unmounted;
    },
  };
  // A freshly mounted useInput is live only after effects run: wait for a frame first.
  await m.waitFor((f) => f.includes('connected'), 'the first frame');
  await new Promise((resolve) => setTimeout(resolve, 20));
  return m;
}

export interface DeskPerTest {
  /** This test's desk. */
  readonly desk: Desk;
  /** Mounts the workbench on this test's desk, as alice unless `options` say otherwise. */
  workbench(options?: Partial<MountOptions>): Promise<Mounted>;
}

/**
 * A fresh desk for each test of the file that calls this: started before the test, and after it
 * every workbench mounted through `workbench` is unmounted before the desk closes.
 */
export function deskPerTest(): DeskPerTest {
  let current: Desk | undefined;
  const mounted: Mounted[] = [];
  beforeEach(async () => {
    current = await startDesk();
  });
  afterEach(async () => {
    for (const m of mounted.splice(0)) await m.unmount();
    await current?.close();
    current = undefined;
  });
  const desk = (): Desk => {
    if (!current) throw new Error('the desk exists only while a test runs');
    return current;
  };
  return {
    get desk() {
      return desk();
    },
    async workbench(options = {}) {
      const m = await mount(desk(), { token: desk().tokens.alice, ...options });
      mounted.push(m);
      return m;
    },
  };
}

/** Takes the next enquiry with `n` and waits until the workbench says whose it is. */
export async function takeNext(m: Mounted, name: string): Promise<void> {
  await m.press('n');
  await m.waitFor((f) => f.includes(`You hold ${name}'s enquiry`), `${name} claimed`);
}
