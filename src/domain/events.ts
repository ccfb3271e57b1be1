// Every change to courtdesk is one of these events. The journal stores them, the broker and every
// client fold them with `applyEvent` (state.ts), and reports are folds over the same list.
// Events are facts in the past tense; they carry everything a fold needs (no lookups elsewhere).

export type Channel = 'whatsapp' | 'sms' | 'web' | 'email' | 'api';
export const CHANNELS: readonly Channel[] = ['whatsapp', 'sms', 'web', 'email', 'api'];

export type Language = 'en' | 'cy';
export const LANGUAGES: readonly Language[] = ['en', 'cy'];

/** `auditor`: reads everything, verifies and exports the record; never changes anything. */
export type Role = 'agent' | 'supervisor' | 'intake' | 'auditor';
export const ROLES: readonly Role[] = ['agent', 'supervisor', 'intake', 'auditor'];

export type Presence = 'available' | 'away';

/** Who caused an event: a named token holder, or the broker itself (deliveries, recovery). */
export interface Actor {
  kind: 'agent' | 'supervisor' | 'intake' | 'auditor' | 'system';
  name: string;
}

/** Delivery of an agent's reply to the customer's channel (callback URL, WhatsApp, SMS). */
export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export type CaseNumberFormat = 'civil' | 'mcol' | 'ccd' | 'unverified';

export type EnquiryEvent =
  | {
      type: 'enquiry.received';
      enquiryId: string;
      messageId: string;
      channel: Channel;
      from: string;
      name: string | null;
      text: string;
      language: Language;
      callbackUrl: string | null;
      /** Intake's Idempotency-Key header (scoped by intake token name), so a retried POST records nothing new. */
      idempotencyKey?: string;
      /** The channel's own message id (WhatsApp wamid, Twilio MessageSid): redelivered webhooks are harmless. */
      externalId?: string;
      /** Intake said it is urgent: it ranks ahead of the rest (domain/routing.ts). */
      priority?: 'urgent';
    }
  | {
      type: 'enquiry.message';
      enquiryId: string;
      messageId: string;
      text: string;
      idempotencyKey?: string;
      externalId?: string;
    }
  | { type: 'enquiry.claimed'; enquiryId: string; agent: string }
  | { type: 'enquiry.released'; enquiryId: string; agent: string }
  | { type: 'enquiry.transferred'; enquiryId: string; fromAgent: string | null; toAgent: string }
  /** Back in the queue, at its original wait, because its holder was away or disconnected too long. */
  | { type: 'enquiry.returned'; enquiryId: string; agent: string; reason: 'away' | 'disconnected'; since: string }
  /**
   * The automatic acknowledgement a new enquiry got on its own channel, recorded with its receipt
   * (so exactly once) and delivered like a reply; it does not end the wait.
   */
  | { type: 'enquiry.acknowledged'; enquiryId: string; messageId: string; text: string; position: number; estimatedWaitSeconds: number | null }
  /** An agent said it cannot wait its turn, and why. */
  | { type: 'enquiry.marked-urgent'; enquiryId: string; agent: string; reason: string }
  | { type: 'enquiry.replied'; enquiryId: string; messageId: string; agent: string; text: string }
  | { type: 'enquiry.noted'; enquiryId: string; messageId: string; agent: string; text: string }
  | { type: 'enquiry.tagged'; enquiryId: string; caseNumber: string; format: CaseNumberFormat }
  | { type: 'enquiry.untagged'; enquiryId: string; caseNumber: string }
  | { type: 'enquiry.closed'; enquiryId: string }
  | { type: 'enquiry.reopened'; enquiryId: string }
  | {
      type: 'reply.delivery';
      enquiryId: string;
      messageId: string;
      state: DeliveryState;
      /** Attempts made so far (1 for the first try). */
      attempts: number;
      /** Why the last attempt failed (temporary or final), for the agent. */
      reason?: string;
      /** The channel's id for the sent message, for receipts. */
      externalId?: string;
    };

