// Walks every cell of the role table (src/domain/permissions.ts) against a real broker: for each
// action and each role, the action is performed the way a client would (HTTP, or the agent
// websocket) on state set up so that it would succeed, and it must be done, or refused with
// FORBIDDEN naming the role and the roles that may, exactly as the table says. The walk is driven
// by the table: an action without a way to perform it here fails.
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken } from '../../src/broker/tokens.js';
import { ROLES, type Role } from '../../src/domain/events.js';
import { ACTIONS, can, rolesThatCan, type Action } from '../../src/domain/permissions.js';
import { makeTokens, postEnquiry, RawAgent, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

const BIRMINGHAM = 'birmingham-civil-and-family-justice-centre';

type Verdict = 'allowed' | 'forbidden';
type Performer = (role: Role, action: Action) => Promise<Verdict>;
/** An action whose route lives on another branch until it is merged: the walk lists it as to do. */
type Pending = { pending: string };

let t: TestBroker;
let dataDir: string;
const token = {} as Record<Role, string>;
/** Each role's agent socket, or how its upgrade was refused. */
const sockets = new Map<Role, RawAgent | Refused>();
/** Another agent, who holds enquiries for the *-others actions and sets up escalations. */
let bob: RawAgent;
let refs = 0;

interface Refused {
  status: number;
  body: { error?: { code?: string; message?: string } };
}

beforeAll(async () => {
  dataDir = await tempDir();
  const tokens = await makeTokens(dataDir);
  token.agent = tokens.agent;
  token.supervisor = tokens.supervisor;
  token.intake = tokens.intake;
  token.auditor = await addToken(dataDir, { name: 'audrey', role: 'auditor' });
  t = await startTestBroker({ commandRatePerSocket: 0, commandRatePerToken: 0, deliveryBaseDelayMs: 20 }, { dataDir, tokens });
  bob = await RawAgent.connect(t.url, tokens.agent2);
  await bob.welcome();
  for (const role of ROLES) sockets.set(role, await connect(role));
});

afterAll(async () => {
  for (const s of [...sockets.values(), bob]) if (s instanceof RawAgent) s.close();
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
});

// --- how a client does each thing ------------------------------------------------------------

async function connect(role: Role): Promise<RawAgent | Refused> {
  try {
    const agent = await RawAgent.connect(t.url, token[role]);
    await agent.welcome();
    return agent;
  } catch (err) {
    if (!/HTTP 403/.test(String(err))) throw err;
    return upgradeRefusal(token[role]);
  }
}

/** The status and JSON body of a refused websocket upgrade. */
function upgradeRefusal(bearer: string): Promise<Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/v1/agent`, { headers: { authorization: `Bearer ${bearer}` }, perMessageDeflate: false });
    ws.once('open', () => reject(new Error('the upgrade was accepted this time')));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.once('error', () => {});
  });
}

function checkRefusal(message: string | undefined, role: Role, action: Action): void {
  expect(message).toContain(`${role} token`);
  for (const may of rolesThatCan(action)) expect(message).toContain(may);
}

function refusedUpgrade(refused: Refused, role: Role): Verdict {
  if (refused.status !== 403 || refused.body.error?.code !== 'FORBIDDEN') throw new Error(`upgrade refused with ${refused.status} ${JSON.stringify(refused.body)}`);
  checkRefusal(refused.body.error.message, role, 'open-agent-socket');
  return 'forbidden';
}

/** Sends a command on the role's socket: done, refused FORBIDDEN (also at the upgrade), or a failure of the walk. */
async function command(role: Role, action: Action, frame: Record<string, unknown>): Promise<Verdict> {
  const socket = sockets.get(role)!;
  if (!(socket instanceof RawAgent)) return refusedUpgrade(socket, role);
  const ack = await socket.command({ ref: `walk-${++refs}`, ...frame });
  if (ack.ok) return 'allowed';
  if (ack.error.code !== 'FORBIDDEN') throw new Error(`${role} ${action}: ${ack.error.code}: ${ack.error.message}`);
  checkRefusal(ack.error.message, role, action);
  return 'forbidden';
}

async function request(role: Role, action: Action, method: string, path: string, body?: unknown): Promise<{ verdict: Verdict; json: any }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token[role]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as any;
  if (res.ok) return { verdict: 'allowed', json };
  if (res.status !== 403 || json.error?.code !== 'FORBIDDEN') throw new Error(`${role} ${action}: HTTP ${res.status} ${JSON.stringify(json)}`);
  checkRefusal(json.error.message, role, action);
  return { verdict: 'forbidden', json };
}

async function http(role: Role, action: Action, method: string, path: string, body?: unknown): Promise<Verdict> {
  return (await request(role, action, method, path, body)).verdict;
}

// --- state for each action to succeed ----------------------------------------------------------

function fresh(): Promise<string> {
  return postEnquiry(t.url, t.tokens.intake, { name: 'Dee Jones', text: 'When is my hearing? I have heard nothing.' });
}

async function ok(agent: RawAgent, frame: Record<string, unknown>): Promise<any> {
  const ack = await agent.command({ ref: `setup-${++refs}`, ...frame });
  if (!ack.ok) throw new Error(`setup ${String(frame.type)} refused: ${ack.error.code}: ${ack.error.message}`);
  return ack;
}

/** Does as the role, where its role allows, what an action needs first (claiming, tagging); a refusal leaves the state as it was. */
async function prepareAs(role: Role, frame: Record<string, unknown>): Promise<void> {
  const socket = sockets.get(role)!;
  if (!(socket instanceof RawAgent)) return;
  const ack = await socket.command({ ref: `setup-${++refs}`, ...frame });
  if (!ack.ok && ack.error.code !== 'FORBIDDEN') throw new Error(`setup ${String(frame.type)} as ${role}: ${ack.error.code}: ${ack.error.message}`);
}

/** An enquiry the role holds, if its role may hold one (else nobody does). */
async function heldBy(role: Role): Promise<string> {
  const id = await fresh();
  await prepareAs(role, { type: 'claim', enquiryId: id });
  return id;
}

async function heldByBob(): Promise<string> {
  const id = await fresh();
  await ok(bob, { type: 'claim', enquiryId: id });
  return id;
}

/** An escalation of an enquiry bob holds; `sent` waits until the court email has gone. */
async function escalation(sent: boolean): Promise<{ enquiryId: string; escalationId: string }> {
  const enquiryId = await heldByBob();
  await ok(bob, { type: 'escalate', enquiryId, courtSlug: BIRMINGHAM, template: 'general' });
  const created = bob.events().find((e) => e.event.type === 'escalation.created' && e.event.enquiryId === enquiryId)!;
  const { escalationId } = created.event;
  if (sent) await bob.waitFor(() => bob.events().some((e) => e.event.type === 'escalation.delivery' && e.event.escalationId === escalationId && e.event.state === 'sent'), 'the court email to go');
  return { enquiryId, escalationId };
}

const escalate = { courtSlug: BIRMINGHAM, template: 'general' };

const PERFORM: Record<Action, Performer | Pending> = {
  'post-enquiry': (role, action) => http(role, action, 'POST', '/v1/enquiries', { channel: 'web', from: 'dee@example.org', text: 'Has the court got my defence?' }),
  'post-message': async (role, action) => http(role, action, 'POST', `/v1/enquiries/${await fresh()}/messages`, { text: 'And another thing.' }),
  'answer-escalation-by-mail': async (role, action) => {
    const { escalationId } = await escalation(false);
    return http(role, action, 'POST', `/v1/escalations/${escalationId}/answer`, { text: 'The hearing is listed for 2 December.' });
  },
  'read-enquiry': async (role, action) => {
    const id = await fresh();
    const { verdict, json } = await request(role, action, 'GET', `/v1/enquiries/${id}`);
    if (verdict === 'allowed') expect(json.id).toBe(id);
    return verdict;
  },
  // Refused means left out of what is read, not a 403: the enquiry is still the caller's to read.
  'read-notes': async (role, action) => {
    const id = await heldByBob();
    await ok(bob, { type: 'note', enquiryId: id, text: 'Internal: the court said to wait.' });
    const { verdict, json } = await request(role, action, 'GET', `/v1/enquiries/${id}`);
    if (verdict === 'forbidden') return verdict;
    return json.messages.some((m: { author: string }) => m.author === 'note') ? 'allowed' : 'forbidden';
  },
  'open-agent-socket': async (role) => {
    const socket = await connect(role);
    if (!(socket instanceof RawAgent)) return refusedUpgrade(socket, role);
    socket.close();
    return 'allowed';
  },
  'open-conversation': async (role, action) => command(role, action, { type: 'open', enquiryId: await fresh() }),
  'read-catalogue': async (role, action) => {
    const courts = await command(role, action, { type: 'list-courts', query: 'birmingham' });
    expect(await command(role, action, { type: 'list-templates' })).toBe(courts);
    return courts;
  },
  'list-agents': (role, action) => command(role, action, { type: 'list-agents' }),
  'read-wallboard': async (role, action) => {
    const watched = await command(role, action, { type: 'watch-wallboard' });
    expect(await command(role, action, { type: 'unwatch-wallboard' })).toBe(watched);
    expect(await http(role, action, 'GET', '/v1/stats')).toBe(watched);
    return watched;
  },
  'read-access-log': (role, action) => http(role, action, 'GET', '/v1/access-log'),
  export: async (role, action) => http(role, action, 'GET', `/v1/export?enquiry=${await fresh()}`),
  claim: async (role, action) => command(role, action, { type: 'claim', enquiryId: await fresh() }),
  release: async (role, action) => command(role, action, { type: 'release', enquiryId: await heldBy(role) }),
  reply: async (role, action) => command(role, action, { type: 'reply', enquiryId: await heldBy(role), text: 'Your hearing is on 3 March.' }),
  note: async (role, action) => command(role, action, { type: 'note', enquiryId: await heldBy(role), text: 'Called the court.' }),
  tag: async (role, action) => command(role, action, { type: 'tag', enquiryId: await heldBy(role), caseNumber: '305JE126' }),
  untag: async (role, action) => {
    const enquiryId = await heldBy(role);
    await prepareAs(role, { type: 'tag', enquiryId, caseNumber: '305JE126' });
    return command(role, action, { type: 'untag', enquiryId, caseNumber: '305JE126' });
  },
  close: async (role, action) => command(role, action, { type: 'close', enquiryId: await heldBy(role) }),
  reopen: async (role, action) => {
    const enquiryId = await heldByBob();
    await ok(bob, { type: 'close', enquiryId });
    return command(role, action, { type: 'reopen', enquiryId });
  },
  transfer: async (role, action) => command(role, action, { type: 'transfer', enquiryId: await heldBy(role), toAgent: 'carys' }),
  presence: (role, action) => command(role, action, { type: 'presence', state: 'away' }),
  'mark-urgent': async (role, action) => command(role, action, { type: 'mark-urgent', enquiryId: await fresh(), reason: 'hearing tomorrow' }),
  'preview-escalation': async (role, action) => command(role, action, { type: 'preview-escalation', enquiryId: await heldBy(role), ...escalate }),
  escalate: async (role, action) => command(role, action, { type: 'escalate', enquiryId: await heldBy(role), ...escalate }),
  chase: async (role, action) => command(role, action, { type: 'chase', ...(await escalation(true)) }),
  'answer-escalation': async (role, action) => command(role, action, { type: 'answer-escalation', ...(await escalation(false)), text: 'Listed for 2 December.' }),
  'release-others': async (role, action) => command(role, action, { type: 'release', enquiryId: await heldByBob() }),
  'transfer-others': async (role, action) => command(role, action, { type: 'transfer', enquiryId: await heldByBob(), toAgent: 'carys' }),
  'note-others': async (role, action) => command(role, action, { type: 'note', enquiryId: await heldByBob(), text: 'Supervisor: checked.' }),
  'escalate-others': async (role, action) => command(role, action, { type: 'escalate', enquiryId: await heldByBob(), ...escalate }),
  'presence-others': (role, action) => command(role, action, { type: 'presence', state: 'available', agent: 'bob' }),
};

describe('every cell of the role table, against a real broker', () => {
  for (const action of ACTIONS) {
    for (const role of ROLES) {
      const perform = Object.hasOwn(PERFORM, action) ? PERFORM[action] : undefined;
      const expected: Verdict = can(role, action) ? 'allowed' : 'forbidden';
      if (perform && 'pending' in perform) {
        it.todo(`${role} × ${action}: ${perform.pending}`);
        continue;
      }
      it(`${role} × ${action}: ${expected}`, async () => {
        if (!perform) throw new Error(`no way to perform "${action}" in this walk: add it to PERFORM`);
        expect(await perform(role, action)).toBe(expected);
      });
    }
  }
});
