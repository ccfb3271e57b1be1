// `courtdesk send --text T`: an enquiry through HTTP intake, as a channel would post it — the
// quickest way for a smoke test to put something in the queue.
import { callBroker } from '../broker-http.js';
import { CHANNELS, LANGUAGES } from '../../domain/events.js';
import { brokerHttpUrl, COMMON_HELP, requiredText, resolveBrokerLogin, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk send --text T [--from F] [--name N] [--channel C] [--language en|cy]
                      [--idempotency-key K] [--json] [--broker URL] [--token INTAKE]

Posts an enquiry to the broker's HTTP intake (POST /v1/enquiries), as a channel adapter would,
and prints its id, its place in the queue and the estimated wait. With --json,
{"id": "...", "position": N, "estimatedWaitSeconds": N or null} (null: no agent available).

  --text T             what the court user wrote (required)
  --from F             who wrote, as the channel knows them (default "script")
  --name N             their name
  --channel C          ${CHANNELS.join(', ')} (default web)
  --language L         en or cy; when left out the broker guesses from the text
  --idempotency-key K  a retry with the same key gets the first enquiry back, not a second one

This needs an intake token, not an agent token: --token, else COURTDESK_INTAKE_TOKEN. The broker
is --broker, else COURTDESK_BROKER, else the one \`courtdesk login\` saved.

${COMMON_HELP.replace(/ {2}--token T .*\n/, '')}`;

interface Created {
  id: string;
  position: number | null;
  /** Null when no agent is available for the enquiry's language: no honest figure can be given. */
  estimatedWaitSeconds: number | null;
}

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = {
    text: { type: 'string' },
    from: { type: 'string' },
    name: { type: 'string' },
    channel: { type: 'string' },
    language: { type: 'string' },
    'idempotency-key': { type: 'string' },
  } as const;
  return runScripted({ name: 'send', help: HELP, argv, io, options, positionals: [] }, async (script) => {
    const { values } = script;
    const usage = HELP.split('\n')[0]!;
    const text = requiredText(values.text, '--text', usage);
    const channel = values.channel ?? 'web';
    if (!(CHANNELS as readonly string[]).includes(channel)) throw new ExitError(EXIT.usage, `--channel must be one of ${CHANNELS.join(', ')} (got ${JSON.stringify(channel)}).`);
    if (values.language !== undefined && !(LANGUAGES as readonly string[]).includes(values.language)) {
      throw new ExitError(EXIT.usage, `--language must be en or cy (got ${JSON.stringify(values.language)}).`);
    }
    const intakeToken = values.token ?? io.env.COURTDESK_INTAKE_TOKEN;
    if (!intakeToken?.trim()) {
      throw new ExitError(EXIT.usage, 'send needs an intake token: pass --token or set COURTDESK_INTAKE_TOKEN (make one with courtdesk token add NAME --role intake).');
    }
    const { broker, token } = resolveBrokerLogin({ broker: values.broker, token: intakeToken }, io);
    const body = {
      channel,
      from: values.from ?? 'script',
      text,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.language !== undefined ? { language: values.language } : {}),
    };
    const headers: Record<string, string> = { authorization: `Bearer ${token.trim()}`, 'content-type': 'application/json' };
    if (values['idempotency-key'] !== undefined) headers['idempotency-key'] = values['idempotency-key'];
    const created = await post(brokerHttpUrl(broker, '/v1/enquiries'), broker, headers, JSON.stringify(body), script.timeoutMs);
    const place = created.position === null ? 'not in the waiting line' : `number ${created.position} in the queue`;
    const wait = created.estimatedWaitSeconds === null ? 'no estimate (no agent available)' : `estimated wait ${Math.round(created.estimatedWaitSeconds / 60)} min`;
    script.print(created, `${created.id}  ${place}, ${wait}`);
  });
}

async function post(url: string, broker: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Created> {
  const { status, json, code, message, retryAfter } = await callBroker(url, broker, { method: 'POST', headers, body }, timeoutMs);
  if (status === 201 && isCreated(json)) return json;
  if (status === 401) {
    throw new ExitError(EXIT.token, `the broker at ${broker} rejected the intake token (${code}): ${message} — pass the right one with --token or COURTDESK_INTAKE_TOKEN (courtdesk token add NAME --role intake makes one)`);
  }
  if (status === 403) throw new ExitError(EXIT.token, `${code}: ${message}`);
  if (status === 404 && code === `HTTP_404`) {
    throw new ExitError(EXIT.unreachable, `cannot reach the broker at ${broker}: HTTP 404 at /v1/enquiries — check the URL points at a courtdesk broker`);
  }
  if (status === 429) {
    throw new ExitError(EXIT.refused, `${code}: ${message}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`);
  }
  throw new ExitError(EXIT.refused, `${code}: ${message}`);
}

function isCreated(value: unknown): value is Created {
  const v = value as Partial<Created> | null;
  return typeof v?.id === 'string' && (typeof v.estimatedWaitSeconds === 'number' || v.estimatedWaitSeconds === null);
}
