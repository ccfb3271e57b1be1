// WhatsApp and SMS end to end: a real broker on port 0, signed webhooks posted to it, and real local
// HTTP servers standing in for the Graph API and Twilio's Messages API.
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { channelConfigFromEnv, CHANNEL_SETTINGS, type ChannelConfig } from '../../src/broker/channels/index.js';
import { FileJournalStore, JOURNAL_FILE } from '../../src/broker/journal/file-store.js';
import { BIN, makeTokens, RawAgent, spawnBroker, startTestBroker, tempDir, type SpawnedBroker, type TestBroker, type TestTokens } from '../helpers/broker.js';
import { replyStateText } from '../../src/workbench/format.js';

// ../shared/samples/whatsapp-inbound-text.json, byte for byte, copied into the repo so its tests stand alone.
const SAMPLE = readFileSync(new URL('../fixtures/whatsapp-inbound-text.json', import.meta.url), 'utf8');
const SAMPLE_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=';

const APP_SECRET = 'meta-app-secret-for-tests-5f1c';
const VERIFY_TOKEN = 'verify-token-for-tests-9a2e';
const ACCESS_TOKEN = 'EAAGaccess-token-for-tests-77d0';
const PHONE_NUMBER_ID = '106540352242922';
const ACCOUNT_SID = 'ACb2d1e7f0c3a94e5d8f6a7b9c0d1e2f3a';
const AUTH_TOKEN = 'twilio-auth-token-for-tests-4c8b';
const PUBLIC_URL = 'https://desk.example.org';
const OUR_NUMBER = '+447700900999';
const SECRETS = [APP_SECRET, VERIFY_TOKEN, ACCESS_TOKEN, AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')];

// ---------------------------------------------------------------------------------------------
// Stand-ins for the providers: real HTTP servers that record every request and answer in turn.

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = (res: ServerResponse, seen: Seen, n: number) => void;

class FakeProvider {
  readonly seen: Seen[] = [];
  /** Scripted answers, used up first; then `fallback`. */
  readonly answers: Answer[] = [];
  private constructor(
    readonly server: Server,
    readonly base: string,
    private readonly fallback: Answer,
  ) {}

  static async start(fallback: Answer): Promise<FakeProvider> {
    let provider: FakeProvider | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const p = provider!;
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        p.seen.push(seen);
        (p.answers.shift() ?? p.fallback)(res, seen, p.seen.length);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new FakeProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fallback);
    servers.push(server);
    return provider;
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The Graph API: accepts every message with a fresh wamid. */
const graph = (): Promise<FakeProvider> =>
  FakeProvider.start((res, seen, n) => {
    const to = (JSON.parse(seen.body) as { to: string }).to;
    json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.OUT${n}` }] });
  });

/** Twilio's Messages API: accepts every message with a fresh MessageSid. */
const twilio = (): Promise<FakeProvider> =>
  FakeProvider.start((res, _seen, n) => json(res, 201, { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued' }));

function whatsappEnv(apiBase: string): Record<string, string> {
  return {
    COURTDESK_WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    COURTDESK_WHATSAPP_APP_SECRET: APP_SECRET,
    COURTDESK_WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    COURTDESK_WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    COURTDESK_WHATSAPP_API_BASE: apiBase,
  };
}

function smsEnv(apiBase: string): Record<string, string> {
  return {
    COURTDESK_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    COURTDESK_TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    COURTDESK_TWILIO_FROM: OUR_NUMBER,
    COURTDESK_TWILIO_API_BASE: apiBase,
    COURTDESK_PUBLIC_URL: PUBLIC_URL,
  };
}

/** The config the CLI would build from these variables. */
function channels(env: Record<string, string>): ChannelConfig {
  const read = channelConfigFromEnv(env);
  if (!read.ok) throw new Error(read.problems.join('\n'));
  return read.config;
}

// ---------------------------------------------------------------------------------------------
// Brokers, agents and servers started by a test, all closed after it.

const servers: Server[] = [];
const brokers: TestBroker[] = [];
const agents: RawAgent[] = [];
const dirs: string[] = [];
const children: SpawnedBroker[] = [];

afterEach(async () => {
  for (const a of agents.splice(0)) a.close();
  let written = brokers.flatMap((b) => b.logs).join('\n');
  for (const b of brokers.splice(0)) {
    written += await readFile(join(b.dataDir, JOURNAL_FILE), 'utf8');
    await b.close(); // closing twice (a broker the test restarted) is harmless
  }
  for (const c of children.splice(0)) {
    c.child.kill('SIGTERM');
    await c.exited;
  }
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  // Whatever happened in the test, no secret reached the log or the journal.
  for (const secret of SECRETS) expect(written).not.toContain(secret);
});

async function broker(options: Parameters<typeof startTestBroker>[0], reuse?: { dataDir: string; tokens: TestTokens }): Promise<TestBroker> {
  const t = await startTestBroker({ deliveryBaseDelayMs: 20, deliveryMaxDelayMs: 100, acknowledgeEnquiries: false, ...options }, reuse);
  brokers.push(t);
  return t;
}

async function agent(t: TestBroker, token = t.tokens.agent): Promise<RawAgent> {
  const a = await RawAgent.connect(t.url, token);
  agents.push(a);
  await a.welcome();
  return a;
}

let refs = 0;
const ref = (): string => `r${++refs}`;

async function claimAndReply(a: RawAgent, enquiryId: string, text: string): Promise<any> {
  const claim = await a.command({ type: 'claim', ref: ref(), enquiryId });
  expect(claim.ok).toBe(true);
  return a.command({ type: 'reply', ref: ref(), enquiryId, text });
}

/**
 * The durable seq, less the access records of the test's own reads (each GET is recorded in the
 * access log): what a webhook's 200 promises is already on disk.
 */
async function seq(t: TestBroker): Promise<number> {
  const durable = ((await (await fetch(`${t.url}/healthz`)).json()) as { seq: number }).seq;
  const lines = (await readFile(join(t.dataDir, JOURNAL_FILE), 'utf8')).split('\n').slice(1);
  const reads = lines.filter((line) => line.includes('"type":"enquiry.accessed"') && (JSON.parse(line) as { seq: number }).seq <= durable).length;
  return durable - reads;
}

async function enquiry(t: TestBroker, id: string): Promise<any> {
  const res = await t.get(`/v1/enquiries/${id}`, t.tokens.agent);
  expect(res.status).toBe(200);
  return res.json();
}

/** Ids of the enquiries the agent has seen opened, in order. */
function received(a: RawAgent): string[] {
  return a.events().filter((e) => e.event.type === 'enquiry.received').map((e) => e.event.enquiryId as string);
}

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/**
 * The latest agent reply on the enquiry, once its delivery is in `state` and durable (the agent
 * hears of events only once they are on disk, so /healthz seq counts them from then on).
 */
async function replyIn(t: TestBroker, a: RawAgent, id: string, state: string, messageId?: string): Promise<any> {
  const reply = await until(async () => {
    const replies = (await enquiry(t, id)).messages.filter((m: any) => m.author === 'agent' && (messageId === undefined || m.id === messageId));
    const last = replies[replies.length - 1];
    return last?.delivery?.state === state ? last : undefined;
  }, `a reply ${state}`);
  await a.waitFor(() => a.events().some((x) => x.event.type === 'reply.delivery' && x.event.messageId === reply.id && x.event.state === state), `the agent told of ${state}`);
  return reply;
}

// ---------------------------------------------------------------------------------------------
// WhatsApp webhooks

const signWhatsApp = (body: string | Buffer, secret = APP_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function postWhatsApp(t: TestBroker, body: string | Buffer, signature: string | null = signWhatsApp(body)): Promise<Response> {
  return fetch(`${t.url}/v1/channels/whatsapp/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-hub-signature-256': signature } : {}) },
    body,
  });
}

interface Value {
  contacts?: Array<{ wa_id: string; profile: { name: string } }>;
  messages?: unknown[];
  statuses?: unknown[];
}

/** A Cloud API payload: one entry per list of values, one change per value. */
function payload(...entries: Value[][]): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: entries.map((values, i) => ({
      id: `10229012934039${i}`,
      changes: values.map((value) => ({
        field: 'messages',
        value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, ...value },
      })),
    })),
  });
}

