// `courtdesk broker`: runs the broker in the foreground until SIGINT or SIGTERM.
import { startBroker } from '../../broker/broker.js';
import type { BrokerOptions } from '../../broker/broker-options.js';
import { channelConfigFromEnv, formatChannelSettings } from '../../broker/channels/index.js';
import { mailConfigFromEnv } from '../../broker/escalation/transports/index.js';
import { closedBeforeFor } from '../../domain/retention.js';
import { checkHeadsUrl } from '../../broker/journal/head-signer.js';
import { parseStoreUrl, StoreNotMigratedError } from '../../broker/journal/pg-schema.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage: courtdesk broker [--host 127.0.0.1] [--port 7340] [--data DIR]

Runs the broker: HTTP intake, the agent websocket and the journal in DIR.

Options (each also read from the environment variable shown):
  --host HOST            interface to listen on (COURTDESK_HOST, default 127.0.0.1)
  --port PORT            TCP port, 0 for any free one (COURTDESK_PORT, default 7340)
  --data DIR             data folder (COURTDESK_DATA, default ./courtdesk-data)
  --store URL            keep the journal in PostgreSQL, postgres://USER@HOST:PORT/DB?schema=NAME,
                         shared by every broker given the same URL (COURTDESK_STORE; default the
                         file in DIR; create its tables first with courtdesk store migrate)
  --intake-rate N        intake requests per second per token (COURTDESK_INTAKE_RATE, default 50)
  --heartbeat-ms N       websocket ping interval (COURTDESK_HEARTBEAT_MS, default 30000)
  --command-rate N       agent commands per second one socket may send, bursts twice that
                         (COURTDESK_COMMAND_RATE, default 20; 0: no limit)
  --token-command-rate N the same for one token across all its sockets
                         (COURTDESK_TOKEN_COMMAND_RATE, default 40; 0: no limit)
  --allowed-origins L    comma-separated websocket Origins allowed (COURTDESK_ALLOWED_ORIGINS)
  --max-sockets-per-token N
                         agent sockets one token may hold open at once; more are refused with 429
                         (COURTDESK_MAX_SOCKETS_PER_TOKEN, default 8; 0: no limit)
  --templates DIR        the deployment's own email templates, en/ and cy/ inside (COURTDESK_TEMPLATES)
  --chase-after-days N   working days an escalation waits unanswered before it is due a chase
                         (COURTDESK_CHASE_AFTER_DAYS, default 5; weekends and bank holidays skipped)
  --language-first-seconds N
                         how long an enquiry not in English is offered only to agents who speak its
                         language before anyone may take it (COURTDESK_LANGUAGE_FIRST_SECONDS, default 300)
  --max-held N           enquiries one agent may hold at once before take-next refuses them; a
                         token's own --max-held overrides it (COURTDESK_MAX_HELD, default 3)
  --return-after-seconds N
                         an agent away or disconnected this long has their waiting enquiries
                         returned to the queue (COURTDESK_RETURN_AFTER_SECONDS, default 600)
  --sla-minutes N        a first reply within this many minutes of receipt meets the service level:
                         the wallboard and \`courtdesk stats\` count by it (COURTDESK_SLA_MINUTES, default 20)
  --sla-target-percent N the wallboard marks the day bad below this share of first replies within
                         the service level (COURTDESK_SLA_TARGET_PERCENT, default 80)
  --checkpoint-every N   events after which the state is checkpointed while serving, so a restart
                         folds only what came after (COURTDESK_CHECKPOINT_EVERY, default 100000;
                         0: only at shutdown)
  --checkpoint-interval-ms N
                         the least time between two such checkpoints
                         (COURTDESK_CHECKPOINT_INTERVAL_MS, default 300000)
  --sign-every N         durable events after which the journal's head is signed into
                         DATA/signed-heads.ndjson (COURTDESK_SIGN_EVERY, default 10000; 0: not by count)
  --sign-interval-ms N   how often the head is signed if it moved (COURTDESK_SIGN_INTERVAL_MS,
                         default 300000; 0: not by time); it is also signed at every clean stop
  --heads-copy PATH      a second file, best on another volume, that gets every signed head too
                         (COURTDESK_HEADS_COPY)
  --heads-url URL        a witness that each signed head is POSTed to as JSON; failures are logged
                         and retried (COURTDESK_HEADS_URL). See docs/records.md

Records (docs/records.md):
  --retain-closed PERIOD remove the personal content of enquiries closed longer ago than PERIOD
                         (e.g. 6y, 18m, 90d), at start and daily (COURTDESK_RETAIN_CLOSED; default never)

Repairs, for one start, only when a refusal to start says to (docs/operations.md); each is
recorded in the journal and starts a new epoch:
  --truncate-journal-at BYTE
                         cut the journal at the damaged record that starts at BYTE, losing it
                         and everything after it (kept in DATA/journal.ndjson.cut-at-BYTE)
  --accept-lost-records  start on a journal that its checkpoint proves is missing records

Other settings:
  COURTDESK_CALLBACK_SECRET   HMAC secret for callback signatures (default: DATA/callback-secret)
  COURTDESK_DELIVERY_LEASE_MS with --store postgres://…, how long a node's hold on a delivery
                              lasts unrenewed: a dead node's deliveries go out from another
                              node after it (default 30000)

Court email (docs/templates.md):
  COURTDESK_MAIL_TRANSPORT    outbox (default: .eml files in DATA/outbox), smtp or notify
  COURTDESK_MAIL_FROM         sender, e.g. "Courts contact centre <contact@example.gov.uk>"
  COURTDESK_SMTP_HOST, COURTDESK_SMTP_PORT, COURTDESK_SMTP_SECURE (tls|starttls|none),
  COURTDESK_SMTP_USER, COURTDESK_SMTP_PASSWORD, COURTDESK_SMTP_CA_FILE
  COURTDESK_NOTIFY_API_KEY, COURTDESK_NOTIFY_TEMPLATE_ID, COURTDESK_NOTIFY_BASE_URL,
  COURTDESK_NOTIFY_REPLY_TO_ID

Channels (docs/channels.md). A channel with none of its settings is off; one with only some of
them stops the broker from starting:
${formatChannelSettings().join('\n')}
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('broker', argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string' },
    store: { type: 'string' },
    'intake-rate': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'command-rate': { type: 'string' },
    'token-command-rate': { type: 'string' },
    'allowed-origins': { type: 'string' },
    'max-sockets-per-token': { type: 'string' },
    templates: { type: 'string' },
    'chase-after-days': { type: 'string' },
    'language-first-seconds': { type: 'string' },
    'max-held': { type: 'string' },
    'return-after-seconds': { type: 'string' },
    'sla-minutes': { type: 'string' },
    'sla-target-percent': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'checkpoint-interval-ms': { type: 'string' },
    'sign-every': { type: 'string' },
    'sign-interval-ms': { type: 'string' },
    'heads-copy': { type: 'string' },
    'heads-url': { type: 'string' },
    'truncate-journal-at': { type: 'string' },
    'accept-lost-records': { type: 'boolean' },
    'retain-closed': { type: 'string' },
  });
  if (!flags.ok) return fail('broker', flags.message, 2);
  const { values } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = process.env;
  const options: BrokerOptions = { dataDir: dataDirFrom(values.data), host: values.host ?? env.COURTDESK_HOST ?? '127.0.0.1' };
  try {
    // Only what was given: the defaults are startBroker's, stated once (and in HELP for people).
    options.port = wholeNumber('--port', values.port ?? env.COURTDESK_PORT);
    options.intakeRatePerSecond = wholeNumber('--intake-rate', values['intake-rate'] ?? env.COURTDESK_INTAKE_RATE);
    options.heartbeatMs = wholeNumber('--heartbeat-ms', values['heartbeat-ms'] ?? env.COURTDESK_HEARTBEAT_MS);
    options.commandRatePerSocket = wholeNumber('--command-rate', values['command-rate'] ?? env.COURTDESK_COMMAND_RATE);
    options.commandRatePerToken = wholeNumber('--token-command-rate', values['token-command-rate'] ?? env.COURTDESK_TOKEN_COMMAND_RATE);
    options.maxSocketsPerToken = wholeNumber('--max-sockets-per-token', values['max-sockets-per-token'] ?? env.COURTDESK_MAX_SOCKETS_PER_TOKEN);
    options.chaseAfterWorkingDays = wholeNumber('--chase-after-days', values['chase-after-days'] ?? env.COURTDESK_CHASE_AFTER_DAYS);
    const seconds = (flag: string, value: string | undefined) => {
      const n = wholeNumber(flag, value);
      return n === undefined ? undefined : n * 1000;
    };
    options.languageFirstMs = seconds('--language-first-seconds', values['language-first-seconds'] ?? env.COURTDESK_LANGUAGE_FIRST_SECONDS);
    options.maxHeldPerAgent = wholeNumber('--max-held', values['max-held'] ?? env.COURTDESK_MAX_HELD);
    options.returnAfterMs = seconds('--return-after-seconds', values['return-after-seconds'] ?? env.COURTDESK_RETURN_AFTER_SECONDS);
    options.slaMinutes = wholeNumber('--sla-minutes', values['sla-minutes'] ?? env.COURTDESK_SLA_MINUTES);
    if (options.slaMinutes === 0) throw new Error('--sla-minutes must be at least 1: a first reply cannot be within no time at all');
    options.slaTargetPercent = wholeNumber('--sla-target-percent', values['sla-target-percent'] ?? env.COURTDESK_SLA_TARGET_PERCENT);
    if (options.slaTargetPercent !== undefined && options.slaTargetPercent > 100) throw new Error(`--sla-target-percent must be from 0 to 100 (got ${options.slaTargetPercent})`);
    options.checkpointEvery = wholeNumber('--checkpoint-every', values['checkpoint-every'] ?? env.COURTDESK_CHECKPOINT_EVERY);
    options.checkpointMinIntervalMs = wholeNumber('--checkpoint-interval-ms', values['checkpoint-interval-ms'] ?? env.COURTDESK_CHECKPOINT_INTERVAL_MS);
    const retainClosed = values['retain-closed'] ?? env.COURTDESK_RETAIN_CLOSED;
    if (retainClosed) {
      closedBeforeFor(retainClosed, new Date());
      options.retainClosed = retainClosed;
    }
    const store = values.store ?? env.COURTDESK_STORE;
    if (store) {
      parseStoreUrl(store);
      options.store = store;
    }
    options.deliveryLeaseMs = wholeNumber('COURTDESK_DELIVERY_LEASE_MS', env.COURTDESK_DELIVERY_LEASE_MS);
    // Off only for measuring what sealing costs (bench/intake.js): never in service.
    if (env.COURTDESK_ENCRYPT_CONTENT === 'off') options.encryptContent = false;
    if (env.COURTDESK_ACKNOWLEDGE === 'off') options.acknowledgeEnquiries = false;
    options.signEvery = wholeNumber('--sign-every', values['sign-every'] ?? env.COURTDESK_SIGN_EVERY);
    options.signIntervalMs = wholeNumber('--sign-interval-ms', values['sign-interval-ms'] ?? env.COURTDESK_SIGN_INTERVAL_MS);
    options.headsCopy = (values['heads-copy'] ?? env.COURTDESK_HEADS_COPY) || undefined;
    options.headsUrl = (values['heads-url'] ?? env.COURTDESK_HEADS_URL) || undefined;
    if (options.headsUrl !== undefined) checkHeadsUrl(options.headsUrl);
    const truncateAt = wholeNumber('--truncate-journal-at', values['truncate-journal-at']);
    if (truncateAt !== undefined || values['accept-lost-records']) {
      options.journalRepair = { ...(truncateAt !== undefined ? { truncateAt } : {}), ...(values['accept-lost-records'] ? { acceptLostRecords: true } : {}) };
    }
  } catch (err) {
    return fail('broker', (err as Error).message, 2);
  }
  const origins = values['allowed-origins'] ?? env.COURTDESK_ALLOWED_ORIGINS;
  if (origins) options.allowedOrigins = origins.split(',').map((o) => o.trim()).filter(Boolean);
  if (env.COURTDESK_CALLBACK_SECRET) options.callbackSecret = env.COURTDESK_CALLBACK_SECRET;
  const templates = values.templates ?? env.COURTDESK_TEMPLATES;
  if (templates) options.templatesDir = templates;
  const channels = channelConfigFromEnv(env);
  if (!channels.ok) {
    return fail('broker', `the channel settings are not usable (see docs/channels.md or courtdesk broker --help):\n  ${channels.problems.join('\n  ')}`, 2);
  }
  options.channels = channels.config;
  try {
    options.mail = mailConfigFromEnv(env);
  } catch (err) {
    return fail('broker', `court email is not configured correctly: ${(err as Error).message}`, 2);
  }

  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker(options);
  } catch (err) {
    if (err instanceof StoreNotMigratedError) return fail('broker', err.message, 2);
    throw err;
  }
  process.stdout.write(`courtdesk broker listening on ${broker.url} (data ${options.dataDir}${options.store ? `, journal ${parseStoreUrl(options.store).shown}` : ''}, epoch ${broker.epoch})\n`);
  const failure = await new Promise<string | null>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // A second Ctrl-C must not skip the flush and the checkpoint: say what is happening instead.
      if (stopping) {
        process.stdout.write(`courtdesk broker: ${signal} received again; still stopping (closing sockets, flushing the journal, writing the checkpoint). kill -9 stops at once and loses nothing acknowledged, but the next start is slower\n`);
        return;
      }
      stopping = true;
      process.stdout.write(`courtdesk broker: ${signal} received, flushing the journal and closing sockets\n`);
      void broker.close().then(() => resolve(null));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    void broker.failed.then(resolve);
  });
  if (failure !== null) {
    process.stderr.write(
      `courtdesk broker: stopped because the journal could not be written safely (${failure}). ` +
        'Fix the disk, then start the broker again: it reads back what the journal holds, and nothing acknowledged is lost.\n',
    );
    return EXIT_JOURNAL_FAILED;
  }
  process.stdout.write('courtdesk broker: stopped cleanly\n');
  return 0;
}

/** The broker stopped itself after a failed fsync (EX_TEMPFAIL): a supervisor should restart it once the disk is fixed. */
export const EXIT_JOURNAL_FAILED = 75;

function wholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number (got "${raw}")`);
  return n;
}
