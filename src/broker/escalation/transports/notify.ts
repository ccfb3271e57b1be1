// Sends through the GOV.UK Notify email API. Notify formats emails from its own templates, so one
// Notify template, whose subject is ((subject)) and body is ((body)), carries every courtdesk email:
// the rendered subject and text version go in as personalisation (Notify applies its markdown to
// the text, which is why citizen text in it is escaped). Auth is a short-lived HS256 JWT per request.
import { createHmac } from 'node:crypto';
import { parseNotifyApiKey, type MailConfig } from './config.js';
import { callProvider, field } from '../../provider-call.js';
import { badReference, REFERENCE, type EmailTransport, type OutgoingEmail } from './types.js';
import type { SendResult } from '../../send-result.js';

type NotifyConfig = Extract<MailConfig, { transport: 'notify' }>;

/** The JWT Notify expects: header {typ, alg: HS256}, claims iss = service id and iat = now (seconds). */
export function notifyToken(serviceId: string, secret: string, nowMs = Date.now()): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: serviceId, iat: Math.floor(nowMs / 1000) })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Notify's own words for a refusal: each of `errors[]` as "error: message". */
function notifyError(json: unknown): { message: string } | undefined {
  const errors = field(json, 'errors');
  if (!Array.isArray(errors)) return undefined;
  const messages = errors
    .map((e) => [field(e, 'error'), field(e, 'message')].filter((part) => typeof part === 'string' && part !== '').join(': '))
    .filter((m) => m !== '');
  return messages.length > 0 ? { message: messages.join('; ') } : undefined;
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
      return callProvider(
        {
          provider: 'Notify',
          url,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${notifyToken(key.serviceId, key.secret, now())}`,
            'user-agent': 'courtdesk',
          },
          body,
          secrets,
          readId: (json) => {
            const id = field(json, 'id');
            return typeof id === 'string' && id !== '' ? id : undefined;
          },
          // Notify accepted it; an answer we cannot read does not unsend the email.
          sentWithoutId: true,
          readError: notifyError,
          signal,
        },
        now,
      );
    },
    async close() {},
  };
}