const contact = (wa_id: string, name: string) => ({ wa_id, profile: { name } });
const text = (from: string, id: string, body: string) => ({ from, id, timestamp: '1749416383', type: 'text', text: { body } });
const receipt = (id: string, status: string, errors?: unknown[]) => ({
  id,
  status,
  timestamp: '1749416400',
  recipient_id: '16505551234',
  ...(errors ? { errors } : {}),
});

describe('WhatsApp webhook: inbound messages', () => {
  it('turns the sample payload into one enquiry named from the contact, answering 200 only once it is durable', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    const before = await seq(t);
    const res = await postWhatsApp(t, SAMPLE);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ messages: 1, duplicates: 0, receipts: 0, ignoredReceipts: 0 });
    // /healthz reports the durable seq: the event was on disk before the 200 left.
    expect(await seq(t)).toBe(before + 1);

    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    const e = await enquiry(t, id!);
    expect(e).toMatchObject({ channel: 'whatsapp', from: '16505551234', name: 'Sheena Nelson', language: 'en', status: 'waiting', callbackUrl: null });
    expect(e.messages).toHaveLength(1);
    expect(e.messages[0]).toMatchObject({ author: 'customer', text: 'Does it come in another color?' });
    const event = a.events().find((x) => x.event.type === 'enquiry.received');
    expect(event.event.externalId).toBe(SAMPLE_WAMID);
    expect(event.actor).toEqual({ kind: 'intake', name: 'whatsapp' });
  });

  it('records a redelivered webhook once, even when both copies arrive together', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    const before = await seq(t);
    const [first, second] = await Promise.all([postWhatsApp(t, SAMPLE), postWhatsApp(t, SAMPLE)]);
    expect([first!.status, second!.status]).toEqual([200, 200]);
    const third = await postWhatsApp(t, SAMPLE);
    expect(await third.json()).toMatchObject({ messages: 0, duplicates: 1 });
    expect(await seq(t)).toBe(before + 1);
    await new Promise((res) => setTimeout(res, 100));
    expect(received(a)).toHaveLength(1);
    expect((await enquiry(t, received(a)[0]!)).messages).toHaveLength(1);
  });

  it('refuses a missing, wrong or foreign signature with 401, records nothing and never shows the secret', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const before = await seq(t);
    const cases: Array<[string | null, RegExp]> = [
      [null, /X-Hub-Signature-256 is missing/],
      [signWhatsApp(SAMPLE, 'some-other-secret'), /does not match/],
      [signWhatsApp(`${SAMPLE} `), /does not match/], // signed over other bytes
      [signWhatsApp(SAMPLE).replace('sha256=', 'sha1='), /does not match/],
      ['sha256=', /does not match/],
    ];
    for (const [signature, message] of cases) {
      const res = await postWhatsApp(t, SAMPLE, signature);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(JSON.parse(body).error.code).toBe('BAD_SIGNATURE');
      expect(JSON.parse(body).error.message).toMatch(message);
      expect(JSON.parse(body).error.message).toContain('Nothing was recorded');
      for (const secret of SECRETS) expect(body).not.toContain(secret);
    }
    expect(await seq(t)).toBe(before);
    expect(t.logs.some((l) => l.startsWith('WhatsApp webhook refused'))).toBe(true);
  });

  it('refuses a body over 64 KiB with 413 before reading it, recording nothing', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const before = await seq(t);
    const big = payload([{ contacts: [contact('447700900001', 'Big')], messages: [text('447700900001', 'wamid.BIG', 'x'.repeat(70 * 1024))] }]);
    const res = await postWhatsApp(t, big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('BODY_TOO_LARGE');
    expect(await seq(t)).toBe(before);
  });

  it('reads every entry, change and message; keeps an image as a placeholder; skips a repeat within the payload', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    const body = payload(
      [
        {
          contacts: [contact('447700900001', 'Aled Jones'), contact('447700900002', 'Beth Smith')],
          messages: [
            text('447700900001', 'wamid.A1', 'Bore da, pryd mae fy ngwrandawiad? Diolch'),
            text('447700900002', 'wamid.B1', 'My claim number is 305JE126, has the defendant replied?'),
            { from: '447700900001', id: 'wamid.A2', timestamp: '1749416390', type: 'image', image: { id: 'media1', mime_type: 'image/jpeg', caption: 'Y llythyr' } },
          ],
        },
        { contacts: [contact('447700900001', 'Aled Jones')], messages: [text('447700900001', 'wamid.A1', 'Bore da, pryd mae fy ngwrandawiad? Diolch')] },
      ],
      [
        {
          contacts: [contact('447700900003', 'Cerys Evans')],
          messages: [{ from: '447700900003', id: 'wamid.C1', timestamp: '1749416395', type: 'document', document: { filename: 'N1.pdf', id: 'media2' } }],
        },
      ],
    );
    const before = await seq(t);
    const res = await postWhatsApp(t, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messages: 4, duplicates: 1 });
    expect(await seq(t)).toBe(before + 4); // one batch, all durable

    const ids = await until(() => received(a).length === 3 && received(a), 'three enquiries');
    const [aled, beth, cerys] = await Promise.all(ids.map((id) => enquiry(t, id)));
    expect(aled).toMatchObject({ name: 'Aled Jones', from: '447700900001', language: 'cy' });
    expect(aled.messages.map((m: any) => m.text)).toEqual([
      'Bore da, pryd mae fy ngwrandawiad? Diolch',
      '[Image received — open WhatsApp Business to view it] caption: Y llythyr',
    ]);
    expect(beth).toMatchObject({ name: 'Beth Smith', language: 'en' });
    expect(beth.messages).toHaveLength(1);
    expect(cerys.name).toBe('Cerys Evans');
    expect(cerys.messages[0].text).toBe('[Document received (N1.pdf) — open WhatsApp Business to view it]');
    expect(cerys.preview).toMatch(/^\[Document received/);
  });

  it('threads a sender\'s next message onto their open enquiry, and opens a new one once it is closed', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    expect((await postWhatsApp(t, SAMPLE)).status).toBe(200);
    const [first] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    expect((await postWhatsApp(t, payload([{ contacts: [contact('16505551234', 'Sheena Nelson')], messages: [text('16505551234', 'wamid.S2', 'It is about case 305JE126')] }]))).status).toBe(200);
    const e = await until(async () => {
      const now = await enquiry(t, first!);
      return now.messages.length === 2 && now;
    }, 'the second message');
    expect(e.messages[1]).toMatchObject({ author: 'customer', text: 'It is about case 305JE126' });
    expect(received(a)).toHaveLength(1);
    const follow = a.events().find((x) => x.event.type === 'enquiry.message');
    expect(follow.event).toMatchObject({ enquiryId: first, externalId: 'wamid.S2' });

    expect((await a.command({ type: 'claim', ref: ref(), enquiryId: first })).ok).toBe(true);
    expect((await a.command({ type: 'close', ref: ref(), enquiryId: first })).ok).toBe(true);
    expect((await postWhatsApp(t, payload([{ contacts: [contact('16505551234', 'Sheena Nelson')], messages: [text('16505551234', 'wamid.S3', 'One more thing')] }]))).status).toBe(200);
    const ids = await until(() => received(a).length === 2 && received(a), 'a new enquiry');
    expect(ids[1]).not.toBe(first);
    expect((await enquiry(t, first!)).messages).toHaveLength(2);
  });

  it('answers the subscription check with the challenge, and 403 for a wrong token or mode', async () => {
    const t = await broker({ channels: channels(whatsappEnv('http://127.0.0.1:9')) });
    const check = (query: string) => fetch(`${t.url}/v1/channels/whatsapp/webhook?${query}`);
    const ok = await check(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1',
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      'hub.mode=subscribe&hub.challenge=1',
    ]) {
      const res = await check(query);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain(VERIFY_TOKEN);
    }
  });
});

