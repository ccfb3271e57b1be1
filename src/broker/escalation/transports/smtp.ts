// Sends through an SMTP relay with nodemailer. The server's reply code decides what a failure is:
// 4xx "try again later" and lost connections are temporary, 5xx refusals are permanent, and so is a
// certificate the relay cannot be trusted with (retrying will not change it).
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailConfig } from './config.js';
import { mailOptions } from './message.js';
import { redact } from '../../redact.js';
import { badReference, REFERENCE, type EmailTransport, type OutgoingEmail } from './types.js';
import type { SendResult } from '../../send-result.js';

type SmtpConfig = Extract<MailConfig, { transport: 'smtp' }>;

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const CERTIFICATE = /certificate|self[- ]signed|CERT_|unable to verify|wrong version number|handshake/i;

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

export function classifySmtpError(err: unknown, secrets: readonly string[] = []): SendResult {
  const e = (err ?? {}) as SmtpError;
  const clean = (s: string) => redact(s, secrets);
  if (typeof e.responseCode === 'number') {
    const words = clean(e.response ?? e.message ?? '');
    const at = e.command ? ` to ${e.command.split(' ')[0]}` : '';
    const temporary = e.responseCode >= 400 && e.responseCode < 500;
    return { ok: false, temporary, reason: `SMTP server answered ${e.responseCode}${at}: ${words}` };
  }
  const message = clean(e.message ?? String(err));
  if (e.code === 'ETLS' || CERTIFICATE.test(message)) {
    return { ok: false, temporary: false, reason: `TLS with the SMTP server failed (${message}); check COURTDESK_SMTP_SECURE, the port and COURTDESK_SMTP_CA_FILE` };
  }
  if (e.code === 'EAUTH') return { ok: false, temporary: false, reason: `SMTP login failed: ${message}` };
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return { ok: false, temporary: true, reason: `could not reach the SMTP server: ${message}` };
  // Unknown trouble is retried: the delivery queue gives up after its own limit.
  return { ok: false, temporary: true, reason: `sending by SMTP failed: ${message}` };
}

export function createSmtpTransport(config: SmtpConfig): EmailTransport {
  const secrets = config.password ? [config.password] : [];
  const settings: SMTPTransport.Options = {
    host: config.host,
    port: config.port,
    secure: config.secure === 'tls',
    requireTLS: config.secure === 'starttls',
    ignoreTLS: config.secure === 'none',
    ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    ...(config.caFile ? { tls: { ca: readFileSync(config.caFile, 'utf8') } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  };
  return {
    kind: 'smtp',
    async send(email: OutgoingEmail, signal?: AbortSignal): Promise<SendResult> {
      if (!REFERENCE.test(email.reference)) return badReference(email.reference);
      let options;
      try {
        options = mailOptions(email, config.from);
      } catch (err) {
        return { ok: false, temporary: false, reason: `could not build the email: ${(err as Error).message}` };
      }
      // nodemailer cannot abort a send, so each send gets its own transporter whose connection we
      // open (nodemailer's getSocket hook; it still does TLS, STARTTLS and the timeouts, the greeting
      // timeout covering the connect), and an abort destroys that connection: the send then fails at
      // once instead of keeping the process alive until its socket timeout.
      let socket: Socket | undefined;
      const transporter = nodemailer.createTransport({
        ...settings,
        getSocket: (_options, callback) => {
          if (signal?.aborted) return callback(new Error('the send was aborted'), false);
          socket = connect(config.port, config.host);
          callback(null, { connection: socket });
        },
      } satisfies SMTPTransport.Options);
      const abort = () => socket?.destroy(new Error('the send was aborted'));
      signal?.addEventListener('abort', abort);
      try {
        const info = await transporter.sendMail(options);
        if (info.rejected.length > 0) {
          return { ok: false, temporary: false, reason: `SMTP server refused ${redact(info.rejected.join(', '), secrets)}: ${redact(info.response, secrets)}` };
        }
        return { ok: true, providerId: info.messageId };
      } catch (err) {
        if (signal?.aborted) return { ok: false, temporary: true, reason: 'the send was aborted before the SMTP server answered' };
        return classifySmtpError(err, secrets);
      } finally {
        signal?.removeEventListener('abort', abort);
        transporter.close();
      }
    },
    async close() {},
  };
}
