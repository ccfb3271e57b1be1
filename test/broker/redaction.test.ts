// Providers echo what they were sent. Real local HTTP servers stand in for WhatsApp, Twilio and
// GOV.UK Notify and answer with the secret echoed whole, URL- and form-encoded, base64, base64url,
// hex, JSON-escaped, inside a Basic header, and cut short; no piece of it may reach a SendResult,
// the journal or the broker's log.
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sendTwilioSms } from '../../src/broker/channels/twilio-send.js';
import { sendWhatsAppText } from '../../src/broker/channels/whatsapp-send.js';
import { createTransport } from '../../src/broker/escalation/transports/index.js';
import { classifySmtpError } from '../../src/broker/escalation/transports/smtp.js';
import { JOURNAL_FILE } from '../../src/broker/journal/file-store.js';
import { MAX_SAID, redact } from '../../src/broker/redact.js';
import { RawAgent, startTestBroker, type TestBroker } from '../helpers/broker.js';

// Secrets with the characters each encoding changes: quote, slash, backslash, plus, equals, percent, space, ampersand.
const ACCESS_TOKEN = 'EAAG"q/u+o=t\\e%26 s&x-access-token-0123456789abcdef';
const AUTH_TOKEN = 'tw"auth/token+x=y%z&w 0123456789abcdef';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** One way a secret comes back, and the secret-derived text in it that must not survive. */
interface Echo {
  name: string;
  text: string;
  secretPart: string;
}

function echoes(secret: string): Echo[] {
  const basic = b64(`Bearer ${secret}`);
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    { name: 'whole', text: secret, secretPart: secret },
    { name: 'encodeURIComponent', text: `?access_token=${encodeURIComponent(secret)}`, secretPart: encodeURIComponent(secret) },
    { name: 'lower-case percent escapes', text: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), secretPart: encodeURIComponent(secret) },
    { name: 'form encoding', text: new URLSearchParams({ access_token: secret }).toString(), secretPart: new URLSearchParams({ s: secret }).toString().slice(2) },
    { name: 'base64', text: b64(secret), secretPart: b64(secret) },
    { name: 'base64url', text: Buffer.from(secret).toString('base64url'), secretPart: Buffer.from(secret).toString('base64url') },
    { name: 'hex', text: Buffer.from(secret).toString('hex'), secretPart: Buffer.from(secret).toString('hex') },
    // "Bearer " is 7 bytes: the characters from the third group on are the secret's alone.
    { name: 'base64 of the header', text: `header was ${basic}`, secretPart: basic.slice(12, Math.floor((7 + Buffer.byteLength(secret)) / 3) * 4) },
    { name: 'JSON-escaped', text: `request: {"authorization":"Bearer ${json}"}`, secretPart: json },
    { name: 'its first 12 characters', text: `token ${secret.slice(0, 12)}… is invalid`, secretPart: secret.slice(0, 12) },
    { name: 'a piece from its middle', text: `near "${secret.slice(6, 20)}"`, secretPart: secret.slice(6, 20) },
  ];
}

/** Every 8-character run of `part` (ignoring case) that appears in `written`. */
function leaks(written: string, part: string): string[] {
  const lower = written.toLowerCase();
  const found: string[] = [];
  for (let i = 0; i + 8 <= part.length; i++) if (lower.includes(part.slice(i, i + 8).toLowerCase())) found.push(part.slice(i, i + 8));
  return found;
}

type Answer = (res: ServerResponse, body: string) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

/** A real HTTP server standing in for a provider: each request gets the next answer. */
async function provider(answers: Answer[]): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => (answers.shift() ?? ((r) => r.writeHead(500).end()))(res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html' }).end(body);
}

