// The access log over HTTP: GET /v1/access-log?enquiry=ID&agent=NAME&limit=N for roles that may
// read it, and the reason a reader gives for opening an enquiry (the X-Access-Reason header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_TEXT_LENGTH } from '../../protocol/frames.js';
import { readAccessLog } from '../access-log.js';
import type { BrokerCore } from '../core.js';
import type { TokenRecord } from '../tokens.js';
import { HttpError, requireCan, requireMethod, sendJson } from './respond.js';

export const ACCESS_LOG_PATH = '/v1/access-log';
const PARAMS = ['enquiry', 'agent', 'limit'];
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;

export interface AccessRoutesContext {
  core: BrokerCore;
  dataDir: string;
}

/** Handles the request if it is the access log; returns false when the path is not it. */
export async function handleAccessLog(ctx: AccessRoutesContext, caller: TokenRecord, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path !== ACCESS_LOG_PATH) return false;
  requireMethod(req, 'GET');
  requireCan(caller, 'read-access-log');
  const params = new URL(req.url ?? '/', 'http://broker').searchParams;
  for (const name of params.keys()) {
    if (!PARAMS.includes(name)) throw new HttpError(400, 'BAD_QUERY', `Unknown parameter "${name}"; the access log takes ${PARAMS.join(', ')}.`);
  }
  const log = await readAccessLog(ctx.dataDir, ctx.core.durableSeq, {
    enquiryId: params.get('enquiry') ?? undefined,
    by: params.get('agent') ?? undefined,
    limit: limitOf(params.get('limit')),
  });
  sendJson(res, 200, log);
  return true;
}

function limitOf(text: string | null): number {
  if (text === null) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) throw new HttpError(400, 'BAD_QUERY', `"limit" must be a whole number from 1 to ${MAX_LIMIT} (got "${text.slice(0, 20)}").`);
  return n;
}

/**
 * Why the reader opens the enquiry, from `X-Access-Reason`: percent-encoded UTF-8
 * (encodeURIComponent), since header bytes are not text. A header rather than `?reason=`,
 * because query strings end up in proxies' logs and a reason may name the person.
 */
export function accessReason(req: IncomingMessage): string | undefined {
  const raw = req.headers['x-access-reason'];
  if (raw === undefined) return undefined;
  let reason: string;
  try {
    reason = decodeURIComponent(Array.isArray(raw) ? raw.join(', ') : raw).trim();
  } catch {
    throw new HttpError(400, 'BAD_ACCESS_REASON', 'X-Access-Reason must be percent-encoded UTF-8 (encodeURIComponent); nothing was read.');
  }
  if (reason.length > MAX_TEXT_LENGTH) throw new HttpError(400, 'BAD_ACCESS_REASON', `X-Access-Reason is over ${MAX_TEXT_LENGTH} characters; say why more briefly.`);
  return reason === '' ? undefined : reason;
}
