// HTTP intake: channels and web forms post enquiries and follow-ups here; adapters read them back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Enquiry, State } from '../../domain/enquiry.js';
import type { CourtdeskEvent } from '../../domain/events.js';
import { guessLanguage } from '../../domain/language.js';
import { queuePosition } from '../../domain/queue.js';
import type { Acknowledger } from '../acknowledgements.js';
import { parseFollowUp, parseNewEnquiry } from '../../protocol/intake.js';
import type { BrokerCore } from '../core.js';
import { newEnquiryId, newMessageId } from '../ids.js';
import type { RateLimiter } from '../rate-limit.js';
import type { TokenRecord } from '../tokens.js';
import { can } from '../../domain/permissions.js';
import { recordAccess } from '../access-log.js';
import { accessReason } from './access-routes.js';
import { HttpError, readJson, requireCan, requireMethod, sendJson } from './respond.js';

export interface IntakeContext {
  core: BrokerCore;
  limiter: RateLimiter;
  /** The wait estimate, and the acknowledgement recorded with each new enquiry. */
  acknowledger: Acknowledger;
}

const ENQUIRY_PATH = /^\/v1\/enquiries\/([A-Za-z0-9_-]{1,64})$/;
const MESSAGES_PATH = /^\/v1\/enquiries\/([A-Za-z0-9_-]{1,64})\/messages$/;

/** Handles the request if it is an intake route; returns false when the path is not one. */
export async function handleIntake(ctx: IntakeContext, caller: TokenRecord, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path === '/v1/enquiries') {
    requireMethod(req, 'POST');
    requireCan(caller, 'post-enquiry');
    await postEnquiry(ctx, caller, req, res);
    return true;
  }
  const messages = MESSAGES_PATH.exec(path);
  if (messages) {
    requireMethod(req, 'POST');
    requireCan(caller, 'post-message');
    await postFollowUp(ctx, caller, messages[1]!, req, res);
    return true;
  }
  const one = ENQUIRY_PATH.exec(path);
  if (one) {
    requireMethod(req, 'GET');
    requireCan(caller, 'read-enquiry');
    const reason = accessReason(req);
    const id = findEnquiry(ctx.core.state, one[1]!).id;
    // Intake tokens are customer-facing adapters reading their own enquiry: a read all the same.
    await recordAccess(ctx.core, { enquiryId: id, by: caller.name, role: caller.role, via: 'api', reason });
    const enquiry = findEnquiry(ctx.core.state, id);
    // Shown only once durable: a write that fails is taken back, and nobody may have seen it.
    await ctx.core.durableThrough(ctx.core.state.seq);
    sendJson(res, 200, publicView(enquiry, caller));
    return true;
  }
  return false;
}

async function postEnquiry(ctx: IntakeContext, caller: TokenRecord, req: IncomingMessage, res: ServerResponse): Promise<void> {
  limit(ctx, caller);
  const body = await readJson(req);
  const parsed = parseNewEnquiry(body);
  if (!parsed.ok) throw new HttpError(400, 'INVALID_ENQUIRY', parsed.message);
  const key = idempotencyKey(req);
  const { value } = parsed;
  const language = value.language ?? guessLanguage(value.text);
  const messageId = newMessageId();
  let seen: string | undefined;
  let enquiryId = '';
  // Decided inside the journal's transaction on a shared journal: another node's record with the same key is folded by then.
  const records = await ctx.core.recordDecided(() => {
    const state = ctx.core.state;
    seen = key ? state.idempotencyKeys.get(`${caller.name}\u0000${key}`) : undefined;
    if (seen) return [];
    enquiryId = uniqueEnquiryId(state);
    const event: CourtdeskEvent = {
      type: 'enquiry.received',
      enquiryId,
      messageId,
      channel: value.channel,
      from: value.from,
      name: value.name,
      text: value.text,
      language,
      callbackUrl: value.callbackUrl,
      ...(key ? { idempotencyKey: key } : {}),
      ...(value.priority ? { priority: value.priority } : {}),
    };
    return ctx.acknowledger.withAcknowledgements(state, [event], { kind: 'intake', name: caller.name });
  });
  if (seen) {
    // The first request's events may still be on their way to disk: answer only once they are there.
    await ctx.core.flush();
    sendJson(res, 201, placeInQueue(ctx, seen));
    return;
  }
  // The answer says what the acknowledgement told the court user, when there was one.
  const ack = records.find((r) => r.event.type === 'enquiry.acknowledged')?.event;
  if (ack?.type === 'enquiry.acknowledged') sendJson(res, 201, { id: enquiryId, position: ack.position, estimatedWaitSeconds: ack.estimatedWaitSeconds });
  else sendJson(res, 201, placeInQueue(ctx, enquiryId, true));
}

