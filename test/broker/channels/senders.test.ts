import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendTwilioSms } from '../../../src/broker/channels/twilio-send.js';
import { sendWhatsAppText } from '../../../src/broker/channels/whatsapp-send.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = (res: ServerResponse, seen: Seen) => void;

/** A real HTTP server standing in for a provider: answers with the scripted replies in turn. */
async function fakeProvider(answers: Answer[]): Promise<{ base: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const answer = answers[seen.length - 1] ?? ((r: ServerResponse) => json(r, 500, { error: 'no more scripted answers' }));
      answer(res, s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const TOKEN = 'EAAG-whatsapp-access-token-for-tests';

describe('sendWhatsAppText', () => {
  it('posts the text message with the Bearer token and returns its wamid', async () => {
    const graph = await fakeProvider([
      (res) => json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: '447700900001', wa_id: '447700900001' }], messages: [{ id: 'wamid.REPLY1' }] }),
    ]);
    const result = await sendWhatsAppText({ apiBase: `${graph.base}/v21.0/`, phoneNumberId: '106540352242922', accessToken: TOKEN }, '447700900001', 'Diolch — we have your claim.');
    expect(result).toEqual({ ok: true, providerId: 'wamid.REPLY1' });
    const [req] = graph.seen;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/v21.0/106540352242922/messages');
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900001',
      type: 'text',
      text: { body: 'Diolch — we have your claim.' },
    });
  });

  it('reports a 429 as temporary with its Retry-After, and the next call succeeds', async () => {
    const graph = await fakeProvider([
      (res) => json(res, 429, { error: { message: '(#130429) Rate limit hit', code: 130429 } }, { 'retry-after': '3' }),
      (res) => json(res, 200, { messages: [{ id: 'wamid.AFTER' }] }),
    ]);
    const sender = { apiBase: graph.base, phoneNumberId: '1', accessToken: TOKEN };
    const first = await sendWhatsAppText(sender, '447700900001', 'hello');
    expect(first).toEqual({ ok: false, temporary: true, retryAfterMs: 3000, reason: 'WhatsApp refused the message (HTTP 429, code 130429): (#130429) Rate limit hit' });
    expect(await sendWhatsAppText(sender, '447700900001', 'hello')).toEqual({ ok: true, providerId: 'wamid.AFTER' });
    expect(graph.seen).toHaveLength(2);
  });

  it('reports a 400 as permanent with the Graph error message and details', async () => {
    const graph = await fakeProvider([
      (res) =>
        json(res, 400, {
          error: {
            message: '(#131030) Recipient phone number not in allowed list',
            type: 'OAuthException',
            code: 131030,
            error_data: { messaging_product: 'whatsapp', details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.' },
            fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
          },
        }),
    ]);
    const result = await sendWhatsAppText({ apiBase: graph.base, phoneNumberId: '1', accessToken: TOKEN }, '447700900001', 'hello');
    expect(result).toEqual({
      ok: false,
      temporary: false,
      reason:
        'WhatsApp refused the message (HTTP 400, code 131030): (#131030) Recipient phone number not in allowed list — ' +
        'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
    });
  });

  it('treats Graph throttling codes sent with a 400, 5xx and unreachable servers as temporary', async () => {
    const graph = await fakeProvider([
      (res) => json(res, 400, { error: { message: '(#131056) Pair rate limit hit', code: 131056 } }),
      (res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      },
    ]);
    const sender = { apiBase: graph.base, phoneNumberId: '1', accessToken: TOKEN };
    expect(await sendWhatsAppText(sender, '4477', 'x')).toMatchObject({ ok: false, temporary: true });
    expect(await sendWhatsAppText(sender, '4477', 'x')).toEqual({ ok: false, temporary: true, reason: 'WhatsApp refused the message (HTTP 502): 502 Bad Gateway' });

    const gone = await fakeProvider([]);
    await new Promise((resolve) => gone.server.close(resolve));
    const down = await sendWhatsAppText({ ...sender, apiBase: gone.base }, '4477', 'x');
    expect(down).toMatchObject({ ok: false, temporary: true, reason: expect.stringContaining('Could not reach WhatsApp') });
  });

  it('does not retry a 2xx that names no message, since it may have gone out', async () => {
    const graph = await fakeProvider([(res) => json(res, 200, { success: true })]);
    const result = await sendWhatsAppText({ apiBase: graph.base, phoneNumberId: '1', accessToken: TOKEN }, '4477', 'x');
    expect(result).toMatchObject({ ok: false, temporary: false, reason: expect.stringContaining('without a message id') });
  });

  it('never puts the access token in a reason, even when the provider echoes it', async () => {
    const graph = await fakeProvider([(res, seen) => json(res, 401, { error: { message: `Invalid OAuth access token: ${seen.headers.authorization}`, code: 190 } })]);
    const result = await sendWhatsAppText({ apiBase: graph.base, phoneNumberId: '1', accessToken: TOKEN }, '4477', 'x');
    expect(result).toMatchObject({ ok: false, temporary: false });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).toContain('[redacted]');
  });
});

