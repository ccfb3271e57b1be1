import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mailConfigFromEnv } from '../../../src/broker/escalation/transports/config.js';
import { createTransport } from '../../../src/broker/escalation/transports/index.js';
import { notifyToken } from '../../../src/broker/escalation/transports/notify.js';
import type { OutgoingEmail } from '../../../src/broker/escalation/transports/types.js';

const SERVICE_ID = randomUUID();
const SECRET = randomUUID();
const API_KEY = `courtdesk_test-${SERVICE_ID}-${SECRET}`;
const TEMPLATE_ID = randomUUID();

interface Call {
  path: string;
  body: Record<string, unknown>;
}

/** Checks a request's JWT the way Notify does; returns Notify's error message, or null when it is good. */
function checkToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(auth);
  if (!m) return 'Unauthorized: authentication token must be provided';
  const [, header, claims, signature] = m as unknown as [string, string, string, string];
  const expected = createHmac('sha256', SECRET).update(`${header}.${claims}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Invalid token: signature, api token not found';
  const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { typ?: string; alg?: string };
  if (h.alg !== 'HS256' || h.typ !== 'JWT') return 'Invalid token: algorithm used is not HS256';
  const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { iss?: string; iat?: number };
  if (c.iss !== SERVICE_ID) return 'Invalid token: service not found';
  if (typeof c.iat !== 'number' || Math.abs(Date.now() / 1000 - c.iat) > 30) return 'Error: Your system clock must be accurate to within 30 seconds';
  return null;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

type Answer = (call: Call, res: ServerResponse) => void;

async function startNotify(answers: Answer[]) {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      const tokenProblem = checkToken(req);
      if (tokenProblem) return reply(403, { errors: [{ error: 'AuthError', message: tokenProblem }], status_code: 403 });
      if (req.method !== 'POST' || req.url !== '/v2/notifications/email') return reply(404, { errors: [{ error: 'NotFound', message: 'Not Found' }], status_code: 404 });
      const call: Call = { path: req.url, body: JSON.parse(Buffer.concat(chunks).toString()) };
      calls.push(call);
      const answer = answers.shift();
      if (answer) answer(call, res);
      else reply(201, { id: randomUUID(), reference: call.body.reference, content: {}, template: { id: TEMPLATE_ID } });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

function notifyError(status: number, error: string, message: string, headers: Record<string, string> = {}): Answer {
  return (_call, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ errors: [{ error, message }], status_code: status }));
  };
}

function transportAt(baseUrl: string, apiKey = API_KEY) {
  return createTransport(
    mailConfigFromEnv({ COURTDESK_MAIL_TRANSPORT: 'notify', COURTDESK_NOTIFY_API_KEY: apiKey, COURTDESK_NOTIFY_TEMPLATE_ID: TEMPLATE_ID, COURTDESK_NOTIFY_BASE_URL: `${baseUrl}/` }),
    { dataDir: '/nonexistent' },
  );
}

const email: OutgoingEmail = {
  to: 'enquiries.leeds.countycourt@justice.gov.uk',
  subject: 'Hearing date enquiry – case 305JE126',
  text: 'Dear colleagues,\n\n^ When is my hearing?\n',
  plain: 'Dear colleagues,\n\n    When is my hearing?\n',
  html: '<p>unused by Notify</p>',
  reference: 'ESC-9',
};

describe('Notify transport', () => {
  it('reports a 429 as temporary with Retry-After, and the next call succeeds', async () => {
    const { baseUrl, calls } = await startNotify([
      notifyError(429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds', { 'retry-after': '7' }),
    ]);
    const transport = transportAt(baseUrl);

    const first = await transport.send(email);
    expect(first).toEqual({
      ok: false,
      temporary: true,
      reason: 'Notify refused the message (HTTP 429): RateLimitError: Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds',
      retryAfterMs: 7000,
    });

    const second = await transport.send(email);
    expect(second.ok).toBe(true);
    expect(second.ok && second.providerId).toMatch(/^[0-9a-f-]{36}$/);

    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toEqual({
      email_address: email.to,
      template_id: TEMPLATE_ID,
      personalisation: { subject: email.subject, body: email.text },
      reference: 'ESC-9',
    });
  });

  it('reports a 400 as permanent with Notify’s own message', async () => {
    const { baseUrl } = await startNotify([notifyError(400, 'BadRequestError', "Can't send to this recipient using a team-only API key")]);
    expect(await transportAt(baseUrl).send(email)).toEqual({
      ok: false,
      temporary: false,
      reason: "Notify refused the message (HTTP 400): BadRequestError: Can't send to this recipient using a team-only API key",
    });
  });

  it('reports a key Notify does not accept as a permanent 403, without the key', async () => {
    const { baseUrl, calls } = await startNotify([]);
    const wrongKey = `courtdesk_test-${SERVICE_ID}-${randomUUID()}`;
    const result = await transportAt(baseUrl, wrongKey).send(email);
    expect(result).toEqual({ ok: false, temporary: false, reason: 'Notify refused the message (HTTP 403): AuthError: Invalid token: signature, api token not found' });
    expect(calls).toEqual([]);
  });

  it('treats 5xx and an unreachable Notify as temporary', async () => {
    const { baseUrl } = await startNotify([
      (_call, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
      },
    ]);
    const transport = transportAt(baseUrl);
    expect(await transport.send(email)).toEqual({ ok: false, temporary: true, reason: 'Notify refused the message (HTTP 502): Bad gateway' });
    expect((await transport.send(email)).ok).toBe(true);

    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    // The first try may meet the pooled connection the server just closed; the next finds no server.
    for (const expected of [/other side closed|ECONNREFUSED/, /ECONNREFUSED/]) {
      const down = await transport.send(email);
      expect(down.ok === false && down.temporary).toBe(true);
      expect(down.ok === false && down.reason).toMatch(/^Could not reach Notify at http:\/\/127\.0\.0\.1:\d+: /);
      expect(down.ok === false && down.reason).toMatch(expected);
    }
  });

  it('counts a 2xx it cannot read as sent, and a 408 as temporary, as the channel senders do', async () => {
    const { baseUrl } = await startNotify([
      (_call, res) => {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('created');
      },
      notifyError(408, 'TimeoutError', 'Request timed out'),
    ]);
    const transport = transportAt(baseUrl);
    expect(await transport.send(email)).toEqual({ ok: true });
    expect(await transport.send(email)).toEqual({ ok: false, temporary: true, reason: 'Notify refused the message (HTTP 408): TimeoutError: Request timed out' });
  });

  it('keeps the key and secret out of reasons even when Notify echoes them', async () => {
    const { baseUrl } = await startNotify([notifyError(400, 'BadRequestError', `bad key ${API_KEY} and ${SECRET}`)]);
    const result = await transportAt(baseUrl).send(email);
    expect(result.ok === false && result.reason).toBe('Notify refused the message (HTTP 400): BadRequestError: bad key [redacted] and [redacted]');
  });
});

describe('Notify helpers', () => {
  it('sign the token with the secret, iss = service id, iat = now in seconds', () => {
    const token = notifyToken(SERVICE_ID, SECRET, 1_700_000_000_500);
    const [header, claims, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ iss: SERVICE_ID, iat: 1_700_000_000 });
    expect(signature).toBe(createHmac('sha256', SECRET).update(`${header}.${claims}`).digest('base64url'));
  });
});
