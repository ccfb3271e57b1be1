// Frames exchanged over the agent websocket (/v1/agent). docs/protocol.md describes each with examples.
import type { AgentState, Enquiry } from '../domain/enquiry.js';
import type { CentreFigures } from '../domain/centre-figures.js';
import type { SummaryTable } from './snapshot.js';
import type { AccessVia, Actor, CourtdeskEvent, Language, Presence, Role } from '../domain/events.js';

/** Bumped when a frame changes incompatibly; sent in `welcome`. */
export const PROTOCOL_VERSION = 1;

/** Largest frame the broker accepts from a client (bytes): commands are small. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Largest frame a client accepts from the broker (bytes). The welcome snapshot grows with the
 * queue (about 500 bytes per open enquiry: 50 MB at 100,000), and the client trusts its broker.
 */
export const MAX_SERVER_FRAME_BYTES = 256 * 1024 * 1024;

/** Longest message text an agent or a customer may send (characters). */
export const MAX_TEXT_LENGTH = 4000;

/** Websocket close codes the broker uses besides the standard 1001 (going away) and 1008 (policy). */
export const CLOSE_CODES = {
  goingAway: 1001,
  /** The broker failed inside while setting the connection up; it is logged. Reconnect. */
  internalError: 1011,
  tokenRevoked: 4001,
  slowConsumer: 4008,
  heartbeatMissed: 4009,
} as const;

export interface AgentIdentity {
  name: string;
  role: Role;
  languages: Language[];
}

/**
 * The queue as a new client first sees it: every open enquiry, full conversations only for those
 * this agent holds. In the compact form (asked for with `?snapshot=rows`) `enquiries` holds only
 * those, and `summaries` the rest as rows (src/protocol/snapshot.ts).
 */
export interface Snapshot {
  enquiries: Enquiry[];
  summaries?: SummaryTable;
  agents: AgentState[];
}

/** A journal record as clients receive it: no hash, which only the journal needs. */
export interface EventEntry {
  seq: number;
  at: string;
  actor: Actor;
  event: CourtdeskEvent;
}

export type ServerFrame =
  | {
      type: 'welcome';
      protocol: number;
      agent: AgentIdentity;
      epoch: string;
      seq: number;
      resumed: boolean;
      snapshot?: Snapshot;
    }
  | ({ type: 'event' } & EventEntry)
  | { type: 'events'; events: EventEntry[] }
  | { type: 'ack'; ref: string; ok: true; seq: number | null; enquiry?: Enquiry; data?: unknown }
  | { type: 'ack'; ref: string; ok: false; error: ErrorBody }
  | { type: 'error'; error: ErrorBody }
  /** Sent after the welcome when the journal cannot be written, and again whenever that changes. */
  | { type: 'status'; journal: 'ok' | 'degraded' | 'failed'; message: string | null }
  /** To a socket watching the wallboard: the figures, each time an event or a connection changed them. */
  | { type: 'wallboard'; figures: CentreFigures };

/** The code of a command or request refused because the broker cannot write its journal: nothing was done, and it may be sent again. */
export const JOURNAL_UNAVAILABLE = 'JOURNAL_UNAVAILABLE';
/** How long a client waits before sending such a command again (HTTP: Retry-After). */
export const JOURNAL_RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  code: string;
  message: string;
  /** With MISSING_FIELDS: the template fields still to fill in, so a client can ask for each. */
  missing?: string[];
  /** With RATE_LIMITED: how long to wait before sending the command again. */
  retryAfterMs?: number;
}

interface Base {
  ref: string;
}

export type Command =
  | (Base & { type: 'claim'; enquiryId: string })
  | (Base & { type: 'release'; enquiryId: string })
  | (Base & { type: 'reply'; enquiryId: string; text: string })
  | (Base & { type: 'note'; enquiryId: string; text: string })
  | (Base & { type: 'tag'; enquiryId: string; caseNumber: string })
  | (Base & { type: 'untag'; enquiryId: string; caseNumber: string })
  | (Base & { type: 'close'; enquiryId: string })
  | (Base & { type: 'reopen'; enquiryId: string })
  | (Base & { type: 'transfer'; enquiryId: string; toAgent: string })
  /** Sets the sender's presence, or with `agent` (a supervisor) another agent's. */
  | (Base & { type: 'presence'; state: Presence; agent?: string })
  /** Claims the enquiry the ranking rule (domain/routing.ts) gives this agent now; the ack's `data` says which and why. */
  | (Base & { type: 'take-next' })
  /** Ranks a waiting enquiry ahead of the rest; the reason is recorded. */
  | (Base & { type: 'mark-urgent'; enquiryId: string; reason: string })
  /**
   * Asks for an enquiry's whole conversation; the ack carries it, once an `enquiry.accessed` record
   * of it is durable. `via` is what the client is ('workbench' unless 'show'); `reason` says why.
   */
  | (Base & { type: 'open'; enquiryId: string; reason?: string; via?: OpenVia })
  /** Emails the court about the enquiry using a template; the broker renders and delivers it. */
  | (Base & { type: 'escalate'; enquiryId: string; courtSlug: string; template: string; language?: Language; fields?: Record<string, string> })
  /** Sends the chase template for an escalation the court has not answered. */
  | (Base & { type: 'chase'; enquiryId: string; escalationId: string })
  /** Records the court's answer (its text joins the enquiry's conversation). */
  | (Base & { type: 'answer-escalation'; enquiryId: string; escalationId: string; text: string })
  /** Queries: the ack's `data` carries the answer; nothing is recorded. */
  | (Base & { type: 'preview-escalation'; enquiryId: string; courtSlug: string; template: string; language?: Language; fields?: Record<string, string> })
  | (Base & { type: 'list-courts'; query?: string })
  | (Base & { type: 'list-templates' })
  /** The agents online on this node, with their load and languages (the transfer picker). */
  | (Base & { type: 'list-agents' })
  /** The centre's figures now (docs/wallboard.md); then `wallboard` frames whenever they change, until unwatched or closed. */
  | (Base & { type: 'watch-wallboard' })
  | (Base & { type: 'unwatch-wallboard' });

/** The clients that open conversations on the websocket, as they name themselves. */
export type OpenVia = Extract<AccessVia, 'workbench' | 'show'>;

export type CommandType = Command['type'];

/** Commands that only ask, answered in their ack; clients keep them out of outbox files. `open` records only who read what. */
export const QUERY_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>(['open', 'list-courts', 'list-templates', 'preview-escalation', 'list-agents', 'watch-wallboard', 'unwatch-wallboard']);
