// What every sender reports: a reply to a customer (WhatsApp, SMS, a callback URL) or an email to
// a court (outbox, SMTP, GOV.UK Notify). The delivery workers read only this, whatever carried it.

/**
 * `providerId`: the carrier's id for what it accepted (WhatsApp wamid, Twilio MessageSid, Notify
 * id, SMTP Message-ID, outbox file), which receipts name. A temporary failure is worth retrying,
 * after `retryAfterMs` when the provider asked for it; a permanent one is not, and its `reason` is
 * shown to agents. Reasons never contain secrets.
 */
export type SendResult =
  | { ok: true; providerId?: string }
  | { ok: false; temporary: boolean; reason: string; retryAfterMs?: number };
