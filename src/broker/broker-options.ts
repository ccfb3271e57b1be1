// Every broker option, documented in one place, and what a started broker gives back. The CLI
// (cli/commands/broker.ts) maps flags and COURTDESK_ variables onto these.
import type { ChannelConfig } from './channels/index.js';
import type { MailConfig } from './escalation/transports/index.js';
import type { JournalFiles } from './journal/file-ops.js';
import type { Repair } from './journal/replay.js';

/** Every broker option, with its default. */
export interface BrokerOptions {
  /** Folder for the journal, tokens and outbox. Created if missing. */
  dataDir: string;
  /**
   * A postgres://USER@HOST:PORT/DB?schema=NAME URL: the journal is kept there instead of in the
   * data folder, shared by every broker node given the same URL (docs/operations.md). Default: the file.
   */
  store?: string;
  /** How long a delivery lease lasts unrenewed on a shared journal: a dead node's deliveries are taken over after it. Default 30 s. */
  deliveryLeaseMs?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 7340. */
  port?: number;
  /** Sustained intake requests per second per token. Default 50. */
  intakeRatePerSecond?: number;
  /** Intake burst per token. Default twice the rate. */
  intakeBurst?: number;
  /** Ping interval; a socket that missed the previous pong is dropped. Default 30,000 ms. */
  heartbeatMs?: number;
  /**
   * Bytes queued for one live agent socket before it is cut off as a slow consumer (close 4008).
   * The welcome snapshot is not counted: it goes out at the client's pace. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Agent sockets one token may hold open at once; another is refused with HTTP 429. 0: no limit. Default 8. */
  maxSocketsPerToken?: number;
  /**
   * Agent commands per second one socket may send, sustained, and its burst; past them a command
   * is answered RATE_LIMITED and not carried out. Every frame counts, queries included. 0 turns
   * the limit off. Defaults 20 a second, burst twice the rate.
   */
  commandRatePerSocket?: number;
  commandBurstPerSocket?: number;
  /** The same for one token across all its sockets. Defaults 40 a second, burst twice the rate. */
  commandRatePerToken?: number;
  commandBurstPerToken?: number;
  /** Allowed websocket Origin values; null allows any (non-browser clients send none). */
  allowedOrigins?: string[] | null;
  /** Durable events kept in memory for resuming clients. Default 100,000. */
  recentEvents?: number;
  /**
   * A checkpoint of the state (DATA/checkpoint.ndjson) is written at shutdown and, while serving,
   * after this many events, at most once per `checkpointMinIntervalMs`; a start then folds only the
   * events after it. 0 writes one only at shutdown. Defaults 100,000 events and 300,000 ms.
   */
  checkpointEvery?: number;
  checkpointMinIntervalMs?: number;
  /** HMAC secret for callback signatures; default read from (or created in) DATA/callback-secret. */
  callbackSecret?: string;
  /** A folder of the deployment's own templates (en/ and cy/ inside), adding to or replacing the built-in ones. Default DATA/templates when it exists. */
  templatesDir?: string;
  /**
   * WhatsApp and SMS (docs/channels.md), usually from `channelConfigFromEnv(process.env)`. A channel
   * that is null is off: its webhooks answer 404 and replies on it wait, pending. Default: both off.
   */
  channels?: ChannelConfig;
  /** How court emails go out. Default: the outbox, `.eml` files in DATA/outbox. */
  mail?: MailConfig;
  /** Working days an escalation may go unanswered before it is due a chase. Default 5. */
  chaseAfterWorkingDays?: number;
  /** First retry delay for replies and court emails; doubles to `deliveryMaxDelayMs`. Defaults 1,000 and 600,000 ms. */
  deliveryBaseDelayMs?: number;
  deliveryMaxDelayMs?: number;
  /**
   * Longest a client may take to send a request's headers, websocket upgrades included; it is then
   * answered 408 and closed. Node looks only every `connectionsCheckingInterval` (30 s unless set),
   * so the broker has it look every second, or every quarter of this limit when that is shorter:
   * a connection dribbling its headers lives at most this plus a second. Default 10,000 ms.
   */
  headersTimeoutMs?: number;
  /** Where log lines go (never secrets). Default stderr. */
  log?: (line: string) => void;
  /** How the journal opens its files. Default node:fs; the fault tests pass files that fail on cue. */
  journalFiles?: JournalFiles;
  /** How often a journal that could not write tries a test write to see if it can again. Default 1,000 ms. */
  journalProbeMs?: number;
  /**
   * Losses an operator accepts for this start only, as a refusal to start tells them to:
   * `truncateAt` cuts a damaged record (and all after it) at that byte; `acceptLostRecords`
   * starts on a journal its checkpoint proves is missing records. Either is recorded in the
   * journal and starts a new epoch. Default: refuse.
   */
  journalRepair?: Repair;
  /**
   * Seal court users' personal content in the journal under per-enquiry keys
   * (DATA/content-keys.ndjson), so retention can remove it. Default true; off only to measure it.
   */
  encryptContent?: boolean;
  /**
   * Remove the personal content of enquiries closed longer ago than this (e.g. "6y", "18m",
   * "90d"), at start and then daily. Default: never (retention is then `courtdesk retention apply`).
   */
  retainClosed?: string;
  /**
   * Signed heads (docs/records.md): the journal's head {epoch, seq, hash, at} is signed with the
   * Ed25519 key in DATA/journal-signing.key (made at the first start; public half in
   * DATA/journal-signing.pub) and appended to DATA/signed-heads.ndjson every `signEvery` durable
   * events, every `signIntervalMs` if the head moved, and at every clean stop. 0 turns either
   * trigger off. Defaults 10,000 events and 300,000 ms. Signing never stops the broker: a
   * failure is logged and tried again.
   */
  signEvery?: number;
  signIntervalMs?: number;
  /** A second file, best on another volume, that gets the same signed-head lines (fsynced). */
  headsCopy?: string;
  /** A witness each signed head is POSTed to as JSON; failures are logged and retried, never waited on. */
  headsUrl?: string;
  /** Routing (domain/routing.ts): how long an enquiry waits for speakers of its language first. Default 300,000 ms. */
  languageFirstMs?: number;
  /** Enquiries one agent may hold at once before take-next refuses them; a token's --max-held overrides it. Default 3. */
  maxHeldPerAgent?: number;
  /** An agent away or disconnected this long has their waiting enquiries returned to the queue. Default 600,000 ms. */
  returnAfterMs?: number;
  /** The service level: a first reply within this many minutes of receipt meets it (the wallboard, `courtdesk stats`). Default 20. */
  slaMinutes?: number;
  /** Below this share (%) of first replies within the service level the wallboard marks the day bad. Default 80. */
  slaTargetPercent?: number;
  /** How often the broker looks for such enquiries. Default 30,000 ms. */
  returnCheckMs?: number;
  /**
   * Send each new enquiry with somewhere to send to an automatic acknowledgement (its place and
   * the estimated wait). Default true; off for a web form that shows its own (COURTDESK_ACKNOWLEDGE=off).
   */
  acknowledgeEnquiries?: boolean;
}

export interface RunningBroker {
  /** http://HOST:PORT */
  url: string;
  port: number;
  epoch: string;
  /** Warnings from opening the journal (e.g. a torn tail truncated). */
  warnings: string[];
  /** Stops accepting, closes sockets with 1001, flushes and closes the journal. */
  close(): Promise<void>;
  /** Cuts every agent socket, as a network failure would (tests and drills). */
  dropAllSockets(): void;
  /**
   * Resolves, with the reason, once the broker has stopped itself because an fsync of the journal
   * failed (after which no write can be trusted); never resolves otherwise.
   */
  failed: Promise<string>;
}
