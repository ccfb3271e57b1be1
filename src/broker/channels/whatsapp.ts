// WhatsApp Cloud API inbound: the webhook's subscription check, its signature, and turning its
// payloads into InboundMessage and StatusUpdate. Nothing here records anything; the broker does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { whatsappReplyWindow } from '../../domain/whatsapp-window.js';
import { shown } from '../../protocol/shown.js';
import { safeEqual } from './safe-equal.js';
import {
  MAX_WEBHOOK_BODY_BYTES,
  type InboundMessage,
  type ReceiptState,
  type StatusUpdate,
  type WebhookRejection,
} from './types.js';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>` against the HMAC-SHA256 of the exact bytes received,
 * keyed with the Meta app secret. False for a missing, repeated or malformed header.
 */
export function verifyWhatsAppSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || appSecret === '') return false;
  const hex = SIGNATURE.exec(header.trim())?.[1];
  if (hex === undefined) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

export type SubscriptionAnswer = { status: 200; body: string } | { status: 403; body: string };

/**
 * Answers Meta's `GET` subscription check: `hub.mode=subscribe` with our verify token gets the
 * `hub.challenge` echoed back (send it as text/plain); anything else is 403.
 */
export function answerSubscription(query: URLSearchParams, verifyToken: string): SubscriptionAnswer {
  const token = query.get('hub.verify_token');
  const challenge = query.get('hub.challenge');
  if (query.get('hub.mode') !== 'subscribe') {
    return { status: 403, body: 'hub.mode must be "subscribe"' };
  }
  // The comparison runs even when nothing is configured, so timing says nothing about the setting.
  const tokenMatches = safeEqual(token ?? '', verifyToken);
  if (token === null || verifyToken === '' || !tokenMatches) {
    return { status: 403, body: 'hub.verify_token does not match COURTDESK_WHATSAPP_VERIFY_TOKEN' };
  }
  if (challenge === null || challenge === '') {
    return { status: 403, body: 'hub.challenge is missing' };
  }
  return { status: 200, body: challenge };
}

export interface WhatsAppWebhook {
  messages: InboundMessage[];
  statuses: StatusUpdate[];
  /** What was skipped or odd, for the broker's log (never contains message text). */
  problems: string[];
}

/**
 * Walks every entry, change, message and status of a webhook payload. Messages that are not
 * text keep a placeholder and an `unsupported` flag rather than being dropped; only items we
 * cannot key (no id or sender) are skipped, and each skip is named in `problems`.
 * `now` stands in for a missing or unreadable timestamp.
 */
export function parseWhatsAppWebhook(json: unknown, now: Date = new Date()): WhatsAppWebhook {
  const out: WhatsAppWebhook = { messages: [], statuses: [], problems: [] };
  if (!isRecord(json)) {
    out.problems.push('the payload is not a JSON object');
    return out;
  }
  if (json['object'] !== 'whatsapp_business_account') {
    out.problems.push(`"object" is ${shown(json['object'])}, not "whatsapp_business_account"; nothing read`);
    return out;
  }
  const entries = json['entry'];
  if (!Array.isArray(entries)) {
    out.problems.push('"entry" is not a list; nothing read');
    return out;
  }
  entries.forEach((entry, i) => {
    const changes = isRecord(entry) ? entry['changes'] : undefined;
    if (!Array.isArray(changes)) {
      out.problems.push(`entry[${i}] has no "changes" list`);
      return;
    }
    changes.forEach((change, j) => {
      const where = `entry[${i}].changes[${j}]`;
      if (!isRecord(change)) {
        out.problems.push(`${where} is not an object`);
        return;
      }
      if (change['field'] !== undefined && change['field'] !== 'messages') {
        out.problems.push(`${where}: field ${shown(change['field'])} is not about messages; ignored`);
        return;
      }
      if (!isRecord(change['value'])) {
        out.problems.push(`${where} has no "value" object`);
        return;
      }
      readValue(change['value'], `${where}.value`, now, out);
    });
  });
  return out;
}

function readValue(value: Record<string, unknown>, where: string, now: Date, out: WhatsAppWebhook): void {
  const names = new Map<string, string>();
  for (const contact of list(value['contacts'])) {
    const waId = isRecord(contact) ? text(contact['wa_id']) : undefined;
    const profile = isRecord(contact) ? contact['profile'] : undefined;
    const name = isRecord(profile) ? text(profile['name']) : undefined;
    if (waId !== undefined && name !== undefined) names.set(waId, name);
  }

  list(value['messages']).forEach((m, k) => {
    const at = `${where}.messages[${k}]`;
    if (!isRecord(m)) {
      out.problems.push(`${at} is not an object; skipped`);
      return;
    }
    const from = text(m['from']);
    const id = text(m['id']);
    if (from === undefined || id === undefined) {
      out.problems.push(`${at} has no ${from === undefined ? '"from"' : '"id"'}; skipped`);
      return;
    }
    const time = unixTime(m['timestamp']);
    if (time === undefined) out.problems.push(`${at} has no readable timestamp; using the time received`);
    const { body, unsupported } = describe(m);
    out.messages.push({
      channel: 'whatsapp',
      from,
      name: names.get(from) ?? null,
      text: body,
      externalId: id,
      at: (time ?? now).toISOString(),
      ...(unsupported !== undefined ? { unsupported } : {}),
    });
  });

  list(value['statuses']).forEach((s, k) => {
    const at = `${where}.statuses[${k}]`;
    if (!isRecord(s)) {
      out.problems.push(`${at} is not an object; skipped`);
      return;
    }
    const id = text(s['id']);
    const state = s['status'];
    if (id === undefined) {
      out.problems.push(`${at} has no "id"; skipped`);
      return;
    }
    if (!isReceiptState(state)) {
      out.problems.push(`${at}: status ${shown(state)} is not sent, delivered, read or failed; skipped`);
      return;
    }
    const time = unixTime(s['timestamp']);
    if (time === undefined) out.problems.push(`${at} has no readable timestamp; using the time received`);
    const error = state === 'failed' ? describeErrors(s['errors']) : undefined;
    out.statuses.push({
      channel: 'whatsapp',
      externalId: id,
      state,
      at: (time ?? now).toISOString(),
      ...(error !== undefined ? { error } : {}),
    });
  });

  for (const problem of list(value['errors'])) {
    out.problems.push(`${where}: WhatsApp reported ${describeErrors([problem]) ?? 'an unreadable error'}`);
  }
}

const VIEW = 'open WhatsApp Business to view it';

/** Text for the agent: the body of a text message, a placeholder (with what can be shown) for the rest. */
function describe(m: Record<string, unknown>): { body: string; unsupported?: string } {
  const type = text(m['type']) ?? 'unknown';
  // Object.hasOwn: a message whose type is "__proto__" or "constructor" has no such part.
  const own = Object.hasOwn(m, type) ? m[type] : undefined;
  const p: Record<string, unknown> = isRecord(own) ? own : {};
  const caption = text(p['caption']);
  const withCaption = (placeholder: string): string => (caption !== undefined ? `${placeholder} caption: ${caption}` : placeholder);

  if (type === 'text') {
    const body = text(p['body']);
    if (body !== undefined) return { body };
    return { body: `[An empty text message — ${VIEW}]`, unsupported: 'text' };
  }
  let body: string;
  switch (type) {
    case 'image':
      body = withCaption(`[Image received — ${VIEW}]`);
      break;
    case 'video':
      body = withCaption(`[Video received — ${VIEW}]`);
      break;
    case 'document': {
      const file = text(p['filename']);
      body = withCaption(`[Document received${file !== undefined ? ` (${file})` : ''} — ${VIEW}]`);
      break;
    }
    case 'audio':
      body = p['voice'] === true
        ? '[Voice message received — open WhatsApp Business to listen to it]'
        : '[Audio received — open WhatsApp Business to listen to it]';
      break;
    case 'sticker':
      body = `[Sticker received — ${VIEW}]`;
      break;
    case 'location': {
      const lat = typeof p['latitude'] === 'number' ? p['latitude'] : undefined;
      const lon = typeof p['longitude'] === 'number' ? p['longitude'] : undefined;
      const where = [text(p['name']), text(p['address']), lat !== undefined && lon !== undefined ? `(${lat}, ${lon})` : undefined]
        .filter((s) => s !== undefined)
        .join(' ');
      body = where !== '' ? `[Location shared: ${where}]` : `[Location shared — ${VIEW}]`;
      break;
    }
    case 'contacts': {
      const cards = list(m['contacts']).map((c) => {
        const name = isRecord(c) && isRecord(c['name']) ? text(c['name']['formatted_name']) : undefined;
        const phones = isRecord(c) ? list(c['phones']).map((ph) => (isRecord(ph) ? text(ph['phone']) : undefined)) : [];
        return [name, ...phones].filter((s) => s !== undefined).join(' ');
      });
      const shown = cards.filter((c) => c !== '').join('; ');
      body = shown !== '' ? `[Contact card shared: ${shown}]` : `[Contact card shared — ${VIEW}]`;
      break;
    }
    case 'interactive': {
      const button = isRecord(p['button_reply']) ? text(p['button_reply']['title']) : undefined;
      const row = isRecord(p['list_reply']) ? p['list_reply'] : undefined;
      const rowTitle = row !== undefined ? text(row['title']) : undefined;
      const rowDetail = row !== undefined ? text(row['description']) : undefined;
      if (button !== undefined) body = `[Button reply: ${button}]`;
      else if (rowTitle !== undefined) body = `[List choice: ${rowTitle}${rowDetail !== undefined ? ` — ${rowDetail}` : ''}]`;
      else body = `[Interactive reply — ${VIEW}]`;
      break;
    }
    case 'button': {
      const label = text(p['text']) ?? text(p['payload']);
      body = label !== undefined ? `[Button: ${label}]` : `[Button pressed — ${VIEW}]`;
      break;
    }
    case 'reaction': {
      const emoji = text(p['emoji']);
      body = emoji !== undefined ? `[Reacted ${emoji} to an earlier message]` : '[Removed a reaction from an earlier message]';
      break;
    }
    case 'system': {
      const notice = text(p['body']);
      body = notice !== undefined ? `[WhatsApp notice: ${notice}]` : `[WhatsApp notice — ${VIEW}]`;
      break;
    }
    default:
      body = `[A ${type} message courtdesk cannot show — ${VIEW}]`;
  }
  return { body, unsupported: type };
}

/** "131047: Re-engagement message — More than 24 hours have passed…" from WhatsApp's errors[]. */
function describeErrors(errors: unknown): string | undefined {
  const described = list(errors).flatMap((e) => {
    if (!isRecord(e)) return [];
    const code = typeof e['code'] === 'number' || typeof e['code'] === 'string' ? String(e['code']) : undefined;
    const title = text(e['title']) ?? text(e['message']);
    const details = isRecord(e['error_data']) ? text(e['error_data']['details']) : undefined;
    const words = [title, details !== title ? details : undefined].filter((s) => s !== undefined).join(' — ');
    const line = [code, words !== '' ? words : undefined].filter((s) => s !== undefined).join(': ');
    return line !== '' ? [line] : [];
  });
  if (described.length === 0) return undefined;
  // WhatsApp's words, but never a flood of them in a log line or a delivery reason.
  const all = described.join('; ').replace(/\s+/g, ' ');
  return all.length > ERROR_TEXT_LIMIT ? `${all.slice(0, ERROR_TEXT_LIMIT - 1)}…` : all;
}

/** Characters of WhatsApp's own error text kept. */
const ERROR_TEXT_LIMIT = 200;

export type ReplyWindow =
  | { open: true; closesAt: string }
  | { open: false; closedAt: string | null; reason: string };

/**
 * The domain's window rule (domain/whatsapp-window.ts) as the sender needs it: ISO times and the
 * reason a reply that waited (retries, a restart) is refused at sending time.
 */
export function replyWindowOpen(lastCustomerAt: string, now: Date): ReplyWindow {
  const window = whatsappReplyWindow(lastCustomerAt, now.getTime());
  if (window.open) return { open: true, closesAt: new Date(window.closesAt).toISOString() };
  if (window.closedAt === null) {
    return {
      open: false,
      closedAt: null,
      reason: 'Free text is refused: the time of the customer\'s last WhatsApp message is unknown, so the 24-hour reply window cannot be checked.',
    };
  }
  const closedAt = new Date(window.closedAt).toISOString();
  return {
    open: false,
    closedAt,
    reason:
      `Free text is refused: WhatsApp allows it only within 24 hours of the customer's last message, ` +
      `and that window closed at ${closedAt}. Wait for the customer to write again, or contact them another way.`,
  };
}

