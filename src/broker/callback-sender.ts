// Replies for enquiries that arrived with a callbackUrl are POSTed there as signed JSON.
// Signature (docs/protocol.md): `X-Courtdesk-Signature: t=<unix seconds>,sha256=<hex>` where the
// hex is HMAC-SHA256 with the broker's callback secret over `<t>.<raw body>`; receivers recompute
// it, compare in constant time, and reject stale timestamps to stop replays.
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { retryAfterMs } from './provider-call.js';
import type { ReplySender } from './reply-delivery.js';

export function signCallback(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function callbackSender(secret: string, timeoutMs = 10_000): ReplySender {
  return async (enquiry, message, signal) => {
    const body = JSON.stringify({
      type: 'reply',
      enquiryId: enquiry.id,
      messageId: message.id,
      text: message.text,
      agent: message.agent,
      at: message.at,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await request(enquiry.callbackUrl!, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-courtdesk-signature': signCallback(secret, timestamp, body),
          'x-courtdesk-delivery': message.id,
        },
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
      const wait = retryAfterMs(res.headers['retry-after'], Date.now());
      return {
        ok: false,
        temporary: true,
        reason: `the callback URL answered HTTP ${res.statusCode}`,
        ...(wait ? { retryAfterMs: wait } : {}),
      };
    } catch (err) {
      return { ok: false, temporary: true, reason: `the callback URL could not be reached (${(err as Error).message})` };
    }
  };
}
