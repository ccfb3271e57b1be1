// Shared by the client's integration tests: a real broker in a temp folder, real HTTP intake.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '../../src/broker/broker.js';
import { addToken } from '../../src/broker/tokens.js';
import type { BrokerClient } from '../../src/client/types.js';

export interface Desk {
  dataDir: string;
  broker: RunningBroker;
  intake: string;
  /** Agent tokens by name. */
  agents: Record<string, string>;
  restart(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'courtdesk-client-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function brokerOn(dataDir: string, port = 0): Promise<RunningBroker> {
  return startBroker({ dataDir, port, log: () => {}, intakeRatePerSecond: 100_000 });
}

export async function startDesk(agentNames: string[] = ['alice', 'bob']): Promise<Desk> {
  const dataDir = await tempDir();
  const intake = await addToken(dataDir, { name: 'web-form', role: 'intake' });
  const agents: Record<string, string> = {};
  for (const name of agentNames) agents[name] = await addToken(dataDir, { name, role: 'agent', languages: ['en', 'cy'] });
  const desk: Desk = {
    dataDir,
    broker: await brokerOn(dataDir),
    intake,
    agents,
    // The same port, so clients already pointed at it find the new broker.
    async restart() {
      const port = desk.broker.port;
      await desk.broker.close();
      desk.broker = await brokerOn(dataDir, port);
    },
  };
  return desk;
}

export async function stopDesk(desk: Desk): Promise<void> {
  await desk.broker.close();
  await removeDir(desk.dataDir);
}

export async function postEnquiry(desk: Desk, from: string, text: string): Promise<{ id: string; position: number; estimatedWaitSeconds: number }> {
  const res = await fetch(`${desk.broker.url}/v1/enquiries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${desk.intake}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'web', from, text }),
  });
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; position: number; estimatedWaitSeconds: number };
}

export async function getEnquiry(desk: Desk, id: string): Promise<{ messages: Array<{ author: string; text: string }>; claimedBy: string | null }> {
  const res = await fetch(`${desk.broker.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${desk.intake}` } });
  if (res.status !== 200) throw new Error(`GET enquiry answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { messages: Array<{ author: string; text: string }>; claimedBy: string | null };
}

export async function brokerSeq(desk: Desk): Promise<number> {
  const res = await fetch(`${desk.broker.url}/healthz`);
  return ((await res.json()) as { seq: number }).seq;
}

/** Resolves when `test` holds, checking after every change the client reports; fails with `what` if it never does. */
export function until(client: BrokerClient, test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting until ${what}`));
    }, timeoutMs);
    const stop = client.subscribe(() => {
      if (!test()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/** A port nothing listens on (taken and released at once). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
