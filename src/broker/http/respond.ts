// Small helpers every HTTP route uses: JSON replies, the error shape, and bounded body reading.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Role } from '../../domain/events.js';
import { can, forbiddenMessage, type Action } from '../../domain/permissions.js';
import { JOURNAL_RETRY_AFTER_SECONDS, JOURNAL_UNAVAILABLE } from '../../protocol/frames.js';
import type { JournalUnavailableError } from '../journal/store.js';

/** Largest request body accepted anywhere (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Refuses, with 403 FORBIDDEN, a caller whose role may not do `action` (domain/permissions.ts). */
export function requireCan(caller: { role: Role }, action: Action): void {
  if (!can(caller.role, action)) throw new HttpError(403, 'FORBIDDEN', forbiddenMessage(caller.role, action));
}

/** Refuses any method but `method` for this path (405, with `Allow`). */
export function requireMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Use ${method} for this path.`, { allow: method });
}

/** The 503 for a request the journal could not record: nothing of it was kept. */
export function journalUnavailable(err: JournalUnavailableError): HttpError {
  return new HttpError(503, JOURNAL_UNAVAILABLE, `${err.message} Nothing of this request was recorded; retry after ${JOURNAL_RETRY_AFTER_SECONDS} s.`, {
    'retry-after': String(JOURNAL_RETRY_AFTER_SECONDS),
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
}

/**
 * Reads the whole body, refusing more than `limit` bytes as soon as they arrive (413) rather
 * than after buffering them. The caller answers; the connection is closed on refusal so the
 * rest of an oversized upload is not read.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `The body is larger than ${limit / 1024} KiB. Send less text per request.`, {
    connection: 'close',
  });
}

/** Reads a JSON body, checking its content type and syntax. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the body as JSON with "Content-Type: application/json" (got "${type || 'none'}").`);
  }
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'The body is not valid JSON. Check quotes, commas and brackets.');
  }
}
