// Who may do what: one table of role × action, read by every HTTP route, websocket command and
// query, the CLI's refusals and docs/records.md, so they can never disagree.
import type { Role } from './events.js';

/** Everything a token can ask the broker for. */
export const ACTIONS = [
  // intake (channels, web forms)
  'post-enquiry',
  'post-message',
  'answer-escalation-by-mail',
  // reading
  'read-enquiry',
  'open-agent-socket',
  'read-queue',
  'read-access-log',
  'export',
  // working enquiries
  'claim',
  'release',
  'reply',
  'note',
  'tag',
  'untag',
  'close',
  'reopen',
  'transfer',
  'presence',
  'escalate',
  'chase',
  'answer-escalation',
  // supervising
  'release-others',
  'transfer-others',
] as const;

export type Action = (typeof ACTIONS)[number];

const AGENT_WORK: Action[] = ['claim', 'release', 'reply', 'note', 'tag', 'untag', 'close', 'reopen', 'transfer', 'presence', 'escalate', 'chase', 'answer-escalation'];
const READING: Action[] = ['read-enquiry', 'open-agent-socket', 'read-queue'];

export const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  intake: new Set<Action>(['post-enquiry', 'post-message', 'answer-escalation-by-mail', 'read-enquiry']),
  agent: new Set<Action>([...READING, ...AGENT_WORK]),
  supervisor: new Set<Action>([...READING, ...AGENT_WORK, 'release-others', 'transfer-others', 'read-access-log', 'export']),
  auditor: new Set<Action>([...READING, 'read-access-log', 'export']),
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role]?.has(action) ?? false;
}

/** Roles that may do `action`, for refusals that say which token to use instead. */
export function rolesThatCan(action: Action): Role[] {
  return (Object.keys(PERMISSIONS) as Role[]).filter((role) => PERMISSIONS[role].has(action));
}