describe('WhatsApp replies and receipts', () => {
  it('sends the reply through the Graph API, retries a 429, keeps the wamid and applies receipts out of order', async () => {
    const api = await graph();
    api.answers.push((res) => json(res, 429, { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 } }));
    const t = await broker({ channels: channels(whatsappEnv(`${api.base}/v21.0`)) });
    const a = await agent(t);
    await postWhatsApp(t, SAMPLE);
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    const ack = await claimAndReply(a, id!, 'Yes, it comes in blue as well.');
    expect(ack.ok).toBe(true);

    const sent = await replyIn(t, a, id!, 'sent');
    expect(sent.delivery).toEqual({ state: 'sent', attempts: 2, externalId: 'wamid.OUT2' });
    expect(api.seen).toHaveLength(2);
    for (const request of api.seen) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
      expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body)).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        type: 'text',
        text: { body: 'Yes, it comes in blue as well.' },
      });
    }
    // The 429 was recorded for the agent to see, as a temporary failure.
    const retrying = a.events().find((x) => x.event.type === 'reply.delivery' && x.event.state === 'pending');
    expect(retrying.event.reason).toMatch(/HTTP 429, code 130429/);

    // Receipts out of order: read first, then delivered and sent, then a stale failure.
    const before = await seq(t);
    expect(await (await postWhatsApp(t, payload([{ statuses: [receipt('wamid.OUT2', 'read')] }]))).json()).toMatchObject({ receipts: 1 });
    expect((await replyIn(t, a, id!, 'read')).delivery).toEqual({ state: 'read', attempts: 2, externalId: 'wamid.OUT2' });
    expect(await seq(t)).toBe(before + 1);
    const late = payload([{ statuses: [receipt('wamid.OUT2', 'delivered'), receipt('wamid.OUT2', 'sent')] }], [{ statuses: [receipt('wamid.OUT2', 'failed', [{ code: 131026, title: 'Message undeliverable' }])] }]);
    const res = await postWhatsApp(t, late);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ receipts: 0, ignoredReceipts: 3 });
    expect(await seq(t)).toBe(before + 1); // nothing that changes nothing is recorded
    expect((await enquiry(t, id!)).messages.at(-1).delivery.state).toBe('read');

    // A receipt for a message courtdesk never sent is answered and ignored.
    const unknown = await postWhatsApp(t, payload([{ statuses: [receipt('wamid.NOT-OURS', 'delivered')] }]));
    expect(unknown.status).toBe(200);
    expect(await seq(t)).toBe(before + 1);
  });

  it('shows a failure receipt\'s error to the agent, and lets a later delivered receipt correct it', async () => {
    const api = await graph();
    const t = await broker({ channels: channels(whatsappEnv(`${api.base}/v21.0`)) });
    const a = await agent(t);
    await postWhatsApp(t, SAMPLE);
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    await claimAndReply(a, id!, 'We have your letter.');
    const sent = await replyIn(t, a, id!, 'sent');
    const wamid = sent.delivery.externalId as string;

    const failure = { code: 131047, title: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } };
    const before = await seq(t);
    await postWhatsApp(t, payload([{ statuses: [receipt(wamid, 'sent'), receipt(wamid, 'failed', [failure])] }]));
    expect(await seq(t)).toBe(before + 1); // the repeated 'sent' changed nothing
    const failed = await replyIn(t, a, id!, 'failed');
    expect(failed.delivery.reason).toBe('131047: Re-engagement message — Message failed to send because more than 24 hours have passed since the customer last replied to this number.');
    const told = await a.waitFor(() => a.events().find((x) => x.event.type === 'reply.delivery' && x.event.state === 'failed'), 'the agent hears of the failure');
    expect(told.event.reason).toBe(failed.delivery.reason);

    await postWhatsApp(t, payload([{ statuses: [receipt(wamid, 'delivered')] }]));
    const delivered = await replyIn(t, a, id!, 'delivered');
    expect(delivered.delivery.reason).toBeUndefined();
  });

  it('refuses free text once the customer\'s last message is 24 hours old, with the reason, and sends nothing', async () => {
    const api = await graph();
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const tokens = await makeTokens(dataDir);
    // A journal written as if over the last day: one customer wrote 25 hours ago, one 23 hours ago.
    let clock = 0;
    const store = new FileJournalStore({ dir: dataDir, now: () => new Date(clock) });
    await store.open(() => undefined);
    const hoursAgo = (h: number): number => Date.now() - h * 3_600_000;
    for (const [id, from, hours] of [['EOLD00001', '447700900101', 25], ['ENEW00001', '447700900102', 23]] as const) {
      clock = hoursAgo(hours);
      store.append([
        {
          actor: { kind: 'intake', name: 'whatsapp' },
          event: { type: 'enquiry.received', enquiryId: id, messageId: `M${id}`, channel: 'whatsapp', from, name: 'Dai', text: 'Help with my claim please', language: 'en', callbackUrl: null, externalId: `wamid.${id}` },
        },
      ]);
    }
    await store.close();

    const t = await broker({ channels: channels(whatsappEnv(`${api.base}/v21.0`)) }, { dataDir, tokens });
    const a = await agent(t);
    const refused = await claimAndReply(a, 'EOLD00001', 'Sorry for the wait.');
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('REPLY_WINDOW_CLOSED');
    expect(refused.error.message).toContain(`closed at ${new Date(hoursAgo(1)).toISOString().slice(0, 13)}`);
    expect(refused.error.message).toMatch(/template/);
    expect((await enquiry(t, 'EOLD00001')).messages).toHaveLength(1);

    expect((await claimAndReply(a, 'ENEW00001', 'Sorry for the wait.')).ok).toBe(true);
    await replyIn(t, a, 'ENEW00001', 'sent');
    expect(api.seen.map((s) => JSON.parse(s.body).to)).toEqual(['447700900102']);
  });

  it('keeps replies pending while WhatsApp is unreachable or off, says why at start, and sends them after a restart', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const tokens = await makeTokens(dataDir);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    let t = await broker({ channels: channels(whatsappEnv(`http://127.0.0.1:${deadPort}/v21.0`)), deliveryBaseDelayMs: 50, deliveryMaxDelayMs: 200 }, { dataDir, tokens });
    let a = await agent(t);
    await postWhatsApp(t, SAMPLE);
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    await claimAndReply(a, id!, 'We will call you back.');
    const waiting = await until(async () => {
      const m = (await enquiry(t, id!)).messages.at(-1);
      return m.delivery.attempts >= 2 && m;
    }, 'failed attempts');
    expect(waiting.delivery.state).toBe('pending');
    expect(waiting.delivery.reason).toMatch(/^Could not reach WhatsApp/);
    a.close();
    await t.close();

    t = await broker({}, { dataDir, tokens });
    expect(t.logs).toContain('channels: WhatsApp off, SMS off; 1 WhatsApp reply waits, pending, until WhatsApp is configured (docs/channels.md)');
    const off = await postWhatsApp(t, SAMPLE);
    expect(off.status).toBe(404);
    expect(((await off.json()) as any).error.code).toBe('CHANNEL_OFF');
    await new Promise((res) => setTimeout(res, 200));
    const held = (await enquiry(t, id!)).messages.at(-1);
    expect(held.delivery.state).toBe('pending');
    // The agent's screen says why, instead of "delivering" for ever.
    expect(held.delivery.reason).toBe('WhatsApp is switched off on this broker; the reply goes once it is configured');
    expect(replyStateText(held)).toMatch(/^waiting \(tried \d+\): WhatsApp is switched off on this broker; the reply goes once it is configured$/);
    await t.close();

    const api = await graph();
    t = await broker({ channels: channels(whatsappEnv(`${api.base}/v21.0`)) }, { dataDir, tokens });
    expect(t.logs).toContain(`channels: WhatsApp on (phone number id ${PHONE_NUMBER_ID}), SMS off`);
    const sent = await until(async () => {
      const m = (await enquiry(t, id!)).messages.at(-1);
      return m.delivery.state === 'sent' && m;
    }, 'the reply sent after the restart');
    expect(sent.delivery.externalId).toBe('wamid.OUT1');
    expect(JSON.parse(api.seen[0]!.body).text.body).toBe('We will call you back.');

    // Receipts for a reply sent before a restart still find it.
    await t.close();
    t = await broker({ channels: channels(whatsappEnv(`${api.base}/v21.0`)) }, { dataDir, tokens });
    expect(await (await postWhatsApp(t, payload([{ statuses: [receipt('wamid.OUT1', 'read')] }]))).json()).toMatchObject({ receipts: 1 });
    expect((await enquiry(t, id!)).messages.at(-1).delivery).toMatchObject({ state: 'read', externalId: 'wamid.OUT1' });
  });
});

