// docs/records.md's "Who may do what", generated from the role table (domain/permissions.ts) and
// the commands' actions, so the page cannot drift from what the broker enforces. Written by
// scripts/permissions-doc.js; test/docs/permissions-doc.test.ts fails when the page is out of date.
import { ROLES, type Role } from '../domain/events.js';
import { ACTIONS, ACTION_TEXT, PERMISSIONS, type Action } from '../domain/permissions.js';
import { COMMAND_ACTIONS } from './command-actions.js';

export const PERMISSIONS_HEADING = '## Who may do what';

/** How a client does what is not, or not only, a websocket command of its own. */
const HOW: Partial<Record<Action, string>> = {
  'post-enquiry': '`POST /v1/enquiries`',
  'post-message': '`POST /v1/enquiries/{id}/messages`',
  'answer-escalation-by-mail': '`POST /v1/escalations/{id}/answer`',
  'read-enquiry': '`GET /v1/enquiries/{id}`',
  'read-notes': '`GET /v1/enquiries/{id}`; on the websocket, `open` and events',
  'open-agent-socket': '`GET /v1/agent` (websocket upgrade): the queue and its events',
  'read-access-log': '`GET /v1/access-log`, `courtdesk access-log`',
  export: '`courtdesk export`',
  'release-others': '`release` command',
  'transfer-others': '`transfer` command',
  'note-others': '`note` command',
  'escalate-others': '`escalate` command',
  'presence-others': '`presence` command with `agent`',
};

export function howTo(action: Action): string {
  const commands = Object.entries(COMMAND_ACTIONS)
    .filter(([, a]) => a === action)
    .map(([command]) => `\`${command}\``);
  const own = commands.length > 0 ? `${commands.join(', ')} command${commands.length > 1 ? 's' : ''}` : undefined;
  return [HOW[action], own].filter((part) => part !== undefined).join('; ');
}

/** The section, heading included, for `permissions` (the real table unless a test passes another). */
export function permissionsSection(permissions: Record<Role, ReadonlySet<Action>> = PERMISSIONS): string {
  const rows = ACTIONS.map((action) => `| \`${action}\` | ${ACTION_TEXT[action]} | ${howTo(action)} | ${ROLES.map((role) => (permissions[role].has(action) ? 'yes' : 'no')).join(' | ')} |`);
  return [
    PERMISSIONS_HEADING,
    '',
    '<!-- Generated from src/domain/permissions.ts: after changing it, run `npm run build && node scripts/permissions-doc.js`. -->',
    '',
    `| action | what | how | ${ROLES.join(' | ')} |`,
    `| --- | --- | --- | ${ROLES.map(() => ':-:').join(' | ')} |`,
    ...rows,
    '',
    '"no" is a refusal: `403 FORBIDDEN` over HTTP, an ack with `ok: false` and `FORBIDDEN` on the',
    'websocket (a role that may not open the websocket is refused at the upgrade), with a message',
    'naming the token\'s role, what it tried and the roles that may. The workbench says so without',
    'sending. For `read-notes`, "no" means the notes are left out of what is read.',
    '',
  ].join('\n');
}

/** `doc` with its "Who may do what" section replaced (or added at the end), up to the next `## ` heading. */
export function withPermissionsSection(doc: string, section = permissionsSection()): string {
  const lines = doc.split('\n');
  const start = lines.indexOf(PERMISSIONS_HEADING);
  if (start === -1) return `${doc.trimEnd()}\n\n${section}`;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const after = next === -1 ? '' : `\n${lines.slice(next).join('\n')}`;
  const before = lines.slice(0, start).join('\n');
  return `${before === '' ? '' : `${before}\n`}${section}${after}`;
}
