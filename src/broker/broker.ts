// Starts the broker: one HTTP server for intake and health that also accepts the agent websocket.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AgentHub } from './agent-hub.js';
import type { BrokerOptions, RunningBroker } from './broker-options.js';
import { WallboardFeed } from './wallboard-feed.js';
import { DEFAULT_THRESHOLDS } from '../domain/centre-figures.js';
import { callbackSender } from './callback-sender.js';
import { channelSenders, describeChannels, SentReplies } from './channels/index.js';
import { DEFAULT_CHASE_AFTER_WORKING_DAYS } from '../domain/escalations.js';
import type { Catalogue } from './commands.js';
import { BrokerCore } from './core.js';
import { CourtDirectory } from './escalation/court-directory.js';
import { courtEmails } from './escalation/escalation-delivery.js';
import { loadTemplates, userTemplatesDir } from './escalation/template-loader.js';
import { createTransport, describeMailConfig, mailConfigFromEnv } from './escalation/transports/index.js';
import { handleAccessLog } from './http/access-routes.js';
import { handleChannelWebhook } from './http/channel-routes.js';
import { handleEscalationAnswer } from './http/escalation-routes.js';
import { exportRoute } from './http/export-routes.js';
import { handleIntake } from './http/intake-routes.js';
import { handleStats } from './http/stats-routes.js';
import { routeAction, tokenHint } from './http/routes.js';
import { HttpError, journalUnavailable, sendError, sendJson } from './http/respond.js';
import { JOURNAL_RETRY_AFTER_SECONDS } from '../protocol/frames.js';
import { FileJournalStore } from './journal/file-store.js';
import { checkHeadsUrl, HeadSigner } from './journal/head-signer.js';
import { PgJournalStore } from './journal/pg-store.js';
import { JournalUnavailableError, type JournalPosition, type JournalStore } from './journal/store.js';
import { RateLimiter } from './rate-limit.js';
import { scheduleRetention } from './retention.js';
import { listen } from './http/listen.js';
import { scheduleReturns } from './presence-returns.js';
import { Acknowledger, loadAcknowledgements } from './acknowledgements.js';
import { DEFAULT_ROUTING, type RoutingPolicy } from '../domain/routing.js';
import { replyDeliveries } from './reply-delivery.js';
import { DeliveryWorker } from './delivery-worker.js';
import { DEFAULT_LEASE_MS, type DeliveryLeases } from './journal/delivery-leases.js';
import type { SharedTokens } from './journal/pg-tokens.js';
import { authenticate, bearerToken, TokenWatcher } from './tokens.js';

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const log = options.log ?? ((line: string) => process.stderr.write(`courtdesk broker: ${line}\n`));
  if (options.headsUrl !== undefined) checkHeadsUrl(options.headsUrl);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });

  const store: JournalStore = options.store
    ? new PgJournalStore({ url: options.store, log, probeIntervalMs: options.journalProbeMs, sealContent: options.encryptContent ?? true })
    : new FileJournalStore({
        dir: options.dataDir,
        log,
        files: options.journalFiles,
        probeIntervalMs: options.journalProbeMs,
        repair: options.journalRepair,
        sealContent: options.encryptContent ?? true,
      });
  const core = new BrokerCore(store, {
    recentLimit: options.recentEvents ?? 100_000,
    checkpointDir: options.dataDir,
    checkpointEvery: options.checkpointEvery ?? 100_000,
    checkpointMinIntervalMs: options.checkpointMinIntervalMs ?? 300_000,
    log,
  });
  const { warnings, resumedAfter, lastSeq } = await core.open();
  for (const w of warnings) log(`warning: ${w}`);
  if (resumedAfter > 0) log(`journal: started from the checkpoint at seq ${resumedAfter}, then folded the ${lastSeq - resumedAfter} events after it`);
  const signer = await HeadSigner.start(
    { dir: options.dataDir, every: options.signEvery ?? 10_000, intervalMs: options.signIntervalMs ?? 300_000, copyPath: options.headsCopy, url: options.headsUrl, log },
    store.position(),
  );
  store.onCommit((records) => signer?.committed({ epoch: core.epoch, seq: records[records.length - 1]!.seq, hash: records[records.length - 1]!.hash }));
  try {
    return await serve(core, options, log, warnings, { signer, position: () => store.position(), leases: store.deliveryLeases(options.deliveryLeaseMs ?? DEFAULT_LEASE_MS), sharedTokens: store.sharedTokens() });
  } catch (err) {
    // A start that fails leaves nothing behind, the journal's lock included.
    await signer?.close(undefined).catch(() => {});
    await core.close({ checkpoint: false }).catch(() => {});
    throw err;
  }
}