// ---------------------------------------------------------------------------------------------
// SMS (Twilio)

/** Twilio's signature, computed here independently of the broker's code: URL + sorted name+value. */
function signTwilio(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function postTwilio(t: TestBroker, path: string, params: Record<string, string>, signature: string | null = signTwilio(PUBLIC_URL + path, params)): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== null ? { 'x-twilio-signature': signature } : {}) },
    body: new URLSearchParams(params).toString(),
  });
}

function inboundSms(sid: string, body: string, from = '+447700900123'): Record<string, string> {
  return {
    ToCountry: 'GB',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    FromCountry: 'GB',
    To: OUR_NUMBER,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
}

function statusSms(sid: string, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return { SmsSid: sid, SmsStatus: status, MessageStatus: status, To: '+447700900123', MessageSid: sid, AccountSid: ACCOUNT_SID, From: OUR_NUMBER, ApiVersion: '2010-04-01', ...extra };
}

describe('SMS through Twilio', () => {
  it('checks the signature over COURTDESK_PUBLIC_URL + path, threads by sender, and ignores a redelivered MessageSid', async () => {
    const t = await broker({ channels: channels(smsEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    const path = '/v1/channels/sms/webhook';
    const params = inboundSms('SM11111111111111111111111111111111', 'Bore da, pryd mae fy ngwrandawiad? Diolch');
    const before = await seq(t);

    for (const signature of [null, signTwilio(`http://desk.example.org${path}`, params), signTwilio(PUBLIC_URL + path, params, 'wrong-token'), `${signTwilio(PUBLIC_URL + path, params)}x`]) {
      const res = await postTwilio(t, path, params, signature);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(JSON.parse(body).error.code).toBe('BAD_SIGNATURE');
      for (const secret of SECRETS) expect(body).not.toContain(secret);
    }
    expect(await seq(t)).toBe(before);

    const res = await postTwilio(t, path, params);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(await seq(t)).toBe(before + 1);
    expect((await postTwilio(t, path, params)).status).toBe(200); // Twilio retrying
    await postTwilio(t, path, inboundSms('SM22222222222222222222222222222222', 'Ac mae gen i rif achos hefyd'));
    expect(await seq(t)).toBe(before + 2);

    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    const e = await until(async () => {
      const now = await enquiry(t, id!);
      return now.messages.length === 2 && now;
    }, 'the second message');
    expect(e).toMatchObject({ channel: 'sms', from: '+447700900123', name: null, language: 'cy' });
    expect(e.messages.map((m: any) => m.text)).toEqual(['Bore da, pryd mae fy ngwrandawiad? Diolch', 'Ac mae gen i rif achos hefyd']);
    expect(received(a)).toHaveLength(1);
  });

  it('keeps a picture message as a placeholder for the agent', async () => {
    const t = await broker({ channels: channels(smsEnv('http://127.0.0.1:9')) });
    const a = await agent(t);
    const params = { ...inboundSms('MM33333333333333333333333333333333', 'This is the letter'), NumMedia: '1', MediaContentType0: 'image/jpeg', MediaUrl0: 'https://api.twilio.com/media/1' };
    expect((await postTwilio(t, '/v1/channels/sms/webhook', params)).status).toBe(200);
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    expect((await enquiry(t, id!)).messages[0].text).toBe('[Picture message (MMS) with 1 attachment (image/jpeg) — open the Twilio console to view it] text: This is the letter');
  });

  it('sends the reply to Twilio as one message with Basic auth, and applies its status callbacks', async () => {
    const api = await twilio();
    const t = await broker({ channels: channels(smsEnv(api.base)) });
    const a = await agent(t);
    await postTwilio(t, '/v1/channels/sms/webhook', inboundSms('SM44444444444444444444444444444444', 'When is my hearing? Claim 305JE126'));
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    // Long enough that Twilio cuts it in two (UCS-2 because of the ŵ): still one request.
    const text = `Bore da. Mae'r gwrandawiad ddydd Llun am 10yb yn Llys Sifil Caerdydd; dewch â'ch llythyr. Dŵr ar gael. ${'Diolch. '.repeat(4)}`;
    expect((await claimAndReply(a, id!, text)).ok).toBe(true);

    const sent = await replyIn(t, a, id!, 'sent');
    expect(sent.delivery.externalId).toBe(`SM${'1'.padStart(32, '0')}`);
    expect(api.seen).toHaveLength(1);
    const request = api.seen[0]!;
    expect(request.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: '+447700900123',
      From: OUR_NUMBER,
      Body: text.trimEnd(),
      StatusCallback: `${PUBLIC_URL}/v1/channels/sms/status`,
    });

    const sid = sent.delivery.externalId as string;
    const status = '/v1/channels/sms/status';
    const bad = await postTwilio(t, status, statusSms(sid, 'delivered'), signTwilio(PUBLIC_URL + '/v1/channels/sms/webhook', statusSms(sid, 'delivered')));
    expect(bad.status).toBe(401);
    expect((await postTwilio(t, status, statusSms(sid, 'delivered'))).status).toBe(200);
    await replyIn(t, a, id!, 'delivered');
    const before = await seq(t);
    expect((await postTwilio(t, status, statusSms(sid, 'sent'))).status).toBe(200); // late and stale
    expect((await postTwilio(t, status, statusSms('SM_NOT_OURS', 'failed', { ErrorCode: '30003' }))).status).toBe(200);
    expect(await seq(t)).toBe(before);

    // A second reply fails at the carrier: the agent sees Twilio's code in words.
    await a.command({ type: 'reply', ref: ref(), enquiryId: id, text: 'Did you get this?' });
    const second = await until(async () => {
      const m = (await enquiry(t, id!)).messages.at(-1);
      return m.delivery?.externalId !== undefined && m.delivery.externalId !== sid && m;
    }, 'the second reply sent');
    await postTwilio(t, status, statusSms(second.delivery.externalId, 'undelivered', { ErrorCode: '30003' }));
    const failed = await replyIn(t, a, id!, 'failed', second.id);
    expect(failed.delivery.reason).toBe('30003: unreachable handset (switched off or out of coverage)');
  });

  it('refuses a reply too long for SMS with the reason, without calling Twilio', async () => {
    const api = await twilio();
    const t = await broker({ channels: channels(smsEnv(api.base)) });
    const a = await agent(t);
    await postTwilio(t, '/v1/channels/sms/webhook', inboundSms('SM55555555555555555555555555555555', 'Hello'));
    const [id] = await until(() => received(a).length === 1 && received(a), 'the enquiry');
    await claimAndReply(a, id!, 'ŵ'.repeat(700));
    const failed = await replyIn(t, a, id!, 'failed');
    expect(failed.delivery.reason).toMatch(/^The reply is too long for SMS: it needs 11 parts and at most 10 are sent/);
    expect(failed.delivery.reason).toContain('"ŵ"');
    expect(api.seen).toHaveLength(0);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const t = await broker({ channels: channels(smsEnv('http://127.0.0.1:9')) });
    const before = await seq(t);
    const res = await postTwilio(t, '/v1/channels/sms/webhook', inboundSms('SM66666666666666666666666666666666', 'y'.repeat(70 * 1024)));
    expect(res.status).toBe(413);
    expect(await seq(t)).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration

describe('channel configuration', () => {
  it('answers 404 CHANNEL_OFF on the routes of a channel that is not configured, token or not', async () => {
    const t = await broker({});
    for (const [method, path] of [['GET', '/v1/channels/whatsapp/webhook'], ['POST', '/v1/channels/whatsapp/webhook'], ['POST', '/v1/channels/sms/webhook'], ['POST', '/v1/channels/sms/status']] as const) {
      const res = await fetch(`${t.url}${path}`, { method, ...(method === 'POST' ? { body: 'x=1' } : {}) });
      expect(res.status).toBe(404);
      const error = ((await res.json()) as any).error;
      expect(error.code).toBe('CHANNEL_OFF');
      expect(error.message).toMatch(/is off on this broker/);
    }
    expect(t.logs).toContain('channels: WhatsApp off, SMS off');
  });

  it('courtdesk broker refuses to start with a half-configured channel, naming what is missing, exit 2', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COURTDESK_')));
        execFile(process.execPath, [BIN, 'broker', '--port', '0', '--data', dataDir], { env: { ...clean, ...env }, timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });

    const whatsapp = await run({ COURTDESK_WHATSAPP_APP_SECRET: APP_SECRET, COURTDESK_WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN });
    expect(whatsapp.code).toBe(2);
    expect(whatsapp.stdout).not.toContain('listening');
    expect(whatsapp.stderr).toContain('WhatsApp is partly configured: COURTDESK_WHATSAPP_VERIFY_TOKEN and COURTDESK_WHATSAPP_PHONE_NUMBER_ID are missing');
    const sms = await run({ COURTDESK_TWILIO_AUTH_TOKEN: AUTH_TOKEN, ...whatsappEnv('https://graph.facebook.com/v21.0') });
    expect(sms.code).toBe(2);
    expect(sms.stderr).toContain('SMS is partly configured: COURTDESK_TWILIO_ACCOUNT_SID, COURTDESK_TWILIO_FROM and COURTDESK_PUBLIC_URL are missing');
    for (const secret of SECRETS) expect(whatsapp.stderr + sms.stderr).not.toContain(secret);
  });

  it('courtdesk broker --help lists every channel setting', async () => {
    const help = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [BIN, 'broker', '--help'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    for (const setting of CHANNEL_SETTINGS) expect(help).toContain(setting.name);
  });

  it('the real binary runs both channels from the environment and logs no secret', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const api = await graph();
    const b = await spawnBroker(dataDir, [], { ...whatsappEnv(`${api.base}/v21.0`), ...smsEnv('http://127.0.0.1:9') });
    children.push(b);
    const challenge = await fetch(`${b.url}/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
    expect(await challenge.text()).toBe('42');
    const signed = await fetch(`${b.url}/v1/channels/whatsapp/webhook`, { method: 'POST', headers: { 'x-hub-signature-256': signWhatsApp(SAMPLE) }, body: SAMPLE });
    expect(signed.status).toBe(200);
    await until(() => b.stderr.join('').includes('channels:'), 'the channels line');
    expect(b.stderr.join('')).toContain(`channels: WhatsApp on (phone number id ${PHONE_NUMBER_ID}), SMS on (from ${OUR_NUMBER}, webhooks at ${PUBLIC_URL})`);
    for (const secret of SECRETS) expect(b.stderr.join('') + b.stdout.join('')).not.toContain(secret);
  });
});

describe('automatic acknowledgements', () => {
  it('acknowledges a new WhatsApp enquiry once, with its place and the estimate, and not again after a restart or a redelivery', async () => {
    const api = await graph();
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const tokens = await makeTokens(dataDir);
    let t = await broker({ acknowledgeEnquiries: true, channels: channels(whatsappEnv(`${api.base}/v21.0`)) }, { dataDir, tokens });
    const a = await agent(t);
    await postWhatsApp(t, SAMPLE);
    await until(() => api.seen.length === 1, 'the acknowledgement');
    const body = JSON.parse(api.seen[0]!.body);
    expect(body.to).toBe('16505551234');
    // One English-speaking agent is connected; no replies seen yet, so five minutes each.
    expect(body.text.body).toMatch(/^Thank you for contacting the courts and tribunals contact centre\. Your reference is \S+\. You are number 1 in the queue\. We expect to answer in about 5 minutes\.$/);
    const [id] = received(a);
    const acked = await until(async () => (await enquiry(t, id!)).messages.find((m: any) => m.automatic && m.delivery?.state === 'sent'), 'the acknowledgement recorded as sent');
    expect(acked).toMatchObject({ author: 'agent', agent: 'courtdesk' });
    // It answers nothing: the enquiry still waits for an agent.
    expect((await enquiry(t, id!)).status).toBe('waiting');
    await postWhatsApp(t, SAMPLE);
    a.close();
    await t.close();
    t = await broker({ acknowledgeEnquiries: true, channels: channels(whatsappEnv(`${api.base}/v21.0`)) }, { dataDir, tokens });
    await agent(t);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.seen).toHaveLength(1);
  });

  it('acknowledges a Welsh SMS in Welsh, saying honestly that there is no estimate when no agent is available', async () => {
    const api = await twilio();
    const t = await broker({ acknowledgeEnquiries: true, channels: channels(smsEnv(`${api.base}/2010-04-01`)) });
    const res = await postTwilio(t, '/v1/channels/sms/webhook', inboundSms('SM77777777777777777777777777777777', 'Bore da, mae gen i wrandawiad yn y llys ddydd Llun. Diolch'));
    expect(res.status).toBe(200);
    await until(() => api.seen.length === 1, 'the acknowledgement');
    const sent = new URLSearchParams(api.seen[0]!.body);
    expect(sent.get('To')).toBe('+447700900123');
    expect(sent.get('Body')).toMatch(/^Diolch am gysylltu â chanolfan gyswllt y llysoedd a'r tribiwnlysoedd\. Eich cyfeirnod yw \S+\. Rydych yn rhif 1 yn y ciw\. Nid oes neb ar gael i ateb ar hyn o bryd/);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.seen).toHaveLength(1);
  });
});
