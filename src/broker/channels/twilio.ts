// Twilio SMS inbound: the X-Twilio-Signature check and turning its form posts (inbound messages
// and status callbacks) into InboundMessage and StatusUpdate.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { shown } from '../../protocol/shown.js';
import {
  MAX_WEBHOOK_BODY_BYTES,
  type InboundMessage,
  type Parsed,
  type ReceiptState,
  type StatusUpdate,
  type WebhookRejection,
} from './types.js';

/** Form parameters as Twilio signs them; a name that appears more than once carries a list. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * base64 HMAC-SHA1, keyed with the auth token, of the full URL Twilio called (scheme, host,
 * path and query) followed by every POST parameter as name+value, names in case-sensitive
 * byte order (and a repeated name's values sorted, as Twilio's own libraries do).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] ?? '';
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Constant-time check of `X-Twilio-Signature`; false for a missing, repeated or malformed header. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string' || authToken === '') return false;
  // Compared as text, so a signature with its padding cut off or junk added does not pass.
  const given = Buffer.from(header, 'utf8');
  const expected = Buffer.from(twilioSignature(authToken, url, params), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The form as Twilio signs it: repeated names keep all their values. */
export function twilioParams(form: URLSearchParams): TwilioParams {
  // fromEntries defines each name as an own property: assigning params["__proto__"] would drop it from the signature.
  return Object.fromEntries(
    [...new Set(form.keys())].map((name) => {
      const values = form.getAll(name);
      return [name, values.length === 1 ? (values[0] as string) : values];
    }),
  );
}

/**
 * The URL Twilio signed: the public base the operator configured (where Twilio reaches us, which
 * the broker cannot see behind a proxy) plus the path and query the request arrived on.
 */
export function publicWebhookUrl(publicUrl: string, pathAndQuery: string): string {
  return publicUrl.replace(/\/+$/, '') + pathAndQuery;
}

/** Twilio wants TwiML back from an inbound-message webhook; this one says "send nothing". */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const MAX_MEDIA = 10;

/** An inbound SMS or MMS. Twilio gives no send time, so `now` (when it reached us) stands in. */
export function parseTwilioInbound(form: URLSearchParams, now: Date = new Date()): Parsed<InboundMessage> {
  const from = form.get('From') ?? '';
  const sid = form.get('MessageSid') ?? form.get('SmsMessageSid') ?? '';
  if (from === '' || sid === '') {
    return { ok: false, problem: `the form has no ${from === '' ? 'From' : 'MessageSid'}; is this a Twilio messaging webhook?` };
  }
  const body = form.get('Body') ?? '';
  const media = Number(form.get('NumMedia') ?? '0');
  // Twilio sends at most 10 attachments; a larger count must not size an array (1e10 threw).
  const base = { channel: 'sms' as const, from, name: null, externalId: sid, at: now.toISOString() };
  if (Number.isInteger(media) && media > 0) {
    const types = [...Array(Math.min(media, MAX_MEDIA)).keys()].map((i) => form.get(`MediaContentType${i}`)).filter((t) => t !== null && t !== '');
    const what = `${media} attachment${media === 1 ? '' : 's'}${types.length > 0 ? ` (${types.join(', ')})` : ''}`;
    const placeholder = `[Picture message (MMS) with ${what} — open the Twilio console to view it]`;
    return { ok: true, value: { ...base, text: body !== '' ? `${placeholder} text: ${body}` : placeholder, unsupported: 'mms' } };
  }
  return { ok: true, value: { ...base, text: body } };
}

const STATES: Record<string, ReceiptState> = {
  // Twilio has accepted it: as far as the agent is concerned it has left us.
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Codes an agent meets most; the rest are named by number with a pointer to Twilio's list. */
const ERRORS: Record<string, string> = {
  '21610': 'the recipient has replied STOP and unsubscribed from this number',
  '21614': 'the number is not a mobile number',
  '30003': 'unreachable handset (switched off or out of coverage)',
  '30004': 'message blocked by the recipient or their network',
  '30005': 'unknown number: the handset does not exist',
  '30006': 'landline or unreachable carrier',
  '30007': 'filtered by the carrier as spam',
  '30008': 'unknown error from the carrier',
};

/** A status callback on `POST /v1/channels/sms/status` for one of our sent messages. */
export function parseTwilioStatus(form: URLSearchParams, now: Date = new Date()): Parsed<StatusUpdate> {
  const sid = form.get('MessageSid') ?? form.get('SmsSid') ?? '';
  const status = form.get('MessageStatus') ?? form.get('SmsStatus') ?? '';
  if (sid === '') return { ok: false, problem: 'the form has no MessageSid; is this a Twilio status callback?' };
  const state = Object.hasOwn(STATES, status) ? STATES[status] : undefined;
  if (state === undefined) {
    return { ok: false, problem: `MessageStatus ${shown(status)} is not a status courtdesk knows` };
  }
  const code = form.get('ErrorCode') ?? '';
  const update: StatusUpdate = { channel: 'sms', externalId: sid, state, at: now.toISOString() };
  if (state === 'failed') {
    const known = Object.hasOwn(ERRORS, code) ? ERRORS[code] : undefined;
    update.error = code === ''
      ? `${status}: Twilio gave no error code`
      : `${code}: ${known ?? `see https://www.twilio.com/docs/api/errors/${code}`}`;
  }
  return { ok: true, value: update };
}

export type TwilioWebhookRead = WebhookRejection | { ok: true; form: URLSearchParams };

/**
 * Everything the Twilio routes do before parsing: size, then the signature over `url` (build it
 * with `publicWebhookUrl`). On `ok: true` hand the form to parseTwilioInbound or parseTwilioStatus.
 */
export function readTwilioWebhook(
  rawBody: Buffer,
  signatureHeader: string | string[] | undefined,
  url: string,
  authToken: string,
): TwilioWebhookRead {
  if (rawBody.length > MAX_WEBHOOK_BODY_BYTES) {
    return { ok: false, status: 413, error: { code: 'BODY_TOO_LARGE', message: `webhook bodies over ${MAX_WEBHOOK_BODY_BYTES} bytes are refused` } };
  }
  const form = new URLSearchParams(rawBody.toString('utf8'));
  if (!verifyTwilioSignature(authToken, url, twilioParams(form), signatureHeader)) {
    const message = signatureHeader === undefined
      ? 'X-Twilio-Signature is missing'
      : 'X-Twilio-Signature does not match (check COURTDESK_TWILIO_AUTH_TOKEN, and that COURTDESK_PUBLIC_URL is the URL Twilio calls)';
    return { ok: false, status: 401, error: { code: 'BAD_SIGNATURE', message } };
  }
  return { ok: true, form };
}
