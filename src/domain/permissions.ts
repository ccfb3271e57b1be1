// Who may do what: one table of role × action, read by every HTTP route, websocket command and
// query, the workbench, and docs/records.md (generated from it), so they can never disagree.
import type { Role } from './events.js';

/**
 * Everything a token can ask the broker for, in the order docs/records.md lists them, each with
 * the rest of a sentence "… may not ___": refusals and docs/records.md say it so.
 */
export const ACTION_TEXT = {
  // intake (channels, web forms)
  'post-enquiry': 'post a new enquiry',
  'post-message': "post a customer's follow-up message",
  'answer-escalation-by-mail': "record a court's answer over HTTP",
  // reading
  'read-enquiry': 'read an enquiry over HTTP',
  'read-notes': 'see internal notes',
  'open-agent-socket': 'open the agent websocket (the live queue)',
  'open-conversation': "open an enquiry's whole conversation on the agent websocket",
  'read-catalogue': 'list the court directory or the email templates',
  'list-agents': 'list the agents online, with what they hold (to transfer to one)',
  'read-wallboard': "see the wallboard and the centre's figures",
  'read-access-log': 'read the access log',
  export: "export an enquiry's transcript",
  // working enquiries
  claim: 'claim an enquiry',
  release: 'release an enquiry it holds',
  reply: 'reply to a customer',
  note: 'add an internal note',
  tag: 'tag a case number',
  untag: 'remove a case number tag',
  close: 'close an enquiry',
  reopen: 'reopen a closed enquiry',
  transfer: 'transfer an enquiry it holds',
  presence: 'set presence (available or away)',
  'mark-urgent': 'mark an enquiry urgent',
  'preview-escalation': 'preview an email to a court',
  escalate: 'email a court about an enquiry it holds',
  chase: 'chase a court that has not answered',
  'answer-escalation': "record a court's answer",
  // supervising: the same work on enquiries someone else holds, or nobody does
  'release-others': 'release an enquiry someone else holds',
  'transfer-others': 'transfer an enquiry it does not hold',
  'note-others': 'add a note to an enquiry it does not hold, closed ones included',
  'escalate-others': 'email a court about an enquiry it does not hold',
  'presence-others': "set another agent's presence (away or available)",
} as const satisfies Record<string, string>;

export type Action = keyof typeof ACTION_TEXT;

/** Every action, in the table's order. */
export const ACTIONS = Object.keys(ACTION_TEXT) as readonly Action[];

/** Reading the record: everyone inside the contact centre. */
const READING: Action[] = ['read-enquiry', 'read-notes', 'open-agent-socket', 'open-conversation', 'read-catalogue', 'list-agents'];
const AGENT_WORK: Action[] = [
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
  'mark-urgent',
  'preview-escalation',
  'escalate',
  'chase',
  'answer-escalation',
];

export const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  // Customer-facing adapters: they read their own enquiries back, never the internal notes.
  intake: new Set<Action>(['post-enquiry', 'post-message', 'answer-escalation-by-mail', 'read-enquiry']),
  agent: new Set<Action>([...READING, ...AGENT_WORK]),
  supervisor: new Set<Action>([...READING, ...AGENT_WORK, 'release-others', 'transfer-others', 'note-others', 'escalate-others', 'presence-others', 'read-access-log', 'export', 'read-wallboard']),
  // Reads everything, verifies and exports the record; changes nothing.
  auditor: new Set<Action>([...READING, 'read-access-log', 'export', 'read-wallboard']),
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role]?.has(action) ?? false;
}

/** Roles that may do `action`, for refusals that say which token to use instead. */
export function rolesThatCan(action: Action): Role[] {
  return (Object.keys(PERMISSIONS) as Role[]).filter((role) => PERMISSIONS[role].has(action));
}

/** The one refusal: which role the token has, what it tried, which roles may, and what to do. */
export function forbiddenMessage(role: Role, action: Action, instead = 'use a token with one of those roles'): string {
  const may = rolesThatCan(action);
  const who = may.length === 0 ? 'no token may' : `only ${either(may)} tokens may, so ${instead}`;
  return `This is ${article(role)} ${role} token, which may not ${ACTION_TEXT[action]}; ${who}.`;
}

/** "a supervisor", or "an agent or a supervisor": who to ask for `action`. */
export function someoneWho(action: Action): string {
  const may = rolesThatCan(action);
  return may.length === 0 ? 'nobody' : either(may.map((role) => `${article(role)} ${role}`));
}

/** "a", "a or b", "a, b or c". */
function either(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
