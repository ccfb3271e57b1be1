// The agent websocket (/v1/agent): who may connect, what a new or returning client is sent, how
// commands are decided and answered, and how every durable event reaches every live socket.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RecentMap } from '../domain/bounded-map.js';
import { can, forbiddenMessage } from '../domain/permissions.js';
import type { RoutingPolicy } from '../domain/routing.js';
import type { Language } from '../domain/events.js';
import type { Command, ErrorBody, EventEntry, ServerFrame } from '../protocol/frames.js';
import { CLOSE_CODES, JOURNAL_UNAVAILABLE, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../protocol/frames.js';
import { parseCommand } from '../protocol/parse-command.js';
import { COMPACT_SNAPSHOT_PARAM } from '../protocol/snapshot.js';
import { SocketAccesses, visibleTo } from './access-log.js';
import { AgentSocket } from './agent-socket.js';
import { CommandLimiter, type CommandLimits } from './command-limiter.js';
import { executeCommand, journalRefusal, type Catalogue, type Outcome } from './commands.js';
import type { BrokerCore } from './core.js';
import { JournalUnavailableError, type JournalHealth } from './journal/store.js';
import type { TokenRecord, TokenWatcher } from './tokens.js';
import { authenticate, bearerToken } from './tokens.js';
import { FanOut, framed } from './fan-out.js';
import type { WallboardFeed } from './wallboard-feed.js';
import { captureWelcome, welcomePieces } from './welcome-pieces.js';

export interface AgentHubOptions {
  heartbeatMs: number;
  /**
   * A live socket with more than this many bytes waiting to go out is cut off (close 4008). The
   * welcome is not counted: it goes at the client's pace, with acks for the meantime held, up to this.
   */
  maxBufferedBytes: number;
  /** Sockets one token may hold open at once; another is refused with 429. 0: no limit. */
  maxSocketsPerToken: number;
  /** How fast one socket, and one token across its sockets, may send commands. */
  commandLimits: CommandLimits;
  /** When set, an upgrade's Origin header (if any) must be one of these. */
  allowedOrigins: string[] | null;
  /** Where failures inside command handling are reported, with their stack. */
  log: (line: string) => void;
  /** The routing rule's settings (take-next, caps, returns). */
  routing: RoutingPolicy;
  /** The centre's figures, for supervisors watching them and for the transfer picker. */
  wallboard: WallboardFeed;
}

/** Characters per fragment of a large welcome: small enough to pace, large enough to cost nothing. */
const WELCOME_PIECE_CHARS = 64 * 1024;

/** Events per frame when a socket catches up, so one frame never holds a whole backlog. */
const CATCH_UP_EVENTS = 100;

/** How long a revoked token's socket has to take its close frame before it is destroyed. */
const REVOKED_CLOSE_GRACE_MS = 250;

/** How long sockets have to finish their close handshake when the broker shuts down. */
const SHUTDOWN_CLOSE_GRACE_MS = 1000;

const TOKEN_REVOKED: ErrorBody = {
  code: 'TOKEN_REVOKED',
  message: 'This token has been revoked, so the broker no longer carries out its commands. Log in with a new token (courtdesk login) and send the command again.',
};

/** At least this many command outcomes are remembered in memory so a retried ref gets the same answer. */
const REMEMBERED_OUTCOMES = 50_000;

export class AgentHub {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
  private readonly sockets = new Set<AgentSocket>();
  private readonly fanOut = new FanOut(this.sockets);
  /** Final outcomes by agent and ref; a command that failed inside the broker is left out, so its retry runs again. */
  private readonly outcomes = new RecentMap<string, Outcome>(REMEMBERED_OUTCOMES);
  /** Commands still being carried out, so a ref sent twice at once is carried out once. */
  private readonly running = new Map<string, Promise<Outcome | null>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly limiter: CommandLimiter;
  /** What each socket has been recorded reading, so the same open on it is recorded once. */
  private readonly accesses = new WeakMap<AgentSocket, SocketAccesses>();
  /** When each agent's last socket on this node closed; one never connected since the start counts from it. */
  private readonly goneSince = new Map<string, number>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly core: BrokerCore,
    private readonly tokens: Pick<TokenWatcher, 'tokens' | 'index'>,
    private readonly catalogue: Catalogue,
    private readonly options: AgentHubOptions,
  ) {
    this.limiter = new CommandLimiter(options.commandLimits);
    core.onCommit((entries) => this.fanOut.add(entries));
    core.onHealth((health) => this.broadcastStatus(health));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Agents with a live socket on this node, not away, who work in `language` and may take enquiries (wait estimates). */
  availableFor(language: Language): number {
    const names = new Set<string>();
    for (const s of this.sockets) {
      const { name, languages, role } = s.token;
      if (languages.includes(language) && can(role, 'claim') && this.core.state.agents.get(name)?.presence !== 'away') names.add(name);
    }
    return names.size;
  }

  /**
   * Since when (ms) the agent has had no live socket on this node; null while they have one.
   * Only this node's sockets are known: with several nodes on one journal an agent connected to
   * another node counts as disconnected here (docs/operations.md).
   */
  disconnectedSinceMs(name: string): number | null {
    for (const s of this.sockets) if (s.token.name === name) return null;
    return this.goneSince.get(name) ?? this.startedAt;
  }

  /** Names of agents with a live socket on this node, with their token (for the wallboard and the transfer picker). */
  connectedTokens(): Map<string, TokenRecord> {
    const byName = new Map<string, TokenRecord>();
    for (const s of this.sockets) byName.set(s.token.name, s.token);
    return byName;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://broker');
    if (url.pathname !== '/v1/agent') return refuse(socket, 404, 'NOT_FOUND', 'The agent websocket is at /v1/agent.');
    const origin = req.headers.origin;
    if (origin && this.options.allowedOrigins && !this.options.allowedOrigins.includes(origin)) {
      return refuse(socket, 403, 'ORIGIN_NOT_ALLOWED', `Connections from ${origin} are not allowed (see COURTDESK_ALLOWED_ORIGINS).`);
    }
    const presented = bearerToken(req.headers.authorization);
    const token = presented ? authenticate(this.tokens.index, presented) : null;
    if (!token) return refuse(socket, 401, 'UNAUTHORIZED', 'Send "Authorization: Bearer <token>" with a live token.');
    if (!can(token.role, 'open-agent-socket')) return refuse(socket, 403, 'FORBIDDEN', forbiddenMessage(token.role, 'open-agent-socket'));
    const { maxSocketsPerToken } = this.options;
    if (maxSocketsPerToken > 0 && this.openSocketsOf(token) >= maxSocketsPerToken) {
      return refuse(
        socket,
        429,
        'TOO_MANY_SOCKETS',
        `This token already has ${maxSocketsPerToken} agent sockets open, the most one token may (--max-sockets-per-token). ` +
          'Close another workbench or script signed in with it, or wait for a dropped connection to time out, then connect again.',
      );
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.welcome(ws, token, url.searchParams));
  }

  /** Closes the sockets of tokens that are no longer live (after a revocation). */
  enforceRevocations(): void {
    for (const s of this.sockets) {
      if (this.revoked(s)) this.cutRevoked(s);
    }
  }

  /** Test and operations hook: cut every socket at once, as a network failure would. */
  dropAll(): void {
    for (const s of this.sockets) s.ws.terminate();
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.fanOut.flush();
    for (const s of this.sockets) s.ws.close(CLOSE_CODES.goingAway, 'broker shutting down');
    // A client that never answers the close would hold the shutdown for ws's 30 s close timeout.
    setTimeout(() => this.dropAll(), SHUTDOWN_CLOSE_GRACE_MS).unref();
    this.wss.close();
  }

  private welcome(ws: WebSocket, token: TokenRecord, params: URLSearchParams): void {
    const socket = new AgentSocket(ws, token, this.limiter.forSocket(token.hash), this.options.maxBufferedBytes);
    this.sockets.add(socket);
    this.options.wallboard.connectionsChanged();
    ws.on('pong', () => {
      socket.alive = true;
    });
    ws.on('close', () => {
      this.sockets.delete(socket);
      this.options.wallboard.unwatch(socket);
      this.options.wallboard.connectionsChanged();
      if (this.disconnectedSinceMs(socket.token.name) !== null) this.goneSince.set(socket.token.name, Date.now());
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      // The last guard: whatever one frame does, the broker goes on serving everyone else.
      this.onMessage(socket, data.toString(), isBinary).catch((err: unknown) => this.logFailure('answering a frame', err));
    });
    this.sendWelcome(socket, params).catch((err: unknown) => {
      this.logFailure(`welcoming ${socket.token.name}`, err);
      ws.close(CLOSE_CODES.internalError, 'the broker could not welcome this connection; reconnect');
    });
  }

  private async sendWelcome(socket: AgentSocket, params: URLSearchParams): Promise<void> {
    const agent = { name: socket.token.name, role: socket.token.role, languages: socket.token.languages };
    const after = Number(params.get('after'));
    const resumable = params.get('epoch') === this.core.epoch && Number.isInteger(after) && after >= 0;
    // Everything folded so far must be on disk before a client may see it.
    await this.core.flush();
    const head = { type: 'welcome' as const, protocol: PROTOCOL_VERSION, agent, epoch: this.core.epoch };
    const missed = resumable ? await this.core.missedSince(after) : null;
    if (missed) {
      if (!(await socket.paced(JSON.stringify({ ...head, seq: after, resumed: true }), true))) return;
      if (!(await this.sendStatusIfDegraded(socket))) return;
      socket.sentSeq = after;
      return this.catchUp(socket, missed);
    }
    // The snapshot is taken now: events folded but not yet durable will follow in the catch-up.
    const seq = this.core.state.seq;
    const rows = params.get(COMPACT_SNAPSHOT_PARAM.name) === COMPACT_SNAPSHOT_PARAM.value;
    const view = captureWelcome(this.core.state, { ...head, seq, resumed: false }, rows);
    if (seq > this.core.durableSeq) await this.core.flush();
    // One welcome frame, as the protocol says, but in fragments each written only once the
    // socket has taken the one before: a slow link is fed at its own pace.
    for (const piece of welcomePieces(view, WELCOME_PIECE_CHARS)) {
      if (!(await socket.paced(piece.text, piece.fin))) return;
    }
    if (!(await this.sendStatusIfDegraded(socket))) return;
    socket.sentSeq = seq;
    return this.catchUp(socket, this.core.eventsAfter(seq));
  }

  /**
   * A client welcomed while the journal cannot be written hears so at once; changes after that
   * reach every socket by broadcast (held, in order, for one still being welcomed).
   */
  private async sendStatusIfDegraded(socket: AgentSocket): Promise<boolean> {
    const health = this.core.health();
    return health.state === 'ok' || socket.paced(JSON.stringify(statusFrame(health)), true);
  }

  private broadcastStatus(health: JournalHealth): void {
    this.fanOut.flush();
    const frame = Buffer.from(JSON.stringify(statusFrame(health)));
    for (const socket of this.sockets) socket.send(frame);
  }

  /**
   * Sends, at the client's pace, `missed` (the events after what it has) and whatever came while
   * they went; then makes the socket live.
   */
  private async catchUp(socket: AgentSocket, missed: EventEntry[] | null): Promise<void> {
    let entries = missed;
    while (entries) {
      if (entries.length === 0) return socket.goLive();
      for (let i = 0; i < entries.length; i += CATCH_UP_EVENTS) {
        const chunk = entries.slice(i, i + CATCH_UP_EVENTS);
        if (!(await socket.paced(JSON.stringify(framed(visibleTo(socket.token.role, chunk))), true))) return;
        socket.sentSeq = chunk[chunk.length - 1]!.seq;
      }
      entries = this.core.eventsAfter(socket.sentSeq);
    }
    // The history kept in memory has moved past this client: it takes a fresh snapshot on reconnect.
    socket.cutSlow('slow consumer: too far behind to catch up; reconnect');
  }

  private async onMessage(socket: AgentSocket, text: string, isBinary: boolean): Promise<void> {
    if (isBinary) return this.send(socket, { type: 'error', error: { code: 'BAD_FRAME', message: 'Send text frames holding JSON.' } });
    let ref: string | null = null;
    try {
      const parsed = parseCommand(text);
      ref = parsed.ok ? parsed.command.ref : parsed.ref;
      // Checked as each frame is handled, not only when the token file changes: nothing a revoked
      // token sends is carried out, even by a client that ignores the close.
      if (this.revoked(socket)) {
        this.send(socket, ref === null ? { type: 'error', error: TOKEN_REVOKED } : { type: 'ack', ref, ok: false, error: TOKEN_REVOKED });
        return this.cutRevoked(socket);
      }
      const limited = socket.takeCommand();
      if (limited) return this.send(socket, ref === null ? { type: 'error', error: limited } : { type: 'ack', ref, ok: false, error: limited });
      if (!parsed.ok) return this.send(socket, ref === null ? { type: 'error', error: parsed.error } : { type: 'ack', ref, ok: false, error: parsed.error });
      const outcome = await this.outcomeOf(socket, parsed.command);
      if (outcome) this.send(socket, outcome);
    } catch (err) {
      this.logFailure(`handling a frame from ${socket.token.name}`, err);
      this.send(socket, ref === null ? { type: 'error', error: internalError('this frame') } : internalAck(ref, 'this command'));
    }
  }

  /** The command's outcome: the remembered one for a ref seen before, else carried out now. */
  private outcomeOf(socket: AgentSocket, command: Command): Promise<Outcome | null> | Outcome {
    const key = `${socket.token.name}\u0000${command.ref}`;
    const known = this.outcomes.get(key) ?? this.running.get(key);
    if (known) return known;
    const running = this.settle(socket, command, key);
    this.running.set(key, running);
    return running;
  }

  /**
   * Carries the command out and remembers its outcome, unless that outcome is not final: the
   * journal could not take it (the same ref is carried out when sent again), or could not say
   * whether it did (null: nothing is said, and the broker stops, so a restart knows).
   */
  private async settle(socket: AgentSocket, command: Command, key: string): Promise<Outcome | null> {
    try {
      const outcome = await this.execute(socket, command, key);
      if (outcome.ok || outcome.error.code !== JOURNAL_UNAVAILABLE) this.outcomes.set(key, outcome);
      return outcome;
    } catch (err) {
      if (err instanceof JournalUnavailableError) return err.uncertain ? null : journalRefusal(command.ref, err);
      this.logFailure(`carrying out ${JSON.stringify(command.type)} (ref ${JSON.stringify(command.ref)}) for ${socket.token.name}`, err);
      return internalAck(command.ref, `"${String(command.type)}"`);
    } finally {
      this.running.delete(key);
    }
  }

  private async execute(socket: AgentSocket, command: Command, key: string): Promise<Outcome> {
    const journalled = this.core.state.refs.get(key);
    // A ref the journal already holds (from before a restart) was applied: answer as the first time.
    if (journalled !== undefined) {
      await this.core.flush();
      return { type: 'ack', ref: command.ref, ok: true, seq: journalled };
    }
    const { name, role, languages } = socket.token;
    let accesses = this.accesses.get(socket);
    if (!accesses) this.accesses.set(socket, (accesses = new SocketAccesses()));
    return executeCommand(
      {
        core: this.core,
        catalogue: this.catalogue,
        agent: { name, role, languages },
        accesses,
        // An enquiry can be handed only to someone whose role may hold one.
        agentExists: (other) => this.tokens.tokens.some((t) => t.name === other && !t.revokedAt && can(t.role, 'claim')),
        routing: this.options.routing,
        wallboard: {
          onlineAgents: () => this.options.wallboard.onlineAgents(),
          watch: () => this.options.wallboard.watch(socket),
          unwatch: () => this.options.wallboard.unwatch(socket),
        },
        ...(socket.token.maxHeld !== undefined ? { heldCap: socket.token.maxHeld } : {}),
      },
      command,
    );
  }

  private send(socket: AgentSocket, frame: ServerFrame): void {
    // The events an ack follows go first: they may still be waiting for the end of this turn.
    this.fanOut.flushTo(socket);
    socket.send(Buffer.from(JSON.stringify(frame)));
  }

  private openSocketsOf(token: TokenRecord): number {
    let open = 0;
    for (const s of this.sockets) if (s.token.hash === token.hash && s.ws.readyState === s.ws.OPEN) open++;
    return open;
  }

  private revoked(socket: AgentSocket): boolean {
    return !this.tokens.index.has(socket.token.hash);
  }

  /**
   * Closes with 4001, then destroys the socket once the close frame has had time to go out: a
   * client that never answers the close must not hold the connection for the handshake's 30 s.
   */
  private cutRevoked(socket: AgentSocket): void {
    if (socket.ws.readyState === socket.ws.OPEN) socket.ws.close(CLOSE_CODES.tokenRevoked, 'token revoked: log in with a new token');
    setTimeout(() => socket.ws.terminate(), REVOKED_CLOSE_GRACE_MS).unref();
  }

  private logFailure(doing: string, err: unknown): void {
    this.options.log(`error ${doing}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  private beat(): void {
    for (const s of this.sockets) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }
}

function statusFrame(health: JournalHealth): ServerFrame {
  if (health.state === 'ok') return { type: 'status', journal: 'ok', message: null };
  const what = health.state === 'degraded' ? 'The broker cannot save anything just now' : 'The broker has stopped saving and is shutting down';
  return { type: 'status', journal: health.state, message: `${what} (${health.reason}); commands are kept and sent again when it can.` };
}

function internalError(what: string): ErrorBody {
  return {
    code: 'INTERNAL',
    message: `The broker could not carry out ${what}: it failed inside the broker and is logged there. Try again; if it fails again, tell whoever runs the broker.`,
  };
}

function internalAck(ref: string, what: string): Outcome {
  return { type: 'ack', ref, ok: false, error: internalError(what) };
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}Connection: close\r\n\r\n${body}`,
  );
}