/**
 * An email to a court, tracked until the court answers. The rendered email is part of the event,
 * so what was sent is on the record and a delivery resumed after a restart sends the same bytes.
 */
export type EscalationEvent =
  | {
      type: 'escalation.created';
      enquiryId: string;
      escalationId: string;
      courtSlug: string;
      courtName: string;
      to: string;
      template: string;
      language: Language;
      subject: string;
      /** The body as markdown for GOV.UK Notify (values escaped). */
      text: string;
      /** The body as a clerk's mail program shows the text part; absent from escalations made before it was kept. */
      plain?: string;
      html: string;
      /** The template's own working days before a chase is due, when it has one (an urgent hearing cannot wait five). */
      chaseAfterDays?: number;
      /** Set on a chase: the escalation it follows up. */
      chaseOf?: string;
    }
  | {
      type: 'escalation.delivery';
      enquiryId: string;
      escalationId: string;
      /** `retrying` after a temporary failure; `failed` when it will not be retried. */
      state: 'sent' | 'retrying' | 'failed';
      attempts: number;
      reason?: string;
      providerId?: string;
      /** With `sent`: the London date it becomes due a chase, by the broker's working-day rule. */
      chaseDueOn?: string;
    }
  | { type: 'escalation.answered'; enquiryId: string; escalationId: string; messageId: string; text: string };

export type AgentEvent = { type: 'agent.presence'; agent: string; state: Presence };

/** How a whole conversation was read: the workbench's `open`, HTTP GET, `courtdesk show`, an export. */
export type AccessVia = 'workbench' | 'api' | 'show' | 'export';
export const ACCESS_VIAS: readonly AccessVia[] = ['workbench', 'api', 'show', 'export'];

/**
 * The access log (docs/records.md). `enquiry.accessed`: someone was given an enquiry's whole
 * conversation; recorded before it was given, and changing no state. Queue summaries are not
 * accesses. `record.withheld` is never written: it is what a client whose role may not read the
 * access log receives in place of an access record, so its seqs stay gap-free.
 */
export type AccessEvent =
  | { type: 'enquiry.accessed'; enquiryId: string; by: string; role: Role; via: AccessVia; reason?: string }
  | { type: 'record.withheld' };

/**
 * The journal's own history. `journal.epoch-started`: from this record on the journal is in a new
 * epoch, because records some clients may have seen are gone (an operator cut a damaged tail, or
 * started on a journal the checkpoint proves is missing records); such clients take a fresh
 * snapshot instead of resuming onto a different history.
 */
export type JournalEvent = {
  type: 'journal.epoch-started';
  epoch: string;
  previousEpoch: string;
  /** What the operator did and why, for the record. */
  reason: string;
  /** The first seq that was lost; records from here on were written again with other content. */
  lostFromSeq: number;
};

/**
 * Personal content of these enquiries was removed under a retention rule: their content keys are
 * destroyed, so what the journal holds of it can no longer be read, and every copy in memory,
 * checkpoints and exports reads as removed from this record on. Counts and times stay.
 */
export type RetentionEvent = {
  type: 'retention.applied';
  /** The rule as the operator gave it, e.g. "closed before 2020-12-02" or "--retain-closed 6y". */
  rule: string;
  /** London date: enquiries closed before it were removed. */
  closedBefore: string;
  /** London date the removal was made, as removed content says. */
  removedOn: string;
  enquiryIds: string[];
};

export type CourtdeskEvent = EnquiryEvent | EscalationEvent | AgentEvent | AccessEvent | JournalEvent | RetentionEvent;
export type EventType = CourtdeskEvent['type'];

/** One line of the journal: an event with its place in history. */
export interface JournalRecord {
  /** Gap-free, starting at 1. */
  seq: number;
  /** ISO-8601 UTC time the broker accepted the event. */
  at: string;
  actor: Actor;
  /** The command ref that produced this event (an agent's idempotency key), if any. */
  ref?: string;
  event: CourtdeskEvent;
  /** SHA-256 (hex) of the previous record's hash and this record's content; see journal docs. */
  hash: string;
}
