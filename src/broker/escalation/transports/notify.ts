// Sends through the GOV.UK Notify email API. Notify formats emails from its own templates, so one
// Notify template, whose subject is ((subject)) and body is ((body)), carries every courtdesk email:
// the rendered subject and text version go in as personalisation (Notify applies its markdown to
// the text, which is why citizen text in it is escaped). Auth is a short-lived HS256 JWT per request.
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { parseNotifyApiKey, type MailConfig } from './config.js';
import { redact } from '../../redact.js';
import { badReference, REFERENCE, type EmailTransport, type OutgoingEmail } from './types.js';
import type { SendResult } from '../../send-result.js';

type NotifyConfig = Extract<MailConfig, { transport: 'notify' }>;

const TIMEOUT_MS = 30_000;

/** The JWT Notify expects: header {typ, alg: HS256}, claims iss = service id and iat = now (seconds). */
export function notifyToken(serviceId: string, secret: string, nowMs = Date.now()): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: serviceId, iat: Math.floor(nowMs / 1000) })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function notifyMessages(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { errors?: { error?: string; message?: string }[] };
    const messages = (json.errors ?? []).map((e) => [e.error, e.message].filter(Boolean).join(': ')).filter(Boolean);
    return messages.length > 0 ? messages.join('; ') : undefined;
  } catch {
    return undefined;
  }
}

export function createNotifyTransport(config: NotifyConfig, now: () => number = Date.now): EmailTransport {
  const key = parseNotifyApiKey(config.apiKey);
  if (!key) throw new Error('COURTDESK_NOTIFY_API_KEY does not look like a Notify API key');
  const secrets = [config.apiKey, key.secret];
  const url = `${config.baseUrl}/v2/notifications/email`;
  return {
    kind: 'notify',
    async send(email: OutgoingEmail, signal?: AbortSignal): Promise<SendResult> {
      if (!REFERENCE.test(email.reference)) return badReference(email.reference);
      const body = JSON.stringify({
        email_address: email.to,
        template_id: config.templateId,
        personalisation: { subject: email.subject, body: email.text },
        reference: email.reference,
        ...(config.replyToId ? { email_reply_to_id: config.replyToId } : {}),
      });
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let text: string;
      try {
        const res = await request(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${notifyToken(key.serviceId, key.secret, now())}`,
            'user-agent': 'courtdesk',
          },
          body,
          signal,
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const message = err instanceof Error ? err.message : String(err);
        const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
        return { ok: false, temporary: true, reason: `could not reach Notify at ${config.baseUrl}: ${redact(detail, secrets)}` };
      }

      if (status >= 200 && status < 300) {
        try {
          const id = (JSON.parse(text) as { id?: unknown }).id;
          return typeof id === 'string' ? { ok: true, providerId: id } : { ok: true };
        } catch {
          // Notify accepted it; a body we cannot read does not unsend the email.
          return { ok: true };
        }
      }
      const words = redact(notifyMessages(text) ?? text, secrets);
      const reason = `Notify answered ${status}: ${words || 'no details'}`;
      if (status === 429 || status >= 500) {
        const wait = retryAfterMs(headers['retry-after'], now());
        return { ok: false, temporary: true, reason, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
      }
      return { ok: false, temporary: false, reason };
    },
    async close() {},
  };
}