describe('redact', () => {
  it('removes any 8-character run of a secret in any encoding, wherever it sits, and keeps the line short', () => {
    const secret = fc.string({ unit: fc.constantFrom(...'abcXYZ0189"/\\+=%& -_.:é'), minLength: 8, maxLength: 60 });
    const around = fc.string({ unit: 'grapheme-ascii', maxLength: 300 });
    fc.assert(
      fc.property(secret, around, around, fc.nat(), fc.nat(), (s, before, after, start, size) => {
        for (const echo of echoes(s)) {
          const from = start % Math.max(1, echo.secretPart.length - 8);
          const piece = echo.secretPart.slice(from, from + 8 + (size % 40));
          const out = redact(`${before}${echo.text}${before === '' ? '' : '\n'}${piece}${after}`, [s]);
          expect(leaks(out, piece), `${echo.name} of ${JSON.stringify(s)}`).toEqual([]);
          expect(leaks(out, echo.secretPart), echo.name).toEqual([]);
          expect(out.length).toBeLessThanOrEqual(MAX_SAID);
          expect(out).not.toMatch(/\s\s|\n/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves ordinary words alone', () => {
    const said = 'Recipient phone number 447700900001 is not a valid WhatsApp user (code 131026); check the number.';
    expect(redact(said, [ACCESS_TOKEN, AUTH_TOKEN])).toBe(said);
  });

  it('finds a password in a base64 AUTH PLAIN echo from an SMTP server', () => {
    const password = 'correct horse battery staple';
    const plain = b64(`\u0000courtdesk\u0000${password}`);
    const result = classifySmtpError({ responseCode: 535, response: `535 5.7.8 Authentication failed for ${plain}`, command: 'AUTH PLAIN' }, [password]);
    expect(result).toMatchObject({ ok: false, temporary: false });
    expect(result.ok === false && result.reason).toMatch(/^SMTP server answered 535 to AUTH: 535 5\.7\.8 Authentication failed for \S*\[redacted\]/);
    // From the 17th character on, every character carries bits of the password alone (NUL, "courtdesk", NUL is 11 bytes).
    expect(leaks(JSON.stringify(result), plain.slice(16))).toEqual([]);
  });
});

describe('provider answers echoing the secret', () => {
  it('WhatsApp: no echo reaches the reason, which keeps the status, the code and a short message', async () => {
    for (const echo of echoes(ACCESS_TOKEN)) {
      const base = await provider([(res) => json(res, 401, { error: { message: `Invalid OAuth access token: ${echo.text}`, code: 190, error_data: { details: echo.text } } })]);
      const result = await sendWhatsAppText({ apiBase: base, phoneNumberId: '1', accessToken: ACCESS_TOKEN }, '447700900001', 'x');
      expect(result).toMatchObject({ ok: false, temporary: false, reason: expect.stringMatching(/^WhatsApp refused the message \(HTTP 401, code 190\): Invalid OAuth access token: /) });
      expect(leaks(JSON.stringify(result), echo.secretPart), echo.name).toEqual([]);
      expect(leaks(result.ok ? '' : result.reason, echo.secretPart), echo.name).toEqual([]);
      expect((result.ok ? '' : result.reason).length).toBeLessThan(80 + MAX_SAID);
    }
  });

  it('WhatsApp: nor an echo in the error code, or in a page that is not JSON', async () => {
    const base = await provider([
      (res) => json(res, 400, { error: { message: 'bad', code: ACCESS_TOKEN } }),
      (res) => text(res, 502, `<html><body><h1>Bad gateway</h1><pre>${JSON.stringify({ headers: { authorization: `Bearer ${ACCESS_TOKEN}` } })}</pre>${'x'.repeat(5000)}</body></html>`),
    ]);
    for (const status of [400, 502]) {
      const result = await sendWhatsAppText({ apiBase: base, phoneNumberId: '1', accessToken: ACCESS_TOKEN }, '447700900001', 'x');
      const reason = result.ok ? '' : result.reason;
      expect(reason).toContain(`HTTP ${status}`);
      for (const echo of echoes(ACCESS_TOKEN)) expect(leaks(reason, echo.secretPart), echo.name).toEqual([]);
      expect(reason.length).toBeLessThan(80 + MAX_SAID);
    }
  });

  it('Twilio: neither the auth token nor the Basic header it is in reaches the reason', async () => {
    const basic = b64(`${ACCOUNT_SID}:${AUTH_TOKEN}`);
    const all = [...echoes(AUTH_TOKEN), { name: 'the Basic header', text: `Authorization: Basic ${basic}`, secretPart: basic.slice(36) }];
    for (const echo of all) {
      const base = await provider([(res) => json(res, 401, { code: 20003, message: `Authenticate: ${echo.text}`, more_info: `https://www.twilio.com/docs/errors/20003?${echo.text}` })]);
      const result = await sendTwilioSms({ apiBase: base, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+447700900999' }, '+447700900001', 'x');
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^Twilio refused the message \(HTTP 401, code 20003\): Authenticate: /) });
      expect(leaks(result.ok ? '' : result.reason, echo.secretPart), echo.name).toEqual([]);
    }
  });

  it('Notify: neither the API key nor its secret reaches the reason', async () => {
    const secret = randomUUID();
    const apiKey = `courtdesk_live-${randomUUID()}-${secret}`;
    for (const echo of [...echoes(apiKey), ...echoes(secret)]) {
      const base = await provider([(res) => json(res, 400, { errors: [{ error: 'BadRequestError', message: `API key ${echo.text} not found` }], status_code: 400 })]);
      const transport = createTransport({ transport: 'notify', apiKey, templateId: randomUUID(), baseUrl: base }, { dataDir: '/nonexistent' });
      const result = await transport.send({ to: 'court@example.org', subject: 's', text: 't', plain: 't', html: 'h', reference: 'ESC1' });
      expect(result).toMatchObject({ ok: false, temporary: false, reason: expect.stringMatching(/^Notify refused the message \(HTTP 400\): BadRequestError: API key /) });
      expect(leaks(result.ok ? '' : result.reason, echo.secretPart), echo.name).toEqual([]);
    }
  });
});

describe('a broker whose WhatsApp provider echoes its access token', () => {
  let t: TestBroker | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps every echo out of the journal and the log', async () => {
    const all = echoes(ACCESS_TOKEN);
    const base = await provider(all.map((echo) => (res) => json(res, 400, { error: { message: `Invalid parameter: ${echo.text}`, code: 100 } })));
    const appSecret = 'meta-app-secret-for-redaction-tests';
    t = await startTestBroker({
      // Each scripted answer is for one agent reply: no automatic acknowledgement takes one.
      acknowledgeEnquiries: false,
      channels: { whatsapp: { verifyToken: 'verify-me', appSecret, accessToken: ACCESS_TOKEN, phoneNumberId: '106540352242922', apiBase: base }, sms: null },
    });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: '447700900001', id: 'wamid.IN1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Is my hearing still on?' } }] } }] }],
    });
    const hook = await fetch(`${t.url}/v1/channels/whatsapp/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` },
      body,
    });
    expect(hook.status).toBe(200);

    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    const welcome = await agent.welcome();
    const enquiryId = welcome.snapshot.enquiries[0].id as string;
    expect((await agent.command({ type: 'claim', ref: 'c', enquiryId })).ok).toBe(true);
    for (const [i, echo] of all.entries()) expect((await agent.command({ type: 'reply', ref: `r${i}`, enquiryId, text: `reply ${echo.name}` })).ok).toBe(true);
    const failures = await agent.waitFor(() => {
      const failed = agent.events().filter((e) => e.event.type === 'reply.delivery' && e.event.state === 'failed');
      return failed.length === all.length && failed;
    }, 'every reply to fail');
    agent.close();
    for (const f of failures) {
      expect(f.event.reason).toMatch(/^WhatsApp refused the message \(HTTP 400, code 100\): Invalid parameter: /);
      for (const echo of all) expect(leaks(f.event.reason, echo.secretPart), `reason: ${echo.name}`).toEqual([]);
    }

    const journal = await readFile(join(t.dataDir, JOURNAL_FILE), 'utf8');
    const log = t.logs.join('\n');
    expect(log).toContain('could not be delivered: WhatsApp refused the message');
    for (const echo of all) {
      expect(leaks(journal, echo.secretPart), `journal: ${echo.name}`).toEqual([]);
      expect(leaks(log, echo.secretPart), `log: ${echo.name}`).toEqual([]);
    }
  });
});