async function postFollowUp(ctx: IntakeContext, caller: TokenRecord, enquiryId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  limit(ctx, caller);
  findEnquiry(ctx.core.state, enquiryId); // 404 before the body is read
  const body = await readJson(req);
  const parsed = parseFollowUp(body);
  if (!parsed.ok) throw new HttpError(400, 'INVALID_MESSAGE', parsed.message);
  const key = idempotencyKey(req);
  const messageId = newMessageId();
  const actor = { kind: 'intake' as const, name: caller.name };
  let seen = false;
  // Decided inside the journal's transaction on a shared journal: another node's record with the same key is folded by then.
  await ctx.core.recordDecided(() => {
    seen = !!key && ctx.core.state.idempotencyKeys.has(`${caller.name}\u0000${key}`);
    if (seen) return [];
    const events: CourtdeskEvent[] = [];
    // A customer writing again about a closed enquiry reopens it rather than starting a new thread.
    if (findEnquiry(ctx.core.state, enquiryId).status === 'closed') events.push({ type: 'enquiry.reopened', enquiryId });
    events.push({ type: 'enquiry.message', enquiryId, messageId, text: parsed.value.text, ...(key ? { idempotencyKey: key } : {}) });
    return events.map((event) => ({ actor, event }));
  });
  if (seen) {
    await ctx.core.flush();
    const current = findEnquiry(ctx.core.state, enquiryId);
    const last = [...current.messages].reverse().find((m) => m.author === 'customer');
    sendJson(res, 201, { messageId: last?.id ?? null, ...placeInQueue(ctx, enquiryId) });
    return;
  }
  sendJson(res, 201, { messageId, ...placeInQueue(ctx, enquiryId) });
}

/**
 * Where the enquiry stands in line. A new enquiry (unless urgent) is the newest in line (journal times only move
 * forward), so its place is the line's length: no scan of a queue that may be 100,000 long.
 */
function placeInQueue(ctx: IntakeContext, enquiryId: string, justArrived = false): { id: string; position: number | null; estimatedWaitSeconds: number | null } {
  const { state } = ctx.core;
  // An urgent one goes ahead of the rest, so only it needs the scan.
  const position = justArrived && state.queued.has(enquiryId) && !state.enquiries.get(enquiryId)?.urgent ? state.queued.size : queuePosition(state, enquiryId);
  return {
    id: enquiryId,
    position,
    estimatedWaitSeconds: position === null ? null : ctx.acknowledger.estimate(state.enquiries.get(enquiryId)!.language, position),
  };
}

/** The enquiry as the caller may read it: internal notes only for roles that may see them (never customer-facing intake). */
function publicView(e: Enquiry, caller: TokenRecord): Omit<Enquiry, 'messagesLoaded'> {
  const { messagesLoaded: _loaded, ...rest } = e;
  return can(caller.role, 'read-notes') ? rest : { ...rest, messages: e.messages.filter((m) => m.author !== 'note') };
}

function findEnquiry(state: State, id: string): Enquiry {
  const enquiry = state.enquiries.get(id);
  if (!enquiry) throw new HttpError(404, 'NOT_FOUND', `No enquiry has the id "${id}". Check the id returned when it was created.`);
  return enquiry;
}

function uniqueEnquiryId(state: State): string {
  let id = newEnquiryId();
  while (state.enquiries.has(id)) id = newEnquiryId();
  return id;
}

function idempotencyKey(req: IncomingMessage): string | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200) {
    throw new HttpError(400, 'BAD_IDEMPOTENCY_KEY', 'The Idempotency-Key header must be 1 to 200 characters; use a UUID per logical request.');
  }
  return key;
}

function limit(ctx: IntakeContext, caller: TokenRecord): void {
  const waitSeconds = ctx.limiter.take(caller.name);
  if (waitSeconds > 0) {
    throw new HttpError(429, 'RATE_LIMITED', `Too many requests for the token "${caller.name}". Retry after ${waitSeconds} s.`, {
      'retry-after': String(waitSeconds),
    });
  }
}
