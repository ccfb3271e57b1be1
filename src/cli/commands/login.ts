// `courtdesk login --broker URL --token T`: checks the token against the broker, then saves both.
import { createBrokerClient } from '../../client/broker-client.js';
import type { BrokerClient } from '../../client/types.js';
import { ConfigError, loadConfig, resolveLogin } from '../saved-config.js';
import { fail, parseFlags } from '../options.js';

const HELP = `usage: courtdesk login --broker URL --token TOKEN

Checks the token with the broker and saves both (the file is readable only by you), so
\`courtdesk\` opens the workbench without them. COURTDESK_BROKER and COURTDESK_TOKEN may
stand in for the flags. \`courtdesk logout\` forgets the token.
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('login', argv, { broker: { type: 'string' }, token: { type: 'string' } });
  if (!flags.ok) return fail('login', flags.message, 2);
  const { values } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const login = resolveLogin({ broker: values.broker, token: values.token }, { broker: null, token: null });
    if (!login.ok) return fail('login', 'give the broker and the token: courtdesk login --broker http://HOST:7340 --token TOKEN', 2);
    const checked = await connectChecked(login.broker, login.token);
    if (!checked.ok) return fail('login', checked.reason, checked.exitCode);
    const agent = checked.client.agent!;
    await checked.client.close();
    // conf is loaded only to write: the workbench imports this file (connectChecked) and starts without it.
    const { saveLogin } = await import('../config.js');
    const path = saveLogin(login.broker, login.token);
    process.stdout.write(`Logged in to ${login.broker} as ${agent.name} (${agent.role}; languages ${agent.languages.join(', ')}). Saved in ${path}.\n`);
    // Read back, so a config that will not load is found now rather than at the next start.
    loadConfig();
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) return fail('login', err.message);
    throw err;
  }
}

/** `exitCode` follows the one table every command keeps to (docs/scripting.md): 2 usage, 3 unreachable, 4 token rejected. */
export type Checked = { ok: true; client: BrokerClient } | { ok: false; reason: string; exitCode: 2 | 3 | 4 };

/**
 * Connects and waits for the broker's welcome. The first failure is final here (the caller is a
 * person at a prompt, not a workbench riding out a blip), and comes back as one sentence with the fix.
 */
export async function connectChecked(
  broker: string,
  token: string,
  options: { outboxFile?: string; timeoutMs?: number } = {},
): Promise<Checked> {
  let client: BrokerClient;
  try {
    client = createBrokerClient({ url: broker, token, ...(options.outboxFile ? { outboxFile: options.outboxFile } : {}) });
  } catch (err) {
    return { ok: false, reason: (err as Error).message, exitCode: 2 };
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result = await new Promise<Checked>((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, reason: `No answer from ${broker} within ${Math.round(timeoutMs / 1000)} s. Check the URL, that the broker is running, and the network.`, exitCode: 3 }),
      timeoutMs,
    );
    const done = (checked: Checked) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(checked);
    };
    const unsubscribe = client.subscribe(() => {
      const c = client.connection;
      if (c.state === 'reconnecting') done({ ok: false, reason: explainConnectError(broker, c.lastError), exitCode: 3 });
      else if (c.state === 'refused') done({ ok: false, reason: explainRefusal(broker, c.error), exitCode: 4 });
    });
    client.ready().then(
      () => done({ ok: true, client }),
      (err: Error) => done({ ok: false, reason: explainRefusal(broker, err.message), exitCode: 4 }),
    );
  });
  if (!result.ok) await client.close();
  return result;
}

export function explainConnectError(broker: string, message: string): string {
  if (/ECONNREFUSED/.test(message)) return `Nothing is listening at ${broker} (connection refused). Start the broker (courtdesk broker) or check the URL and port.`;
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return `The host in ${broker} cannot be found. Check the URL.`;
  if (/ETIMEDOUT|timed? ?out|did not answer/i.test(message)) return `${broker} did not answer in time. Check the URL and the network.`;
  if (/HTTP 404/.test(message)) return `${broker} answered, but it is not a courtdesk broker (nothing at /v1/agent). Check the URL.`;
  if (/certificate|self[- ]signed|TLS|SSL/i.test(message)) return `The TLS certificate of ${broker} was not accepted (${message}). Check the URL, or the broker's certificate.`;
  return `Could not connect to ${broker}: ${message}`;
}

function explainRefusal(broker: string, message: string): string {
  return `${broker}: ${message.trim()} Check the token was copied whole, or ask for a new one (courtdesk token add NAME --role agent).`;
}
