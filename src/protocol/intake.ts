// Checks the JSON bodies channels POST to the broker (/v1/enquiries and /v1/enquiries/{id}/messages).
// The callers are other programs written by other people, so every refusal names the field, says
// what was wrong and what to send instead, and unknown fields are refused rather than ignored:
// a misspelt "langauge" silently dropped would route a Welsh speaker to the English queue.
import type { Channel, Language } from '../domain/events.js';
import { CHANNELS, LANGUAGES } from '../domain/events.js';
import { MAX_TEXT_LENGTH } from './frames.js';
import { shown } from './shown.js';

export const MAX_FROM_LENGTH = 200;
export const MAX_NAME_LENGTH = 200;
export const MAX_CALLBACK_URL_LENGTH = 2000;

export interface NewEnquiry {
  channel: Channel;
  /** The sender's address on the channel (phone number, email, web session); trimmed. */
  from: string;
  name: string | null;
  text: string;
  /** Null when the caller did not say; the broker then guesses from the text. */
  language: Language | null;
  callbackUrl: string | null;
  /** "urgent" ranks it ahead of the rest (domain/routing.ts); absent is normal. */
  priority: 'urgent' | null;
}

export interface FollowUp {
  text: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ENQUIRY_FIELDS = ['channel', 'from', 'name', 'text', 'language', 'callbackUrl', 'priority'];
const ENQUIRY_EXAMPLE = '{"channel":"web","from":"a.user@example.org","text":"When is my hearing?"}';
const FOLLOW_UP_EXAMPLE = '{"text":"Any news on my claim?"}';

export function parseNewEnquiry(value: unknown): Parsed<NewEnquiry> {
  const body = objectBody(value, ENQUIRY_FIELDS, ENQUIRY_EXAMPLE);
  if (typeof body === 'string') return refuse(body);

  const { channel, from, name, text, language, callbackUrl, priority } = body;
  if (channel === undefined) return refuse(`"channel" is missing; send one of ${list(CHANNELS)}.`);
  if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel)) {
    return refuse(`"channel" must be one of ${list(CHANNELS)}, not ${shown(channel)}.`);
  }

  if (from === undefined) return refuse('"from" is missing; send the sender\'s address on the channel, such as a phone number or email address.');
  if (typeof from !== 'string' || from.trim().length === 0) {
    return refuse(`"from" must be a non-empty string (the sender's phone number, email address or similar), not ${shown(from)}.`);
  }
  if (from.trim().length > MAX_FROM_LENGTH) return refuse(`"from" is ${from.trim().length} characters; send at most ${MAX_FROM_LENGTH}.`);

  let checkedName: string | null = null;
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') return refuse(`"name" must be a string or null, not ${shown(name)}.`);
    if (name.trim().length > MAX_NAME_LENGTH) return refuse(`"name" is ${name.trim().length} characters; send at most ${MAX_NAME_LENGTH}.`);
    checkedName = name.trim() || null;
  }

  const textProblem = checkText(text);
  if (textProblem) return refuse(textProblem);

  let checkedLanguage: Language | null = null;
  if (language !== undefined && language !== null) {
    if (typeof language !== 'string' || !(LANGUAGES as readonly string[]).includes(language)) {
      return refuse(`"language" must be ${list(LANGUAGES)} (English or Welsh), not ${shown(language)}; leave it out to have it guessed from the text.`);
    }
    checkedLanguage = language as Language;
  }

  let checkedUrl: string | null = null;
  if (callbackUrl !== undefined && callbackUrl !== null) {
    const problem = checkCallbackUrl(callbackUrl);
    if (problem) return refuse(problem);
    checkedUrl = (callbackUrl as string).trim();
  }

  if (priority !== undefined && priority !== null && priority !== 'urgent' && priority !== 'normal') {
    return refuse(`"priority" must be "urgent" or "normal", not ${shown(priority)}; leave it out for normal.`);
  }

  return {
    ok: true,
    value: {
      priority: priority === 'urgent' ? 'urgent' : null,
      channel: channel as Channel,
      from: from.trim(),
      name: checkedName,
      text: text as string,
      language: checkedLanguage,
      callbackUrl: checkedUrl,
    },
  };
}

export function parseFollowUp(value: unknown): Parsed<FollowUp> {
  const body = objectBody(value, ['text'], FOLLOW_UP_EXAMPLE);
  if (typeof body === 'string') return refuse(body);
  const problem = checkText(body.text);
  if (problem) return refuse(problem);
  return { ok: true, value: { text: body.text as string } };
}

/** The body as a record, or what is wrong with it. */
function objectBody(value: unknown, allowed: readonly string[], example: string): Record<string, unknown> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `The body must be a JSON object, not ${Array.isArray(value) ? 'an array' : shown(value)}; send for example ${example}.`;
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = allowed.find((field) => editDistance(field.toLowerCase(), key.toLowerCase()) <= Math.min(2, Math.max(1, Math.floor(field.length / 3))));
    const hint = near ? ` Did you mean "${near}"?` : '';
    return `Unknown field ${shown(key)}.${hint} The fields are ${allowed.map((f) => `"${f}"`).join(', ')}.`;
  }
  return value as Record<string, unknown>;
}

function checkText(text: unknown): string | null {
  if (text === undefined) return '"text" is missing; send the customer\'s message as a string.';
  if (typeof text !== 'string') return `"text" must be a string, not ${shown(text)}.`;
  if (text.trim().length === 0) return '"text" is blank; send the customer\'s message.';
  if (text.length > MAX_TEXT_LENGTH) {
    return `"text" is ${text.length} characters; send at most ${MAX_TEXT_LENGTH}, splitting a longer message into several.`;
  }
  return null;
}

function checkCallbackUrl(value: unknown): string | null {
  const expected = 'an absolute http:// or https:// URL such as https://channel.example.org/replies';
  if (typeof value !== 'string') return `"callbackUrl" must be ${expected}, not ${shown(value)}.`;
  const trimmed = value.trim();
  if (trimmed.length > MAX_CALLBACK_URL_LENGTH) return `"callbackUrl" is ${trimmed.length} characters; send at most ${MAX_CALLBACK_URL_LENGTH}.`;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return `"callbackUrl" must be ${expected}; ${shown(trimmed)} is not one.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"callbackUrl" must be ${expected}; "${url.protocol}" URLs are not accepted.`;
  }
  return null;
}

function refuse(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function list(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** Edit distance counting a swap of neighbours as one edit (how "langauge" happens), for "did you mean". */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, k) => k)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let k = 1; k <= b.length; k++) {
      const cost = a[i - 1] === b[k - 1] ? 0 : 1;
      let best = Math.min(at(rows, i - 1, k) + 1, (row[k - 1] ?? 0) + 1, at(rows, i - 1, k - 1) + cost);
      if (i > 1 && k > 1 && a[i - 1] === b[k - 2] && a[i - 2] === b[k - 1]) best = Math.min(best, at(rows, i - 2, k - 2) + 1);
      row[k] = best;
    }
    rows.push(row);
  }
  return at(rows, a.length, b.length);
}

function at(rows: number[][], i: number, k: number): number {
  return rows[i]?.[k] ?? 0;
}
