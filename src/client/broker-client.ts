// The broker client: one websocket to /v1/agent, the state folded from the welcome snapshot and
// every event since, and the outbox of commands not yet acknowledged. Drops are normal on thin
// clients, so after one it reconnects with backoff, resumes from the last folded seq, and sends
// every unacknowledged command again; the broker treats a repeated ref as the same command, so
// each is applied exactly once.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { CentreFigures } from '../domain/centre-figures.js';
import type { Enquiry, State } from '../domain/enquiry.js';
import { emptyState } from '../domain/enquiry.js';
import { applyEvent } from '../domain/reducer.js';
import type { AgentIdentity, Command, ErrorBody, EventEntry, ServerFrame } from '../protocol/frames.js';
import { CLOSE_CODES, JOURNAL_RETRY_AFTER_SECONDS, JOURNAL_UNAVAILABLE, MAX_SERVER_FRAME_BYTES, PROTOCOL_VERSION } from '../protocol/frames.js';
import { parseCommand } from '../protocol/parse-command.js';
import { readServerFrame } from '../protocol/read-server-frame.js';
import { COMPACT_SNAPSHOT_PARAM, stateFromSnapshot } from '../protocol/snapshot.js';
import { backoffBounds, reconnectDelay, type BackoffBounds } from './backoff.js';
import { outcomeOf } from './checked-outcome.js';
import { Outbox } from './outbox.js';
import { agentSocketUrl, checkToken } from './endpoint.js';
import type {
  BrokerClient,
  BrokerClientOptions,
  CommandInput,
  CommandOutcome,
  CommandOutcomeReport,
  ConnectionStatus,
  OutcomeOf,
  PendingCommand,
} from './types.js';

/** A refused `open` (or another command a caller chose to treat as an error), with the broker's code. */
export class BrokerCommandError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'BrokerCommandError';
  }
}

export interface BrokerClientTuning {
  /**
   * How often the client pings the broker; a socket that hears nothing (no frame, ping or pong)
   * for two of these is cut and reconnected. Catches half-open connections after a laptop sleeps
   * or a NAT forgets us, which TCP alone may take many minutes to notice. Default 15 s.
   */
  heartbeatMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 15_000;
const JOURNAL_RETRY_MS = JOURNAL_RETRY_AFTER_SECONDS * 1000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long close() waits for the broker to answer the closing handshake before cutting the socket. */
const CLOSE_GRACE_MS = 2_000;
/** Enough of a refused upgrade's body for the broker's JSON error message. */
const MAX_REFUSAL_BODY = 8 * 1024;

export function createBrokerClient(options: BrokerClientOptions & BrokerClientTuning): BrokerClient {
  return new Client(options);
}

/** One websocket attempt and what became of it. */
interface Link {
  ws: WebSocket;
  welcomed: boolean;
  /** Something was heard since the last heartbeat tick. */
  heard: boolean;
  heartbeat: NodeJS.Timeout | null;
  /** Why the attempt failed, when known before the close event (refused upgrade, gap, silence). */
  failure: { refused: boolean; message: string } | null;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  settled: boolean;
}

class Client implements BrokerClient {
  private currentState: State = emptyState();
  private currentAgent: AgentIdentity | null = null;
  private currentEpoch: string | null = null;
  private status: ConnectionStatus = { state: 'connecting' };
  private changes = 0;
  private error: ErrorBody | null = null;
  /** The centre's figures while watched (watchWallboard), else null. */
  private board: CentreFigures | null = null;
  private watchingBoard = false;

  private readonly endpoint: string;
  private readonly summaries: 'rows' | 'objects';
  private readonly token: string;
  private readonly bounds: BackoffBounds;
  private readonly heartbeatMs: number;
  private readonly outbox: Outbox;
  private readonly outboxFile: string | undefined;
  /** Callers awaiting an ack, by ref; commands restored from an earlier process have none. */
  private readonly waiters = new Map<string, (outcome: CommandOutcome) => void>();
  /** Acks whose event has not been folded yet: resolved once state.seq reaches theirs. */
  private parked: Array<{ seq: number; resolve: () => void }> = [];
  private readonly listeners = new Set<() => void>();
  private readonly outcomeListeners = new Set<(report: CommandOutcomeReport) => void>();
  private readonly firstWelcome: Deferred;

