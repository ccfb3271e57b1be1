// The one fold from events to state, shared by the broker (replay, live) and every client.
// Deterministic and free of I/O: the same records always give the same state.
import type { Delivery, Enquiry, Escalation, Message, State } from './enquiry.js';
import type { Actor, CourtdeskEvent, DeliveryState, JournalRecord } from './events.js';
import { enquiryWithContentRemoved } from './personal-content.js';

/** What a fold needs of a journal record (clients receive records without their hash). */
export type AppliedRecord = Pick<JournalRecord, 'seq' | 'at' | 'event'> & { actor?: Actor; ref?: string };

/**
 * Names what this fold makes of the events. Bump it whenever the same events would fold to
 * different state (a new field, a changed rule): the broker's checkpoints record it, and one made
 * by another fold is set aside and the whole journal replayed.
 */
export const FOLD_VERSION = 5;

const PREVIEW_LENGTH = 80;

export function applyEvent(state: State, record: AppliedRecord): void {
  const log = state.undo.log;
  if (log) {
    const before = state.seq;
    log.begin(record.seq);
    log.push(() => (state.seq = before));
  }
  state.seq = record.seq;
  // Only the first event of a command carries its ref, and the broker never records a ref twice.
  if (record.ref && record.actor) state.refs.set(`${record.actor.name}\u0000${record.ref}`, record.seq);
  const { event, at } = record;
  switch (event.type) {
    case 'enquiry.received':
      return receive(state, event, at, record);
    case 'enquiry.message':
      return updateEnquiry(state, event.enquiryId, (e) => {
        if (event.idempotencyKey && record.actor) state.idempotencyKeys.set(`${record.actor.name}\u0000${event.idempotencyKey}`, e.id);
        if (event.externalId) state.externalIds.set(`${e.channel}\u0000${event.externalId}`, e.id);
        return withMessage(state, e, { id: event.messageId, author: 'customer', text: event.text, at });
      });
    case 'enquiry.claimed':
      return updateEnquiry(state, event.enquiryId, (e) => {
        const claimed = draftOf(state, e);
        claimed.claimedBy = event.agent;
        claimed.claimedAt = at;
        claimed.lastActivityAt = at;
        return claimed;
      });
    case 'enquiry.released':
      return updateEnquiry(state, event.enquiryId, (e) => ({ ...unclaimed(e), lastActivityAt: at }));
    case 'enquiry.transferred':
      return updateEnquiry(state, event.enquiryId, (e) => ({ ...e, claimedBy: event.toAgent, claimedAt: at, lastActivityAt: at }));
    case 'enquiry.returned':
      // Not lastActivityAt: nobody worked on it, and its place in line is its original wait.
      return updateEnquiry(state, event.enquiryId, (e) => (e.claimedBy === event.agent ? unclaimed(e) : e));
    case 'enquiry.acknowledged':
      // Goes out like a reply but answers nothing: the wait, the status and the row's preview stay.
      return updateEnquiry(state, event.enquiryId, (e) => ({
        ...e,
        messages: [
          ...e.messages,
          { id: event.messageId, author: 'agent', agent: ACKNOWLEDGER, text: event.text, at, automatic: true, ...(deliverable(e) ? { delivery: { state: 'pending' as const, attempts: 0 } } : {}) },
        ],
        messageCount: e.messageCount + 1,
      }));
    case 'enquiry.marked-urgent':
      return updateEnquiry(state, event.enquiryId, (e) => ({ ...e, urgent: { reason: event.reason, by: event.agent, at } }));
    case 'enquiry.replied':
      return updateEnquiry(state, event.enquiryId, (e) =>
        withMessage(state, e, {
          id: event.messageId,
          author: 'agent',
          agent: event.agent,
          text: event.text,
          at,
          ...(deliverable(e) ? { delivery: { state: 'pending' as const, attempts: 0 } } : {}),
        }),
      );
    case 'enquiry.noted':
      return updateEnquiry(state, event.enquiryId, (e) =>
        withMessage(state, e, { id: event.messageId, author: 'note', agent: event.agent, text: event.text, at }),
      );
    case 'enquiry.tagged':
      return updateEnquiry(state, event.enquiryId, (e) => {
        if (e.caseNumbers.includes(event.caseNumber)) return e;
        const tagged = draftOf(state, e);
        tagged.caseNumbers = [...e.caseNumbers, event.caseNumber];
        tagged.lastActivityAt = at;
        return tagged;
      });
    case 'enquiry.untagged':
      return updateEnquiry(state, event.enquiryId, (e) => ({
        ...e,
        caseNumbers: e.caseNumbers.filter((c) => c !== event.caseNumber),
        lastActivityAt: at,
      }));
    case 'enquiry.closed':
      return updateEnquiry(state, event.enquiryId, (e) => {
        if (state.openBySender.get(senderKey(e)) === e.id) state.openBySender.delete(senderKey(e));
        return { ...unclaimed(e), status: 'closed', lastActivityAt: at, closedAt: at };
      });
    case 'enquiry.reopened':
      return updateEnquiry(state, event.enquiryId, (e) => {
        // The sender may have written again since the close and have a newer open enquiry: their
        // next message still belongs to that one, so only claim the sender when nothing else is open.
        const current = state.openBySender.get(senderKey(e));
        if (current === undefined || state.enquiries.get(current)?.status === 'closed') state.openBySender.set(senderKey(e), e.id);
        const { closedAt: _closedAt, ...open } = e;
        return { ...open, status: statusOf(e.waitingSince, false), lastActivityAt: at };
      });
    case 'reply.delivery':
      return updateEnquiry(state, event.enquiryId, (e) => {
        const index = e.messages.findIndex((m) => m.id === event.messageId);
        const m = e.messages[index];
        if (!m || isStaleDelivery(m.delivery, event)) return e;
        const next = draftOf(state, e);
        next.messages = [...e.messages];
        next.messages[index] = {
          ...m,
          delivery: {
            state: event.state,
            // A receipt may carry a stale count; attempts made so far never go down.
            attempts: Math.max(event.attempts, m.delivery?.attempts ?? 0),
            ...(event.reason !== undefined ? { reason: event.reason } : {}),
            ...(event.externalId !== undefined
              ? { externalId: event.externalId }
              : m.delivery?.externalId !== undefined
                ? { externalId: m.delivery.externalId }
                : {}),
          },
        };
        return next;
      });
    case 'escalation.created':
      return updateEnquiry(state, event.enquiryId, (e) => ({
        ...e,
        lastActivityAt: at,
        escalations: [
          ...e.escalations.map((x) => (x.id === event.chaseOf ? { ...x, status: 'chased' as const, chases: x.chases + 1 } : x)),
          {
            id: event.escalationId,
            courtSlug: event.courtSlug,
            courtName: event.courtName,
            to: event.to,
            template: event.template,
            language: event.language,
            subject: event.subject,
            text: event.text,
            ...(event.plain !== undefined ? { plain: event.plain } : {}),
            html: event.html,
            ...(event.chaseAfterDays !== undefined ? { chaseAfterDays: event.chaseAfterDays } : {}),
            status: 'queued',
            createdAt: at,
            createdBy: record.actor?.name ?? 'unknown',
            attempts: 0,
            chases: 0,
            ...(event.chaseOf ? { chaseOf: event.chaseOf } : {}),
          },
        ],
      }));
    case 'escalation.delivery':
      return updateEscalations(state, event.enquiryId, (x) => {
        if (x.id !== event.escalationId || x.status === 'answered') return x;
        const { lastError: _previous, ...rest } = x;
        if (event.state === 'sent') {
          const due = event.chaseDueOn !== undefined ? { chaseDueOn: event.chaseDueOn } : {};
          return { ...rest, status: x.status === 'chased' ? 'chased' : 'sent', attempts: event.attempts, sentAt: at, ...due };
        }
        return {
          ...rest,
          status: event.state === 'failed' ? 'failed' : x.status,
          attempts: event.attempts,
          ...(event.reason !== undefined ? { lastError: event.reason } : {}),
        };
      });
    case 'escalation.answered':
      return updateEnquiry(state, event.enquiryId, (e) => {
        const answered = e.escalations.find((x) => x.id === event.escalationId);
        if (!answered) return e;
        // An answer settles the whole thread: the first email and every chase of it.
        const root = answered.chaseOf ?? answered.id;
        const escalations = e.escalations.map((x) =>
          x.id === root || x.chaseOf === root ? { ...x, status: 'answered' as const, answeredAt: at } : x,
        );
        return withMessage(state, { ...e, escalations }, { id: event.messageId, author: 'court', text: event.text, at });
      });
    case 'agent.presence':
      state.agents.set(event.agent, { name: event.agent, presence: event.state, since: at });
      return;
    case 'journal.epoch-started':
      return; // the journal's history, not the enquiries'
    case 'retention.applied':
      for (const id of event.enquiryIds) updateEnquiry(state, id, (e) => enquiryWithContentRemoved(e, event.removedOn));
      return;
    case 'enquiry.accessed':
    case 'record.withheld':
      return; // who read what, kept in the journal and read back from it, never in the state
    default:
      return assertNever(event);
  }
}

