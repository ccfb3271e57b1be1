// `courtdesk access-log`: who was given which enquiry's whole conversation, when, how and why, as
// the broker reads it back from its journal (GET /v1/access-log).
import { callBroker } from '../broker-http.js';
import type { AccessVia, Role } from '../../domain/events.js';
import { rolesThatCan } from '../../domain/permissions.js';
import { cleanLine } from '../../workbench/text.js';
import { brokerHttpUrl, COMMON_HELP, resolveBrokerLogin, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const READERS = rolesThatCan('read-access-log').join(' or ');

const HELP = `usage: courtdesk access-log [--enquiry ID] [--agent NAME] [--limit N] [--json] [--broker URL --token T]

Every time someone was given an enquiry's whole conversation (opened in the workbench, read with
courtdesk show or GET /v1/enquiries/ID, exported), oldest first, one line each: when, the
enquiry, who and their role, how, and why if they said. Queue views are not accesses.

  --enquiry ID   only this enquiry
  --agent NAME   only what this token name read
  --limit N      the latest N that match (default 1000)

With --json, {"accesses": [{seq, at, enquiryId, by, role, via, reason?}], "matched": N}.
Needs a ${READERS} token.

${COMMON_HELP.replace('agent token', `${READERS} token`)}`;

interface Access {
  seq: number;
  at: string;
  enquiryId: string;
  by: string;
  role: Role;
  via: AccessVia;
  reason?: string;
}

interface AccessLog {
  accesses: Access[];
  matched: number;
}

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { enquiry: { type: 'string' }, agent: { type: 'string' }, limit: { type: 'string' } } as const;
  return runScripted({ name: 'access-log', help: HELP, argv, io, options, positionals: [] }, async (script) => {
    const { values } = script;
    const query = new URLSearchParams();
    if (values.enquiry !== undefined) query.set('enquiry', values.enquiry.trim());
    if (values.agent !== undefined) query.set('agent', values.agent.trim());
    if (values.limit !== undefined) {
      if (!/^\s*\d+\s*$/.test(values.limit) || Number(values.limit) < 1) throw new ExitError(EXIT.usage, `--limit must be a whole number above 0 (got ${JSON.stringify(values.limit)}).`);
      query.set('limit', values.limit.trim());
    }
    const { broker, token } = resolveBrokerLogin({ broker: values.broker, token: values.token }, io);
    const qs = query.toString();
    const url = `${brokerHttpUrl(broker, '/v1/access-log')}${qs ? `?${qs}` : ''}`;
    const log = await fetchLog(url, broker, token.trim(), script.timeoutMs);
    script.print(log, describe(log, values.enquiry, values.agent));
  });
}

async function fetchLog(url: string, broker: string, token: string, timeoutMs: number): Promise<AccessLog> {
  const { status, json, code, message } = await callBroker(url, broker, { headers: { authorization: `Bearer ${token}` } }, timeoutMs);
  if (status === 200 && Array.isArray((json as AccessLog | null)?.accesses)) return json as AccessLog;
  if (status === 401) {
    throw new ExitError(EXIT.token, `the broker at ${broker} rejected the token (${code}): ${message} — pass a ${READERS} token with --token or COURTDESK_TOKEN`);
  }
  if (status === 404 && code === 'HTTP_404') {
    throw new ExitError(EXIT.unreachable, `cannot reach the broker at ${broker}: HTTP 404 at /v1/access-log — check the URL points at a courtdesk broker`);
  }
  throw new ExitError(EXIT.refused, `${code}: ${message}`);
}

function describe(log: AccessLog, enquiry: string | undefined, agent: string | undefined): string {
  const filter = [enquiry !== undefined ? `of ${enquiry.trim()}` : '', agent !== undefined ? `by ${agent.trim()}` : ''].filter(Boolean).join(' ');
  if (log.accesses.length === 0) return `No accesses${filter ? ` ${filter}` : ''} recorded.`;
  const idWidth = Math.max(...log.accesses.map((a) => a.enquiryId.length));
  const whoWidth = Math.max(...log.accesses.map((a) => a.by.length + a.role.length + 3));
  const lines = log.accesses.map((a) =>
    [a.at, a.enquiryId.padEnd(idWidth), `${cleanLine(a.by)} (${a.role})`.padEnd(whoWidth), a.via.padEnd(9), a.reason ? cleanLine(a.reason) : ''].join('  ').trimEnd(),
  );
  if (log.matched > log.accesses.length) lines.push(`(the latest ${log.accesses.length} of ${log.matched}; --limit N shows more)`);
  return lines.join('\n');
}
