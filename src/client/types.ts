// What the workbench and scripts see of the broker. The workbench talks to the broker only through this.
import type { CentreFigures } from '../domain/centre-figures.js';
import type { Enquiry, State } from '../domain/enquiry.js';
import type { QueryAnswers, QueryType } from '../protocol/answers.js';
import type { AgentIdentity, Command, CommandType, ErrorBody } from '../protocol/frames.js';

/** A command as callers write it: the client gives it a unique ref (its idempotency key). */
export type CommandInput = Command extends infer C ? (C extends { ref: string } ? Omit<C, 'ref'> : never) : never;

export type ConnectionStatus =
  | { state: 'connecting' }
  /**
   * `degraded`: the broker is up but cannot write its journal (disk full, failing disk). Commands
   * it refuses for that reason stay in the outbox and go again once it can.
   */
  | { state: 'connected'; degraded?: string }
  /** Waiting before the next attempt; `retryAt` is a Date.now() value. */
  | { state: 'reconnecting'; retryAt: number; attempt: number; lastError: string }
  /** The broker refused us for good (token rejected or revoked): no more attempts. */
  | { state: 'refused'; error: string }
  | { state: 'closed' };

export type CommandOutcome =
  /** `data` carries a query's answer (courts, templates, an escalation preview). */
  | { ok: true; seq: number | null; enquiry?: Enquiry; data?: unknown }
  | { ok: false; error: ErrorBody };

/** A query's outcome: its answer was checked on arrival, so `data` is what the protocol says it is. */
export type QueryOutcome<T extends QueryType> = { ok: true; seq: number | null; data: QueryAnswers[T] } | { ok: false; error: ErrorBody };

/** What `send` resolves with for a command of this type. */
export type OutcomeOf<T extends CommandType> = T extends QueryType ? QueryOutcome<T> : CommandOutcome;

/** What became of one command, for `onOutcome` listeners. */
export interface CommandOutcomeReport {
  command: Command;
  outcome: CommandOutcome;
  /** True when the command came from an earlier process's outbox file: no send() awaits it, so this is the only word of it. */
  restored: boolean;
}

/** A command not yet acknowledged by the broker (kept in the outbox file until it is). */
export interface PendingCommand {
  command: Command;
  queuedAt: string;
}

export interface BrokerClientOptions {
  /** http(s):// or ws(s):// base URL of the broker, e.g. http://127.0.0.1:7340 */
  url: string;
  token: string;
  /** Where unsent commands are kept across restarts; no file means memory only. */
  outboxFile?: string;
  /** Backoff bounds for reconnecting, in ms (jittered). Defaults 250 and 10,000. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /**
   * How the welcome carries the enquiries this agent does not hold: `rows` (the default) as the
   * compact table, previews cut to a queue row's width; `objects` as whole summary objects with
   * the full preview, as scripts print them (docs/protocol.md, "Snapshot versus conversations").
   */
  summaries?: 'rows' | 'objects';
}

export interface BrokerClient {
  /** Folded from the welcome snapshot and every event since; replaced maps are updated in place. */
  readonly state: State;
  readonly agent: AgentIdentity | null;
  readonly epoch: string | null;
  readonly connection: ConnectionStatus;
  /** Commands sent or queued but not yet acknowledged, oldest first. */
  readonly pending: readonly PendingCommand[];
  /** Increments on every change of state, connection or pending; cheap to compare in views. */
  readonly version: number;
  /**
   * The latest problem that is not a command's outcome: an `error` frame from the broker (it did not
   * understand something we sent), an unreadable or unsaved outbox file, an event this client does
   * not know. Null until one happens. (Optional so test doubles need not provide it.)
   */
  readonly lastError?: ErrorBody | null;

  /** The centre's figures while watching them (supervisors and auditors), else null. Optional so test doubles need not provide it. */
  readonly wallboard?: CentreFigures | null;
  /** Starts or stops receiving the wallboard's figures as they change. */
  watchWallboard?(on: boolean): void;

  /** Calls `listener` after every change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Calls `listener` with every command's outcome, including commands restored from an earlier
   * process's outbox, which no send() awaits; returns an unsubscribe function.
   */
  onOutcome?(listener: (report: CommandOutcomeReport) => void): () => void;
  /** Resolves once the first welcome has arrived (or rejects when refused). */
  ready(): Promise<void>;
  /**
   * Sends a command; while offline it waits in the outbox and goes out once, in order, on
   * reconnect. Resolves with the broker's ack (never rejects for a refused command).
   */
  send<C extends CommandInput>(command: C): Promise<OutcomeOf<C['type']>>;
  /** Loads an enquiry's whole conversation (snapshots carry summaries) into `state`. */
  open(enquiryId: string): Promise<Enquiry>;
  /** Closes the socket and stops reconnecting; the outbox file keeps anything unsent. */
  close(): Promise<void>;
}