export type WhatsAppWebhookRead = WebhookRejection | ({ ok: true } & WhatsAppWebhook);

/**
 * Everything the `POST /v1/channels/whatsapp/webhook` route does before recording: size, signature
 * (before any parsing), JSON, payload. On `ok: true` record the messages and statuses, then answer 200.
 */
export function readWhatsAppWebhook(
  rawBody: Buffer,
  signatureHeader: string | string[] | undefined,
  appSecret: string,
  now: Date = new Date(),
): WhatsAppWebhookRead {
  if (rawBody.length > MAX_WEBHOOK_BODY_BYTES) {
    return { ok: false, status: 413, error: { code: 'BODY_TOO_LARGE', message: `webhook bodies over ${MAX_WEBHOOK_BODY_BYTES} bytes are refused` } };
  }
  if (!verifyWhatsAppSignature(rawBody, signatureHeader, appSecret)) {
    const message = signatureHeader === undefined
      ? 'X-Hub-Signature-256 is missing'
      : 'X-Hub-Signature-256 does not match the body (is COURTDESK_WHATSAPP_APP_SECRET the Meta app secret?)';
    return { ok: false, status: 401, error: { code: 'BAD_SIGNATURE', message } };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, status: 400, error: { code: 'BAD_JSON', message: 'the webhook body is not JSON' } };
  }
  return { ok: true, ...parseWhatsAppWebhook(json, now) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty string, or undefined. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function unixTime(v: unknown): Date | undefined {
  const seconds = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  // A finite number of seconds can still be past the last time a Date holds ("99999999999999999999" threw at toISOString).
  const time = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
  return time !== undefined && !Number.isNaN(time.getTime()) ? time : undefined;
}

function isReceiptState(v: unknown): v is ReceiptState {
  return v === 'sent' || v === 'delivered' || v === 'read' || v === 'failed';
}