const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH = 'twilio-auth-token-for-tests';

describe('sendTwilioSms', () => {
  it('posts a form with Basic auth to the Messages API and returns the MessageSid', async () => {
    const twilio = await fakeProvider([(res) => json(res, 201, { sid: 'SM9f0e', status: 'queued', num_segments: '1' })]);
    const result = await sendTwilioSms(
      { apiBase: twilio.base, accountSid: SID, authToken: AUTH, from: '+447700900999', statusCallback: 'https://desk.example.org/v1/channels/sms/status' },
      '+447700900123',
      'Your hearing is on Monday at 10am. Mae’ch gwrandawiad ddydd Llun.',
    );
    expect(result).toEqual({ ok: true, providerId: 'SM9f0e' });
    const [req] = twilio.seen;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const [scheme, credentials] = (req?.headers.authorization ?? '').split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(credentials ?? '', 'base64').toString('utf8')).toBe(`${SID}:${AUTH}`);
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      To: '+447700900123',
      From: '+447700900999',
      Body: 'Your hearing is on Monday at 10am. Mae’ch gwrandawiad ddydd Llun.',
      StatusCallback: 'https://desk.example.org/v1/channels/sms/status',
    });
  });

  it('sends from a Messaging Service when given one, and leaves out an absent status callback', async () => {
    const twilio = await fakeProvider([(res) => json(res, 201, { sid: 'SM1' })]);
    const service = 'MG0123456789abcdef0123456789abcdef';
    await sendTwilioSms({ apiBase: twilio.base, accountSid: SID, authToken: AUTH, from: service }, '+447700900123', 'hi');
    expect(Object.fromEntries(new URLSearchParams(twilio.seen[0]?.body))).toEqual({ To: '+447700900123', Body: 'hi', MessagingServiceSid: service });
  });

  it("reports Twilio's refusal as permanent in its own words, and 429 as temporary", async () => {
    const twilio = await fakeProvider([
      (res) => json(res, 400, { code: 21211, message: "The 'To' number +44123 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }),
      (res) => json(res, 429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'retry-after': '1' }),
      (res) => json(res, 201, { sid: 'SM2' }),
    ]);
    const sender = { apiBase: twilio.base, accountSid: SID, authToken: AUTH, from: '+447700900999' };
    expect(await sendTwilioSms(sender, '+44123', 'x')).toEqual({
      ok: false,
      temporary: false,
      reason: "Twilio refused the message (HTTP 400, code 21211): The 'To' number +44123 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)",
    });
    expect(await sendTwilioSms(sender, '+447700900123', 'x')).toMatchObject({ ok: false, temporary: true, retryAfterMs: 1000 });
    expect(await sendTwilioSms(sender, '+447700900123', 'x')).toEqual({ ok: true, providerId: 'SM2' });
  });

  it('never puts the auth token or the Basic credentials in a reason', async () => {
    const twilio = await fakeProvider([(res, seen) => json(res, 401, { code: 20003, message: `Authenticate (${seen.headers.authorization})` })]);
    const result = await sendTwilioSms({ apiBase: twilio.base, accountSid: SID, authToken: AUTH, from: '+447700900999' }, '+447700900123', 'x');
    const basic = Buffer.from(`${SID}:${AUTH}`).toString('base64');
    expect(result).toMatchObject({ ok: false, temporary: false });
    expect(JSON.stringify(result)).not.toContain(basic);
    expect(JSON.stringify(result)).not.toContain(AUTH);
  });
});
