// A court's answer to an escalation, recorded by whatever reads the court's replies (a mailbox
// adapter, a form): POST /v1/escalations/{id}/answer {text} with an intake token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideEscalation } from '../../domain/decide-escalation.js';
import type { Enquiry } from '../../domain/enquiry.js';
import type { BrokerCore } from '../core.js';
import { newEscalationId, newMessageId } from '../ids.js';
import type { TokenRecord } from '../tokens.js';
import { HttpError, readJson, requireCan, sendJson } from './respond.js';

const ANSWER_PATH = /^\/v1\/escalations\/([A-Za-z0-9_-]{1,64})\/answer$/;

export async function handleEscalationAnswer(core: BrokerCore, caller: TokenRecord, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const match = ANSWER_PATH.exec(path);
  if (!match) return false;
  if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use POST for this path.', { allow: 'POST' });
  // Agents record answers on the websocket (answer-escalation); this route is for mailbox adapters.
  requireCan(caller, 'answer-escalation-by-mail');
  const escalationId = match[1]!;
  const enquiry = enquiryWithEscalation(core, escalationId);
  const body = await readJson(req);
  const text = (body as { text?: unknown } | null)?.text;
  if (typeof body !== 'object' || body === null || typeof text !== 'string') {
    throw new HttpError(400, 'INVALID_ANSWER', 'Send {"text": "..."} with what the court said.');
  }
  const decision = decideEscalation(enquiry, { type: 'answer-escalation', enquiryId: enquiry.id, escalationId, text }, {
    actor: { name: caller.name, role: caller.role },
    court: () => undefined,
    template: () => undefined,
    newEscalationId,
    newMessageId,
    now: new Date(),
  });
  if (!decision.ok) throw new HttpError(400, decision.error.code, decision.error.message);
  await core.recordDecided(() => decision.events.map((event) => ({ actor: { kind: 'intake', name: caller.name }, event })));
  sendJson(res, 201, { escalationId, enquiryId: enquiry.id, status: 'answered' });
  return true;
}

function enquiryWithEscalation(core: BrokerCore, escalationId: string): Enquiry {
  for (const e of core.state.enquiries.values()) {
    if (e.escalations.some((x) => x.id === escalationId)) return e;
  }
  throw new HttpError(404, 'NOT_FOUND', `No escalation has the id "${escalationId}". Use the id from the email's reference.`);
}