/** How far a delivery has got; the same line as the broker's receipts (broker/channels/delivery-state.ts). */
const DELIVERY_PROGRESS: Record<DeliveryState, number> = { pending: 0, sent: 1, failed: 2, delivered: 3, read: 4 };

/**
 * Channels report receipts out of order and more than once (WhatsApp may say "read" before
 * "delivered"), so a report that would move the state backwards is old news unless it comes from
 * a newer attempt (a retry after a temporary failure starts again from pending).
 */
function isStaleDelivery(current: Delivery | undefined, event: { state: DeliveryState; attempts: number }): boolean {
  if (!current) return false;
  return event.attempts <= current.attempts && DELIVERY_PROGRESS[event.state] < DELIVERY_PROGRESS[current.state];
}

/** The name automatic acknowledgements are written under. */
export const ACKNOWLEDGER = 'courtdesk';

/** Whether what is written to this customer goes anywhere: a callback URL, or a channel that sends. */
export function deliverable(e: Pick<Enquiry, 'callbackUrl' | 'channel'>): boolean {
  return e.callbackUrl !== null || e.channel === 'whatsapp' || e.channel === 'sms';
}

export function senderKey(e: Pick<Enquiry, 'channel' | 'from'>): string {
  return `${e.channel}\u0000${e.from}`;
}

