// `courtdesk stats`: the wallboard's figures for scripts and reports (GET /v1/stats), printed as
// the wallboard's own lines or, with --json, as the figures themselves.
import { rolesThatCan } from '../../domain/permissions.js';
import { wallboardLines } from '../../domain/wallboard-text.js';
import { readCentreFigures } from '../../protocol/figures-check.js';
import type { CentreFigures } from '../../domain/centre-figures.js';
import { callBroker } from '../broker-http.js';
import { brokerHttpUrl, COMMON_HELP, resolveBrokerLogin, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const READERS = rolesThatCan('read-wallboard').join(' or ');

const HELP = `usage: courtdesk stats [--since ISO] [--json] [--broker URL --token T]

The centre's figures, as the supervisor's wallboard shows them (docs/wallboard.md): who waits now
(by language and channel, the longest and median wait), the period's work (received, first
answered, the share first answered within the SLA, median time to first reply, handled), the
agents online or holding enquiries, and the courts owed answers, worst first. A figure past the
broker's thresholds is marked with !.

  --since ISO   count the period from this date (a London day: 2026-12-01) or time
                (2026-12-01T09:00:00Z) instead of from London midnight today

With --json, the figures as GET /v1/stats gives them: {at, thresholds, waiting, period, agents, courts}.
Needs a ${READERS} token.

${COMMON_HELP.replace('agent token', `${READERS} token`)}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { since: { type: 'string' } } as const;
  return runScripted({ name: 'stats', help: HELP, argv, io, options, positionals: [] }, async (script) => {
    const { values } = script;
    const { broker, token } = resolveBrokerLogin({ broker: values.broker, token: values.token }, io);
    const query = values.since === undefined ? '' : `?${new URLSearchParams({ since: values.since.trim() })}`;
    const figures = await fetchFigures(`${brokerHttpUrl(broker, '/v1/stats')}${query}`, broker, token.trim(), script.timeoutMs);
    const lines = wallboardLines(figures, new Date(figures.at), { width: 100, mark: '!', ellipsis: '...' });
    script.print(figures, lines.map((l) => l.text.trimEnd()).join('\n'));
  });
}

async function fetchFigures(url: string, broker: string, token: string, timeoutMs: number): Promise<CentreFigures> {
  const { status, json, code, message } = await callBroker(url, broker, { headers: { authorization: `Bearer ${token}` } }, timeoutMs);
  if (status === 200) {
    const read = readCentreFigures(json);
    if (read.ok) return read.value;
    throw new ExitError(EXIT.refused, `the broker at ${broker} answered with figures this courtdesk cannot read (${read.problem}): update courtdesk to the broker's version`);
  }
  if (status === 401) throw new ExitError(EXIT.token, `the broker at ${broker} rejected the token (${code}): ${message} — pass a ${READERS} token with --token or COURTDESK_TOKEN`);
  if (status === 400) throw new ExitError(EXIT.usage, message);
  if (status === 404 && code === 'HTTP_404') throw new ExitError(EXIT.unreachable, `cannot reach the broker at ${broker}: HTTP 404 at /v1/stats — check the URL points at a courtdesk broker`);
  throw new ExitError(EXIT.refused, `${code}: ${message}`);
}