  private link: Link | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Commands the broker could not record yet, waiting to go again (see holdBack). */
  private heldBack = new Set<string>();
  private resendTimer: NodeJS.Timeout | null = null;
  /** Set once closed or refused: nothing reconnects after that. */
  private halted = false;
  private stopping: Promise<void> = Promise.resolve();

  constructor(options: BrokerClientOptions & BrokerClientTuning) {
    this.endpoint = agentSocketUrl(options.url);
    this.summaries = options.summaries ?? 'rows';
    this.token = checkToken(options.token);
    this.bounds = backoffBounds(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!Number.isFinite(this.heartbeatMs) || this.heartbeatMs < 10) {
      throw new Error(`heartbeatMs must be a number of milliseconds of at least 10 (got ${String(options.heartbeatMs)}).`);
    }
    this.outboxFile = options.outboxFile;
    const { outbox, problem } = Outbox.open(options.outboxFile, (message) => this.report({ code: 'OUTBOX_NOT_SAVED', message }));
    this.outbox = outbox;
    if (problem) this.error = { code: 'OUTBOX_UNREADABLE', message: problem };
    this.firstWelcome = deferred();
    this.connect();
  }

  get state(): State {
    return this.currentState;
  }
  get agent(): AgentIdentity | null {
    return this.currentAgent;
  }
  get epoch(): string | null {
    return this.currentEpoch;
  }
  get connection(): ConnectionStatus {
    return this.status;
  }
  get pending(): readonly PendingCommand[] {
    return this.outbox.items;
  }
  get version(): number {
    return this.changes;
  }
  get wallboard(): CentreFigures | null {
    return this.board;
  }

  /**
   * Starts or stops the broker's wallboard frames for this client; a watch is asked for again
   * after every reconnect, since the broker forgets a socket's watch when the socket goes.
   */
  watchWallboard(on: boolean): void {
    if (on === this.watchingBoard) return;
    this.watchingBoard = on;
    if (on) return this.askForBoard();
    this.board = null;
    void this.send({ type: 'unwatch-wallboard' });
    this.changed();
  }

  private askForBoard(): void {
    void this.send({ type: 'watch-wallboard' }).then((outcome) => {
      if (!outcome.ok || !this.watchingBoard) return;
      this.board = outcome.data;
      this.changed();
    });
  }

