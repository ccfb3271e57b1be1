// One POST to a provider's HTTP API, read into a SendResult: what WhatsApp, Twilio and GOV.UK
// Notify sending share. Temporary means "the same request may well work later" (throttling,
// provider trouble, network); permanent means the provider looked at it and said no, which
// retrying will not change.
import { request } from 'undici';
import { redact } from './redact.js';
import type { SendResult } from './send-result.js';

const TIMEOUT_MS = 30_000;

export interface ProviderCall {
  provider: 'WhatsApp' | 'Twilio' | 'Notify';
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Values that must never appear in a reason (tokens), in any encoding, whatever the provider or network says. */
  secrets: string[];
  /** The provider's id for the accepted message in a 2xx body. */
  readId(json: unknown): string | undefined;
  /**
   * A 2xx without an id still counts as sent. Set where the id is kept only for reference (Notify);
   * without it such an answer fails for good, since receipts could never be matched to the message.
   */
  sentWithoutId?: true;
  /** The provider's own words for a refusal: "code …: message". */
  readError(json: unknown): { code?: string | number; message: string } | undefined;
  /** Provider error codes that mean "slow down" or "try later" even when sent with a 4xx. */
  temporaryCodes?: ReadonlySet<string>;
  /** Aborts the request (the broker is stopping). */
  signal?: AbortSignal;
}

export async function callProvider(call: ProviderCall, nowMs: () => number = Date.now): Promise<SendResult> {
  // What the provider or the network said is never kept as it came: see redact.
  const said = (s: string, max?: number): string => redact(s, call.secrets, max);
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    const res = await request(call.url, {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      signal: call.signal,
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
    return { ok: false, temporary: true, reason: `Could not reach ${call.provider} at ${new URL(call.url).origin}: ${said(detail)}` };
  }

  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const id = call.readId(json);
    if (id !== undefined) return { ok: true, providerId: id };
    if (call.sentWithoutId) return { ok: true };
    // Retrying could send it twice, so this is permanent: a person has to look.
    return {
      ok: false,
      temporary: false,
      reason: `${call.provider} answered HTTP ${status} without a message id; the message may have been sent, so it is not retried.`,
    };
  }

  const error = call.readError(json);
  const code = error?.code !== undefined ? String(error.code) : undefined;
  const shownCode = code !== undefined ? said(code, 40) : '';
  // A body that is not the provider's JSON (a proxy's page, say) is read without its tags.
  const words = said(error?.message ?? text.replace(/<[^>]*>/g, ' '));
  const reason = `${call.provider} refused the message (HTTP ${status}${shownCode !== '' ? `, code ${shownCode}` : ''})${words !== '' ? `: ${words}` : ''}`;
  const temporary = status === 408 || status === 429 || status >= 500 || (code !== undefined && call.temporaryCodes?.has(code) === true);
  const wait = temporary ? retryAfterMs(headers['retry-after'], nowMs()) : undefined;
  return { ok: false, temporary, reason, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A property of something parsed from JSON, without trusting its shape. */
export function field(v: unknown, name: string): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
}
