// One HTTP call to the broker for the scripted commands that use its HTTP routes (send,
// access-log): the timeout, an unreachable broker, and reading the JSON answer or its error
// are said the same way by every one of them.
import { request } from 'undici';
import { cleanLine } from '../workbench/text.js';
import { seconds, unreachable } from './broker-session.js';
import { EXIT, ExitError } from './script-io.js';

export interface BrokerAnswer {
  status: number;
  json: unknown;
  /** The broker's error code and message, or HTTP_<status> and a plain sentence when it sent none. */
  code: string;
  message: string;
  /** The Retry-After header, when the broker sent one. */
  retryAfter: string | undefined;
}

export async function callBroker(
  url: string,
  broker: string,
  init: { method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<BrokerAnswer> {
  let res;
  try {
    res = await request(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new ExitError(EXIT.unreachable, `the broker at ${broker} did not answer within ${seconds(timeoutMs)} — check the URL and that it is running, or raise --timeout-ms`);
    }
    throw unreachable(broker, `${e.code ?? ''} ${e.message}`);
  }
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    status: res.statusCode,
    json,
    code: typeof error?.code === 'string' ? error.code : `HTTP_${res.statusCode}`,
    message: typeof error?.message === 'string' ? cleanLine(error.message) : `the broker answered HTTP ${res.statusCode}`,
    retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
  };
}
