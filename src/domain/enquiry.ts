// The shapes a fold over the journal produces. Enquiry objects are replaced, never mutated, when an
// event touches them, so views can compare them by identity; the maps that hold them are updated
// in place because a million-event replay cannot afford to copy 100,000 entries per event. The one
// exception is the broker's start (State.replay), when nothing else holds an enquiry yet.
import { RecentMap } from './bounded-map.js';
import { UndoableMap, UndoableSet, type UndoHolder } from './undo.js';
import type { Channel, DeliveryState, Language, Presence } from './events.js';

/** At least this many of the newest command refs are remembered for idempotency (at most twice as many). */
export const REMEMBERED_REFS = 100_000;

export type EnquiryStatus = 'waiting' | 'awaiting-customer' | 'closed';

export interface Delivery {
  state: DeliveryState;
  attempts: number;
  reason?: string;
  externalId?: string;
}

export interface Message {
  id: string;
  /** `court`: a hearing centre's answer to an escalation, recorded by an agent or the court's mailbox adapter. */
  author: 'customer' | 'agent' | 'note' | 'court';
  text: string;
  at: string;
  /** The agent who wrote a reply or note. */
  agent?: string;
  /** Only on agent replies that go out to a channel. */
  delivery?: Delivery;
  /** The broker's automatic acknowledgement (author "agent", agent "courtdesk"): not an agent's answer. */
  automatic?: true;
}

export type EscalationStatus = 'queued' | 'sent' | 'failed' | 'answered' | 'chased';

export interface Escalation {
  id: string;
  courtSlug: string;
  courtName: string;
  to: string;
  template: string;
  language: Language;
  subject: string;
  /** The email as sent: Notify's markdown, the plain text part and the HTML; summaries in snapshots leave these empty. */
  text: string;
  plain?: string;
  html: string;
  /** Working days before it is due a chase, when its template sets them; else the deployment's. */
  chaseAfterDays?: number;
  status: EscalationStatus;
  createdAt: string;
  createdBy: string;
  /** Delivery attempts so far. */
  attempts: number;
  sentAt?: string;
  /** The London date (YYYY-MM-DD) it becomes due a chase if unanswered; set when sent. */
  chaseDueOn?: string;
  answeredAt?: string;
  /** Why the last delivery attempt failed, for the agent. */
  lastError?: string;
  /** The escalation this one chases, if it is a chase. */
  chaseOf?: string;
  /** How many chases have been sent for this one. */
  chases: number;
}

export interface Enquiry {
  id: string;
  status: EnquiryStatus;
  channel: Channel;
  from: string;
  name: string | null;
  language: Language;
  callbackUrl: string | null;
  claimedBy: string | null;
  /** When its holder claimed it or had it transferred to them (unset while nobody holds it). */
  claimedAt?: string;
  caseNumbers: string[];
  messages: Message[];
  escalations: Escalation[];
  receivedAt: string;
  /** The journal seq of `enquiry.received`: breaks ties in the ranking by arrival. */
  receivedSeq: number;
  /** Time of the oldest customer message no agent reply has followed yet; null when nothing waits. */
  waitingSince: string | null;
  /** Time of the customer's latest message (channels' reply windows run from it). */
  lastCustomerAt: string;
  lastActivityAt: string;
  messageCount: number;
  /** The start of the latest customer or agent message, for one-line queue rows. */
  preview: string;
  /** False when a snapshot carried only a summary: earlier messages exist that this copy lacks. */
  messagesLoaded: boolean;
  /** When it was last closed (unset while open): what retention rules count from. */
  closedAt?: string;
  /** The London date its personal content was removed under the retention policy. */
  contentRemovedOn?: string;
  /** Set when intake sent it as urgent or an agent marked it so: it ranks ahead of the rest. */
  urgent?: { reason: string; by: string; at: string };
}

export interface AgentState {
  name: string;
  presence: Presence;
  /** When the presence was last set (what "away too long" counts from); absent in states folded before it was kept. */
  since?: string;
}

export interface State {
  /** The seq of the last event folded in; 0 for an empty journal. */
  seq: number;
  enquiries: Map<string, Enquiry>;
  agents: Map<string, AgentState>;
  /** `${actorName}\u0000${idempotencyKey}` → enquiry id, for intake retries. */
  idempotencyKeys: Map<string, string>;
  /** `${channel}\u0000${externalId}` → enquiry id, so a redelivered webhook is recognised. */
  externalIds: Map<string, string>;
  /** `${channel}\u0000${from}` → id of that sender's enquiry that is not closed, for threading. */
  openBySender: Map<string, string>;
  /** `${actorName}\u0000${ref}` → seq of the first event a command produced (bounded, oldest forgotten). */
  refs: RecentMap<string, number>;
  /** Ids of the enquiries that are waiting and unclaimed: the line a new enquiry joins. */
  queued: Set<string>;
  /** Where the tables above record how to undo a change, while the broker holds events not yet durable. */
  readonly undo: UndoHolder;
  /**
   * `inPlace` while nothing outside the fold holds this state's enquiries (the broker folding its
   * journal at start): the fold then changes them in place rather than copying each one per event.
   */
  readonly replay: { inPlace: boolean };
}

export function emptyState(): State {
  const undo: UndoHolder = { log: null };
  const state: Omit<State, 'undo' | 'replay'> = {
    seq: 0,
    enquiries: new UndoableMap(undo),
    agents: new UndoableMap(undo),
    idempotencyKeys: new UndoableMap(undo),
    externalIds: new UndoableMap(undo),
    openBySender: new UndoableMap(undo),
    refs: new RecentMap(REMEMBERED_REFS, undo),
    queued: new UndoableSet(undo),
  };
  // Not enumerable: two states holding the same are equal whatever their undo logs or way of folding.
  Object.defineProperty(state, 'replay', { value: { inPlace: false }, enumerable: false });
  return Object.defineProperty(state, 'undo', { value: undo, enumerable: false }) as State;
}
