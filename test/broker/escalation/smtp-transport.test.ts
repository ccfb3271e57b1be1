import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailConfigFromEnv } from '../../../src/broker/escalation/transports/config.js';
import { createTransport } from '../../../src/broker/escalation/transports/index.js';
import { classifySmtpError } from '../../../src/broker/escalation/transports/smtp.js';
import type { EmailTransport, OutgoingEmail } from '../../../src/broker/escalation/transports/types.js';

interface Received {
  mail: ParsedMail;
  from: string;
  to: string[];
  user: unknown;
  secure: boolean;
}

const PASSWORD = 'correct horse battery staple';
let certDir: string;
let key: string;
let cert: string;

beforeAll(async () => {
  // A throwaway certificate for 127.0.0.1, trusted by the client through COURTDESK_SMTP_CA_FILE.
  certDir = await mkdtemp(join(tmpdir(), 'courtdesk-smtp-cert-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  key = await readFile(join(certDir, 'key.pem'), 'utf8');
  cert = await readFile(join(certDir, 'cert.pem'), 'utf8');
});
afterAll(async () => {
  await rm(certDir, { recursive: true, force: true });
});

const servers: SMTPServer[] = [];
const transports: EmailTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** A real SMTP server on a free port that parses whatever it is given. */
async function startServer(options: Partial<SMTPServerOptions>, onMail?: (r: Received) => Error | void) {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    ...options,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const r: Received = {
            mail,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((a) => a.address),
            user: session.user,
            secure: session.secure,
          };
          const refusal = onMail?.(r);
          if (refusal) return callback(refusal);
          received.push(r);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received };
}

function transportFor(env: Record<string, string>): EmailTransport {
  const t = createTransport(mailConfigFromEnv({ COURTDESK_MAIL_TRANSPORT: 'smtp', COURTDESK_MAIL_FROM: 'CTSC <ctsc@example.gov.uk>', COURTDESK_SMTP_HOST: '127.0.0.1', ...env }), { dataDir: '/nonexistent' });
  transports.push(t);
  return t;
}

function refusal(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

const email: OutgoingEmail = {
  to: 'enquiries.swansea.countycourt@justice.gov.uk',
  subject: 'BRYS – gwrandawiad o fewn 48 awr – achos 305JE126',
  text: 'Annwyl gydweithwyr,\n\nMae gan Siân wrandawiad yfory.\n',
  plain: 'Annwyl gydweithwyr,\n\nMae gan Siân wrandawiad yfory.\n',
  html: '<p>Annwyl gydweithwyr,</p><p>Mae gan Siân wrandawiad yfory.</p>',
  reference: 'ESC-7',
};

describe('SMTP transport', () => {
  it('delivers to a plain local relay without auth', async () => {
    const { port, received } = await startServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] });
    const result = await transportFor({ COURTDESK_SMTP_PORT: String(port), COURTDESK_SMTP_SECURE: 'none' }).send(email);
    expect(result).toEqual({ ok: true, providerId: '<ESC-7@example.gov.uk>' });
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.from).toBe('ctsc@example.gov.uk');
    expect(r.to).toEqual([email.to]);
    expect(r.user).toBeUndefined();
    expect(r.mail.subject).toBe(email.subject);
    expect(r.mail.text).toBe(email.text);
    expect(r.mail.html).toBe(email.html);
    expect(r.mail.messageId).toBe('<ESC-7@example.gov.uk>');
    expect(r.mail.headers.get('x-courtdesk-reference')).toBe('ESC-7');
    expect(r.mail.headers.has('x-unsent')).toBe(false);
  });

  for (const secure of ['starttls', 'tls'] as const) {
    it(`logs in over ${secure} and delivers`, async () => {
      const { port, received } = await startServer({
        secure: secure === 'tls',
        key,
        cert,
        onAuth(auth, _session, callback) {
          if (auth.username === 'courtdesk' && auth.password === PASSWORD) callback(null, { user: 'courtdesk' });
          else callback(new Error('Invalid username or password'));
        },
      });
      const result = await transportFor({
        COURTDESK_SMTP_PORT: String(port),
        COURTDESK_SMTP_SECURE: secure,
        COURTDESK_SMTP_USER: 'courtdesk',
        COURTDESK_SMTP_PASSWORD: PASSWORD,
        COURTDESK_SMTP_CA_FILE: join(certDir, 'cert.pem'),
      }).send(email);
      expect(result.ok).toBe(true);
      expect(received.map((r) => [r.user, r.secure, r.mail.subject])).toEqual([['courtdesk', true, email.subject]]);
    });
  }

  for (const secure of ['none', 'tls'] as const) {
    it(`ends a send at once when it is aborted, over ${secure === 'tls' ? 'TLS' : 'a plain connection'}, and closes its connection`, async () => {
      // A relay that takes the whole message and never answers: only an abort ends the send before its 60 s socket timeout.
      let arrived = false;
      let closed = false;
      const server = new SMTPServer({
        logger: false,
        secure: secure === 'tls',
        key,
        cert,
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        closeTimeout: 100,
        onData(stream) {
          stream.resume();
          stream.on('end', () => (arrived = true));
        },
        onClose: () => (closed = true),
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const transport = transportFor({
        COURTDESK_SMTP_PORT: String((server.server.address() as AddressInfo).port),
        COURTDESK_SMTP_SECURE: secure,
        COURTDESK_SMTP_CA_FILE: join(certDir, 'cert.pem'),
      });
      const abort = new AbortController();
      const sending = transport.send(email, abort.signal);
      await expect.poll(() => arrived).toBe(true);

      const begun = Date.now();
      abort.abort();
      expect(await sending).toEqual({ ok: false, temporary: true, reason: expect.stringMatching(/aborted/) });
      expect(Date.now() - begun).toBeLessThan(500);
      await expect.poll(() => closed, { timeout: 1000 }).toBe(true);
    });
  }

  it('reports a refused login as permanent, without the password', async () => {
    const { port, received } = await startServer({
      key,
      cert,
      onAuth(_auth, _session, callback) {
        callback(new Error(`Invalid username or password ${PASSWORD}`));
      },
    });
    const result = await transportFor({
      COURTDESK_SMTP_PORT: String(port),
      COURTDESK_SMTP_USER: 'courtdesk',
      COURTDESK_SMTP_PASSWORD: PASSWORD,
      COURTDESK_SMTP_CA_FILE: join(certDir, 'cert.pem'),
    }).send(email);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.temporary).toBe(false);
    expect(result.reason).toMatch(/535/);
    expect(result.reason).not.toContain(PASSWORD);
    expect(result.reason).toContain('[redacted]');
    expect(received).toEqual([]);
  });

  it('classifies a 4xx from the server as temporary and a 5xx as permanent', async () => {
    let answer: Error | undefined = refusal(451, 'Requested action aborted: local error, try again later');
    const { port, received } = await startServer({ authOptional: true, disabledCommands: ['STARTTLS'] }, () => answer);
    const transport = transportFor({ COURTDESK_SMTP_PORT: String(port), COURTDESK_SMTP_SECURE: 'none' });

    const busy = await transport.send(email);
    expect(busy).toEqual({ ok: false, temporary: true, reason: expect.stringMatching(/^SMTP server answered 451 to DATA: .*try again later/) });

    answer = refusal(550, 'Mailbox unavailable');
    const refused = await transport.send(email);
    expect(refused).toEqual({ ok: false, temporary: false, reason: expect.stringMatching(/^SMTP server answered 550 .*Mailbox unavailable/) });

    answer = undefined;
    expect((await transport.send(email)).ok).toBe(true);
    expect(received).toHaveLength(1);
  });

  it('classifies a recipient refused with 4xx as temporary', async () => {
    const { port } = await startServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(_address, _session, callback) {
        callback(refusal(452, 'Too many recipients this hour'));
      },
    });
    const result = await transportFor({ COURTDESK_SMTP_PORT: String(port), COURTDESK_SMTP_SECURE: 'none' }).send(email);
    expect(result.ok === false && result.temporary).toBe(true);
    expect(result.ok === false && result.reason).toMatch(/452/);
  });

  it('reports a server that is not there as temporary', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await transportFor({ COURTDESK_SMTP_PORT: String(port), COURTDESK_SMTP_SECURE: 'none' }).send(email);
    expect(result).toEqual({ ok: false, temporary: true, reason: expect.stringMatching(/could not reach the SMTP server/) });
  });

  it('reports a certificate it cannot trust as permanent', async () => {
    const { port } = await startServer({ key, cert, authOptional: true });
    const result = await transportFor({ COURTDESK_SMTP_PORT: String(port), COURTDESK_SMTP_SECURE: 'starttls' }).send(email);
    expect(result.ok === false && result.temporary).toBe(false);
    expect(result.ok === false && result.reason).toMatch(/TLS with the SMTP server failed/);
  });

  it('refuses to send in the clear when STARTTLS is required but not offered', async () => {
    const { port, received } = await startServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
    const result = await transportFor({ COURTDESK_SMTP_PORT: String(port) }).send(email);
    expect(result).toEqual({ ok: false, temporary: false, reason: expect.stringMatching(/STARTTLS/) });
    expect(received).toEqual([]);
  });
});

describe('classifySmtpError', () => {
  it('keeps secrets out of every reason', () => {
    const r = classifySmtpError(Object.assign(new Error('boom s3cret!'), { code: 'ECONNECTION' }), ['s3cret!']);
    expect(r).toEqual({ ok: false, temporary: true, reason: 'could not reach the SMTP server: boom [redacted]' });
  });
});