function receive(state: State, event: Extract<CourtdeskEvent, { type: 'enquiry.received' }>, at: string, record: AppliedRecord): void {
  const first: Message = { id: event.messageId, author: 'customer', text: event.text, at };
  const enquiry: Enquiry = {
    id: event.enquiryId,
    status: 'waiting',
    channel: event.channel,
    from: event.from,
    name: event.name,
    language: event.language,
    callbackUrl: event.callbackUrl,
    claimedBy: null,
    caseNumbers: [],
    messages: [first],
    escalations: [],
    receivedAt: at,
    receivedSeq: record.seq,
    waitingSince: at,
    lastCustomerAt: at,
    lastActivityAt: at,
    messageCount: 1,
    preview: previewOf(event.text),
    messagesLoaded: true,
    ...(event.priority === 'urgent' ? { urgent: { reason: 'sent as urgent', by: record.actor?.name ?? 'intake', at } } : {}),
  };
  state.enquiries.set(enquiry.id, enquiry);
  state.queued.add(enquiry.id);
  state.openBySender.set(senderKey(enquiry), enquiry.id);
  if (event.idempotencyKey && record.actor) state.idempotencyKeys.set(`${record.actor.name}\u0000${event.idempotencyKey}`, enquiry.id);
  if (event.externalId) state.externalIds.set(`${event.channel}\u0000${event.externalId}`, enquiry.id);
}

/** Adds a message and recomputes what waits: a customer message starts (or continues) the wait, an agent reply ends it. */
function withMessage(state: State, e: Enquiry, m: Message): Enquiry {
  const next = draftOf(state, e);
  next.messages = [...e.messages, m];
  next.messageCount = e.messageCount + 1;
  next.lastActivityAt = m.at;
  // Notes and courts' answers are for agents: they neither start nor end the customer's wait.
  if (m.author === 'note' || m.author === 'court') return next;
  const waitingSince = m.author === 'customer' ? (e.waitingSince ?? m.at) : null;
  next.waitingSince = waitingSince;
  next.status = statusOf(waitingSince, e.status === 'closed');
  if (m.author === 'customer') next.lastCustomerAt = m.at;
  next.preview = previewOf(m.text);
  return next;
}

/**
 * The enquiry an event changes: itself while the fold may change enquiries in place
 * (State.replay), otherwise a copy, so that whoever holds the old one sees it unchanged. Its
 * arrays are always new: one grown in place keeps room for more, some 13 MB at 100,000 enquiries.
 */
function draftOf(state: State, e: Enquiry): Enquiry {
  return state.replay.inPlace ? e : { ...e };
}

function statusOf(waitingSince: string | null, closed: boolean): Enquiry['status'] {
  if (closed) return 'closed';
  return waitingSince === null ? 'awaiting-customer' : 'waiting';
}

export function previewOf(text: string): string {
  // Only the start is shown, so only the start is tidied: a 4,000-character message costs no more
  // than a short one, and text with no runs of white space (most of it) is not rewritten at all.
  const head = text.length > 2 * PREVIEW_LENGTH ? text.slice(0, 2 * PREVIEW_LENGTH) : text;
  const flat = MESSY_SPACE.test(head) ? head.replace(/\s+/g, ' ').trim() : head;
  return flat.length > PREVIEW_LENGTH || head !== text ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

const MESSY_SPACE = /\s\s|[^\S ]|^\s|\s$/;

function updateEscalations(state: State, enquiryId: string, change: (x: Escalation) => Escalation): void {
  updateEnquiry(state, enquiryId, (e) => ({ ...e, escalations: e.escalations.map(change) }));
}

function updateEnquiry(state: State, id: string, change: (e: Enquiry) => Enquiry): void {
  const current = state.enquiries.get(id);
  // An event for an enquiry this copy never saw (a client's summary-only snapshot dropped it) changes nothing.
  if (!current) return;
  const next = change(current);
  state.enquiries.set(id, next);
  trackQueued(state, next);
}

/** Keeps `state.queued` equal to the waiting, unclaimed enquiries, so intake can say a place in line without a scan. */
export function trackQueued(state: State, e: Enquiry): void {
  if (e.status === 'waiting' && e.claimedBy === null) state.queued.add(e.id);
  else state.queued.delete(e.id);
}

function assertNever(x: never): never {
  throw new Error(`unknown event ${JSON.stringify(x)}`);
}

function unclaimed(e: Enquiry): Enquiry {
  const { claimedAt: _claimedAt, ...rest } = e;
  return { ...rest, claimedBy: null };
}