  get lastError(): ErrorBody | null {
    return this.error;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onOutcome(listener: (report: CommandOutcomeReport) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  ready(): Promise<void> {
    return this.firstWelcome.promise;
  }

  send<C extends CommandInput>(input: C): Promise<OutcomeOf<C['type']>> {
    // outcomeOf has checked a query's answer against its type by the time this resolves.
    return this.sendCommand(input) as Promise<OutcomeOf<C['type']>>;
  }

  private sendCommand(input: CommandInput): Promise<CommandOutcome> {
    const parsed = parseCommand(JSON.stringify({ ...input, ref: randomUUID() }));
    // Checked here as the broker would: a malformed command never enters the outbox, where it
    // would be refused again after every restart.
    if (!parsed.ok) return Promise.resolve({ ok: false, error: parsed.error });
    const { command } = parsed;
    if (this.halted) {
      return Promise.resolve({ ok: false, error: this.notSentError() });
    }
    const outcome = new Promise<CommandOutcome>((resolve) => this.waiters.set(command.ref, resolve));
    this.outbox.add({ command, queuedAt: new Date().toISOString() });
    if (this.link?.welcomed) this.transmit(this.link, command);
    this.changed();
    return outcome;
  }

  async open(enquiryId: string): Promise<Enquiry> {
    const outcome = await this.send({ type: 'open', enquiryId });
    if (!outcome.ok) throw new BrokerCommandError(outcome.error.code, outcome.error.message);
    if (!outcome.enquiry) throw new BrokerCommandError('BAD_SERVER_FRAME', `The broker answered "open ${enquiryId}" without the enquiry.`);
    return outcome.enquiry;
  }

  close(): Promise<void> {
    if (!this.halted) this.stopping = this.shutDown({ state: 'closed' }, 'The client was closed before the broker answered.');
    return this.stopping;
  }

  // --- connection ---------------------------------------------------------------------------

  private connect(): void {
    const url = new URL(this.endpoint);
    if (this.summaries === 'rows') url.searchParams.set(COMPACT_SNAPSHOT_PARAM.name, COMPACT_SNAPSHOT_PARAM.value);
    if (this.currentEpoch !== null) {
      url.searchParams.set('epoch', this.currentEpoch);
      url.searchParams.set('after', String(this.currentState.seq));
    }
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${this.token}` },
      perMessageDeflate: false,
      maxPayload: MAX_SERVER_FRAME_BYTES,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    const link: Link = { ws, welcomed: false, heard: true, heartbeat: null, failure: null };
    this.link = link;

    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_REFUSAL_BODY) body += chunk;
      });
      res.on('error', () => {});
      res.on('end', () => {
        link.failure = refusalOf(status, body);
        ws.terminate();
      });
    });
    ws.on('error', (err) => {
      link.failure ??= { refused: false, message: err.message };
    });
    ws.on('open', () => {
      link.heartbeat = setInterval(() => this.beat(link), this.heartbeatMs);
      link.heartbeat.unref();
    });
    ws.on('ping', () => {
      link.heard = true;
    });
    ws.on('pong', () => {
      link.heard = true;
    });
    ws.on('message', (data, isBinary) => {
      link.heard = true;
      if (link !== this.link) return;
      if (isBinary) return this.report({ code: 'BAD_SERVER_FRAME', message: 'The broker sent a binary frame; courtdesk expects JSON text.' });
      this.onFrame(link, data.toString());
    });
    ws.on('close', (code, reason) => this.onClosed(link, code, reason.toString()));
  }

  private beat(link: Link): void {
    if (!link.heard) {
      link.failure ??= { refused: false, message: `The broker did not answer for ${Math.round((2 * this.heartbeatMs) / 1000)} s.` };
      link.ws.terminate();
      return;
    }
    link.heard = false;
    link.ws.ping();
  }

  private onClosed(link: Link, code: number, reason: string): void {
    if (link.heartbeat) clearInterval(link.heartbeat);
    if (link !== this.link) return;
    this.link = null;
    if (this.halted) return;
    if (link.failure?.refused) return void this.refuse(link.failure.message);
    if (code === CLOSE_CODES.tokenRevoked) {
      return void this.refuse('The broker revoked this token (close 4001). Ask a supervisor for a new token, then sign in again.');
    }
    this.scheduleReconnect(link.failure?.message ?? describeClose(code, reason));
  }

  private scheduleReconnect(why: string): void {
    this.attempt += 1;
    const delay = reconnectDelay(this.attempt, this.bounds);
    this.status = { state: 'reconnecting', retryAt: Date.now() + delay, attempt: this.attempt, lastError: why };
    this.changed();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.status = { state: 'connecting' };
      this.changed();
      this.connect();
    }, delay);
  }

  private refuse(message: string): void {
    if (!this.halted) this.stopping = this.shutDown({ state: 'refused', error: message }, message);
  }

  /** Stops for good: no socket, no retry; unacknowledged commands stay in the outbox file. */
  private async shutDown(final: ConnectionStatus, whyUnanswered: string): Promise<void> {
    this.halted = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.retryTimer = null;
    const link = this.link;
    this.link = null;
    this.status = final;
    if (!this.firstWelcome.settled) {
      this.firstWelcome.settled = true;
      this.firstWelcome.reject(new Error(final.state === 'refused' ? final.error : 'The client was closed before the broker welcomed it.'));
    }
    const unanswered: ErrorBody = { code: final.state === 'refused' ? 'REFUSED' : 'CLIENT_CLOSED', message: `${whyUnanswered} ${this.keptWhere()}` };
    for (const resolve of this.waiters.values()) resolve({ ok: false, error: unanswered });
    this.waiters.clear();
    this.releaseParked(Number.POSITIVE_INFINITY);
    this.changed();
    if (link) await closeSocket(link);
    await this.outbox.flush();
  }

  // --- frames ---------------------------------------------------------------------------------

  private onFrame(link: Link, text: string): void {
    const read = readServerFrame(text);
    if (!read.ok) return this.report({ code: 'BAD_SERVER_FRAME', message: read.problem });
    const frame = read.frame;
    // A newer broker may send frames this client does not know; they carry nothing it needs.
    if (frame === null) return;
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(link, frame);
      case 'event':
        return this.onEntries(link, [frame]);
      case 'events':
        return this.onEntries(link, Array.isArray(frame.events) ? frame.events : []);
      case 'ack':
        return this.onAck(frame);
      case 'error':
        return this.report(frame.error);
      case 'status':
        return this.onStatus(frame);
      case 'wallboard':
        if (!this.watchingBoard) return;
        this.board = frame.figures;
        return this.changed();
    }
  }

  private onWelcome(link: Link, frame: Extract<ServerFrame, { type: 'welcome' }>): void {
    if (frame.protocol !== PROTOCOL_VERSION) {
      return this.refuse(
        `The broker speaks protocol ${String(frame.protocol)} and this courtdesk speaks ${PROTOCOL_VERSION}: update courtdesk (or the broker) so they match.`,
      );
    }
    this.currentAgent = frame.agent;
    if (frame.snapshot) {
      // A first connect, another epoch, or a gap too old to replay: the snapshot replaces everything.
      this.currentState = stateFromSnapshot(frame.snapshot, frame.seq);
      this.releaseParked(Number.POSITIVE_INFINITY);
    } else if (!frame.resumed || frame.epoch !== this.currentEpoch) {
      // Nothing to build on: ask again from scratch rather than fold events onto the wrong state.
      this.currentEpoch = null;
      link.failure = { refused: false, message: 'The broker welcomed us without a snapshot and without resuming.' };
      link.ws.terminate();
      return;
    }
    this.currentEpoch = frame.epoch;
    link.welcomed = true;
    this.attempt = 0;
    this.status = { state: 'connected' };
    // In order, and before anything sent from now on: the broker answers a ref it has seen with its first outcome.
    this.heldBack.clear();
    for (const p of this.outbox.items) this.transmit(link, p.command);
    // The outbox resent a watch still unanswered; one already answered went with the old socket.
    if (this.watchingBoard && !this.outbox.items.some((p) => p.command.type === 'watch-wallboard')) this.askForBoard();
    this.changed();
    if (!this.firstWelcome.settled) {
      this.firstWelcome.settled = true;
      this.firstWelcome.resolve();
    }
  }

  private onEntries(link: Link, entries: EventEntry[]): void {
    if (!link.welcomed) return;
    const state = this.currentState;
    const before = state.seq;
    let gap: string | null = null;
    for (const entry of entries) {
      if (entry.seq <= state.seq) continue; // already folded (a resend after resume)
      if (entry.seq !== state.seq + 1) {
        const missing = entry.seq - 1 === state.seq + 1 ? `Event ${state.seq + 1}` : `Events ${state.seq + 1} to ${entry.seq - 1}`;
        gap = `${missing} did not arrive; resuming from ${state.seq}.`;
        break;
      }
      try {
        applyEvent(state, entry);
      } catch {
        // applyEvent has already advanced seq; an event type this client does not know changes nothing here.
        state.seq = entry.seq;
        this.error = { code: 'UNKNOWN_EVENT', message: `The broker sent an event this courtdesk does not know (${describeEvent(entry)}); update courtdesk.` };
      }
    }
    if (state.seq !== before) {
      this.releaseParked(state.seq);
      this.changed();
    }
    if (gap) {
      link.failure = { refused: false, message: gap };
      link.ws.terminate();
    }
  }

  private onStatus(frame: Extract<ServerFrame, { type: 'status' }>): void {
    if (this.status.state !== 'connected') return;
    const degraded = frame.journal === 'ok' ? undefined : (frame.message ?? 'the broker cannot write its journal');
    this.status = degraded ? { state: 'connected', degraded } : { state: 'connected' };
    if (!degraded) this.resendHeldBack();
    this.changed();
  }

  private onAck(frame: Extract<ServerFrame, { type: 'ack' }>): void {
    if (!frame.ok && (frame.error.code === JOURNAL_UNAVAILABLE || frame.error.code === 'RATE_LIMITED')) return this.holdBack(frame.ref, frame.error);
    const done = this.outbox.remove(frame.ref);
    // An ack for a ref already answered (its first send and a resend both got through).
    if (!done) return;
    const outcome = outcomeOf(done.command, frame);
    if (outcome.ok && outcome.enquiry) this.currentState.enquiries.set(outcome.enquiry.id, outcome.enquiry);
    const waiter = this.waiters.get(frame.ref);
    this.waiters.delete(frame.ref);
    if (waiter) {
      const resolve = () => waiter(outcome);
      // So that, once send() resolves, state already shows what the command did.
      if (outcome.ok && outcome.seq !== null && outcome.seq > this.currentState.seq) this.parked.push({ seq: outcome.seq, resolve });
      else resolve();
    }
    this.changed();
    const report: CommandOutcomeReport = { command: done.command, outcome, restored: !waiter };
    for (const listener of this.outcomeListeners) this.call(() => listener(report));
  }

  /**
   * The broker did nothing with this command for now: it could not record it (its disk is full
   * or failing), or it came too fast. It stays in the outbox, unanswered, and goes again after
   * the wait the broker asked for, or as soon as the broker says it can write again. A reply an
   * agent typed is never dropped for it.
   */
  private holdBack(ref: string, error: ErrorBody): void {
    if (!this.outbox.items.some((p) => p.command.ref === ref)) return;
    this.heldBack.add(ref);
    if (error.code === JOURNAL_UNAVAILABLE && this.status.state === 'connected' && !this.status.degraded) {
      this.status = { state: 'connected', degraded: error.message };
    }
    this.resendTimer ??= setTimeout(() => this.resendHeldBack(), error.retryAfterMs ?? JOURNAL_RETRY_MS);
    this.resendTimer.unref();
    this.changed();
  }

  private resendHeldBack(): void {
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
    const refs = this.heldBack;
    this.heldBack = new Set();
    const link = this.link;
    if (!link?.welcomed) return; // the next welcome sends the whole outbox anyway
    for (const p of this.outbox.items) if (refs.has(p.command.ref)) this.transmit(link, p.command);
  }

  // --- helpers --------------------------------------------------------------------------------

  private transmit(link: Link, command: Command): void {
    // A failed write closes the socket; the command is still in the outbox and goes again after the next welcome.
    link.ws.send(JSON.stringify(command), () => {});
  }

  private releaseParked(upTo: number): void {
    if (this.parked.length === 0) return;
    const due = this.parked.filter((p) => p.seq <= upTo);
    this.parked = this.parked.filter((p) => p.seq > upTo);
    for (const p of due) p.resolve();
  }

  private report(error: ErrorBody): void {
    this.error = error;
    this.changed();
  }

  private notSentError(): ErrorBody {
    return this.status.state === 'refused'
      ? { code: 'REFUSED', message: `Not sent: ${this.status.error}` }
      : { code: 'CLIENT_CLOSED', message: 'Not sent: the client is closed.' };
  }

  private keptWhere(): string {
    return this.outboxFile
      ? `The command is kept in ${this.outboxFile} and goes out when courtdesk next connects.`
      : 'The command may not have reached the broker.';
  }

  private changed(): void {
    this.changes += 1;
    for (const listener of this.listeners) this.call(listener);
  }

  /** A throwing listener must not leave the client half-way through a frame; its error surfaces afterwards. */
  private call(listener: () => void): void {
    try {
      listener();
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // ready() may never be called; a refusal must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject, settled: false };
}

function refusalOf(status: number, body: string): { refused: boolean; message: string } {
  let detail = '';
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') detail = ` ${message}`;
  } catch {
    // Not the broker's JSON error (a proxy's page, say): the status alone says enough.
  }
  if (status === 401) return { refused: true, message: `The broker did not accept this token (HTTP 401).${detail}` };
  if (status === 403) return { refused: true, message: `The broker does not allow this connection (HTTP 403).${detail}` };
  return { refused: false, message: `The broker answered HTTP ${status} instead of opening the websocket.${detail}` };
}

function describeClose(code: number, reason: string): string {
  const why =
    code === CLOSE_CODES.slowConsumer
      ? 'we fell behind the broker'
      : code === CLOSE_CODES.goingAway
        ? 'the broker is shutting down or restarting'
        : code === CLOSE_CODES.heartbeatMissed
          ? 'the broker missed our heartbeat'
          : code === 1006
            ? 'the connection dropped'
            : reason || 'the connection closed';
  return `Disconnected (${code}): ${why}.`;
}

function describeEvent(entry: EventEntry): string {
  const type = (entry.event as { type?: unknown } | undefined)?.type;
  return `seq ${entry.seq}, type ${JSON.stringify(type)}`;
}

function closeSocket(link: Link): Promise<void> {
  const { ws } = link;
  if (link.heartbeat) clearInterval(link.heartbeat);
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'client closing');
  });
}
