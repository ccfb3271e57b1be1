// Which action of the role table (domain/permissions.ts) each websocket command is. The broker
// checks it before carrying a command out, and the workbench before sending one.
import type { Action } from '../domain/permissions.js';
import type { CommandType } from './frames.js';

export const COMMAND_ACTIONS: Record<CommandType, Action> = {
  claim: 'claim',
  release: 'release',
  reply: 'reply',
  note: 'note',
  tag: 'tag',
  untag: 'untag',
  close: 'close',
  reopen: 'reopen',
  transfer: 'transfer',
  presence: 'presence',
  'take-next': 'claim',
  'mark-urgent': 'mark-urgent',
  open: 'open-conversation',
  escalate: 'escalate',
  chase: 'chase',
  'answer-escalation': 'answer-escalation',
  'preview-escalation': 'preview-escalation',
  'list-courts': 'read-catalogue',
  'list-templates': 'read-catalogue',
  'list-agents': 'list-agents',
  'watch-wallboard': 'read-wallboard',
  'unwatch-wallboard': 'read-wallboard',
};