/** What a start made for serve() to stop at the end: the head signer, and the journal position it signs at a clean stop. */
interface Stops {
  signer: HeadSigner | undefined;
  position: () => JournalPosition;
  /** Who sends each outbound delivery (the store's). */
  leases: DeliveryLeases;
  /** The other nodes' tokens, on a shared journal. */
  sharedTokens: SharedTokens | undefined;
}

/** Everything after the journal is open: the catalogue, the hub, deliveries and the HTTP server. */
async function serve(core: BrokerCore, options: BrokerOptions, log: (line: string) => void, warnings: string[], stops: Stops): Promise<RunningBroker> {
  const { signer } = stops;
  let hub: AgentHub | undefined;
  const tokens = new TokenWatcher(options.dataDir, () => hub?.enforceRevocations(), log, stops.sharedTokens);
  await tokens.start();
  const catalogue = await loadCatalogue(options);
  const routing = routingPolicy(options);
  for (const problem of catalogue.templates.problems) log(`template not loaded: ${problem}`);
  const wallboard = new WallboardFeed(core, {
    thresholds: {
      slaMs: (options.slaMinutes ?? DEFAULT_THRESHOLDS.slaMs / 60_000) * 60_000,
      slaTargetPercent: options.slaTargetPercent ?? DEFAULT_THRESHOLDS.slaTargetPercent,
      chaseAfterDays: options.chaseAfterWorkingDays ?? DEFAULT_CHASE_AFTER_WORKING_DAYS,
    },
    heldCap: routing.heldCap,
    tokens: () => tokens.tokens,
    connected: () => new Set(hub?.connectedTokens().keys()),
  });
  hub = new AgentHub(core, tokens, catalogue, {
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    maxSocketsPerToken: options.maxSocketsPerToken ?? 8,
    commandLimits: {
      perSocket: rateLimit(options.commandRatePerSocket ?? 20, options.commandBurstPerSocket),
      perToken: rateLimit(options.commandRatePerToken ?? 40, options.commandBurstPerToken),
    },
    allowedOrigins: options.allowedOrigins ?? null,
    log,
    routing,
    wallboard,
  });
  const agents = hub;
  const ackProblems: string[] = [];
  const ackTexts = options.acknowledgeEnquiries === false ? new Map() : await loadAcknowledgements(await ownTemplatesDir(options), ackProblems);
  const acknowledger = new Acknowledger(core, ackTexts, (language) => agents.availableFor(language));
  for (const problem of ackProblems) log(`acknowledgement template not loaded: ${problem}`);
  const returns = scheduleReturns(core, routing, (name) => agents.disconnectedSinceMs(name), options.returnCheckMs ?? 30_000, log);

  const rate = options.intakeRatePerSecond ?? 50;
  const limiter = new RateLimiter(rate, options.intakeBurst ?? rate * 2);
  const sendCallback = callbackSender(options.callbackSecret ?? (await callbackSecret(options.dataDir)));
  const retry = { baseDelayMs: options.deliveryBaseDelayMs ?? 1000, maxDelayMs: options.deliveryMaxDelayMs ?? 600_000 };
  const channels = options.channels ?? { whatsapp: null, sms: null };
  const sent = new SentReplies(() => core.state);
  core.onCommit((entries) => sent.learn(entries));
  const channelSender = channelSenders(channels);
  const mail = options.mail ?? mailConfigFromEnv({});
  const kinds = [
    replyDeliveries(core, (enquiry) => (enquiry.callbackUrl ? sendCallback : channelSender(enquiry)), log),
    courtEmails(core, {
      transport: createTransport(mail, { dataDir: options.dataDir }),
      chaseAfterWorkingDays: options.chaseAfterWorkingDays ?? DEFAULT_CHASE_AFTER_WORKING_DAYS,
      log,
    }),
  ];
  const deliveries = new DeliveryWorker(core, kinds, stops.leases, { ...retry, log });
  deliveries.resumePending();
  const retention = options.retainClosed ? scheduleRetention(core, options.retainClosed, log) : undefined;

  // A slow or silent client must not hold a connection open (docs/operations.md, "Timeouts").
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const limits = {
    headersTimeout,
    // Node refuses a headers limit longer than the whole request's.
    requestTimeout: Math.max(30_000, headersTimeout),
    // How often Node looks for connections past those limits; its 30 s default let them live 30 s.
    connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 4)),
  };
  const server = createServer(limits, (req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err);
      if (err instanceof JournalUnavailableError) {
        // Not provably absent from the journal: say nothing rather than something that may be untrue.
        if (err.uncertain) return res.destroy();
        return sendError(res, journalUnavailable(err));
      }
      log(`error handling ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, new HttpError(500, 'INTERNAL', 'The broker could not handle this request; it is logged. Try again.'));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.timeout = 60_000;
  server.on('upgrade', (req, socket, head) => agents.handleUpgrade(req, socket, head));
  const exportTranscript = exportRoute(core, options.dataDir);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://broker').pathname;
    if (path === '/healthz') {
      const health = core.health();
      if (health.state === 'ok') sendJson(res, 200, { ok: true, journal: 'ok', epoch: core.epoch, seq: core.durableSeq });
      // 503, so a load balancer stops sending intake here while the journal cannot be written.
      else sendJson(res, 503, { ok: false, journal: health.state, reason: health.reason, since: health.since, epoch: core.epoch, seq: core.durableSeq }, { 'retry-after': String(JOURNAL_RETRY_AFTER_SECONDS) });
      return;
    }
    if (!path.startsWith('/v1/')) throw new HttpError(404, 'NOT_FOUND', `Nothing is at ${path}. See docs/protocol.md for the routes.`);
    // Providers sign their webhooks instead of sending a token.
    if (await handleChannelWebhook({ core, channels, sent, log, acknowledger }, req, res, path)) return;
    const action = routeAction(path);
    if (!action) throw new HttpError(404, 'NOT_FOUND', `Nothing is at ${path}. See docs/protocol.md for the routes.`);
    const presented = bearerToken(req.headers.authorization);
    const caller = presented ? authenticate(tokens.index, presented) : null;
    if (!caller) throw new HttpError(401, 'UNAUTHORIZED', tokenHint(action), { 'www-authenticate': 'Bearer' });
    const handled =
      (await handleIntake({ core, limiter, acknowledger }, caller, req, res, path)) ||
      (await handleEscalationAnswer(core, caller, req, res, path)) ||
      (await handleAccessLog({ core, dataDir: options.dataDir }, caller, req, res, path)) ||
      handleStats(wallboard, caller, req, res, path) ||
      (await exportTranscript(caller, req, res, path));
    if (!handled) throw new HttpError(404, 'NOT_FOUND', `Nothing is at ${path}. See docs/protocol.md for the routes.`);
  }

  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 7340;
  try {
    await listen(server, host, port);
  } catch (err) {
    // A start that fails leaves nothing behind: no lock, no timers, no half-open deliveries.
    retention?.stop();
    returns.stop();
    await tokens.stop();
    agents.close();
    wallboard.close();
    await deliveries.stop();
    throw err;
  }
  log(`court email: ${describeMailConfig(mail)}`);
  log(`channels: ${describeChannels(channels, core.state)}`);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Deliveries under way finish (within one bound for both) while the journal can still record them.
      await deliveries.stop();
      await tokens.stop();
      retention?.stop();
      returns.stop();
      agents.close();
      wallboard.close();
      server.closeIdleConnections();
      await core.close();
      // After a failed fsync the journal's end is not known: sign nothing.
      await signer?.close(core.health().state === 'failed' ? undefined : stops.position());
      // Sockets that never finish their close handshake must not keep the process alive.
      setTimeout(() => server.closeAllConnections(), 2000).unref();
      await stopped;
    })();
    return closing;
  };
  const failed = new Promise<string>((resolve) => {
    core.onHealth((health) => {
      if (health.state !== 'failed') return;
      log(`stopping: the journal can no longer be trusted to write (${health.reason}). Restart the broker: it reads back what the disk holds, and nothing acknowledged is lost`);
      void close().then(() => resolve(health.reason), () => resolve(health.reason));
    });
  });
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    epoch: core.epoch,
    warnings,
    failed,
    dropAllSockets: () => agents.dropAll(),
    close,
  };
}

function rateLimit(ratePerSecond: number, burst: number | undefined): { ratePerSecond: number; burst: number } {
  return { ratePerSecond, burst: burst ?? ratePerSecond * 2 };
}

/** The deployment's own templates folder, if it has one. */
async function ownTemplatesDir(options: BrokerOptions): Promise<string | undefined> {
  const inData = userTemplatesDir(options.dataDir);
  return options.templatesDir ?? ((await stat(inData).catch(() => null))?.isDirectory() ? inData : undefined);
}

async function loadCatalogue(options: BrokerOptions): Promise<Catalogue> {
  const userDir = await ownTemplatesDir(options);
  return {
    courts: await CourtDirectory.load(options.dataDir),
    templates: await loadTemplates(userDir ? { userDir } : {}),
  };
}

/** The callback signing secret: COURTDESK_CALLBACK_SECRET wins; else one kept in the data folder. */
async function callbackSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, 'callback-secret');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(path, 'utf8')).trim();
  }
}

function routingPolicy(options: BrokerOptions): RoutingPolicy {
  return {
    languageFirstMs: options.languageFirstMs ?? DEFAULT_ROUTING.languageFirstMs,
    heldCap: options.maxHeldPerAgent ?? DEFAULT_ROUTING.heldCap,
    returnAfterMs: options.returnAfterMs ?? DEFAULT_ROUTING.returnAfterMs,
  };
}
