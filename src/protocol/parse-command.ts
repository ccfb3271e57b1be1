// Turns a websocket frame's text into a Command, or says exactly what is wrong with it.
import type { Command, CommandType, ErrorBody } from './frames.js';
import { MAX_TEXT_LENGTH } from './frames.js';
import { shown } from './shown.js';

type Rule = 'id' | 'text' | 'caseNumber' | 'agentName' | 'presence' | 'slug' | 'language' | 'fields' | 'query' | 'via';
/** A trailing `?` marks a field that may be left out. */
type FieldRule = Rule | `${Rule}?`;

/** The fields each command needs besides `type` and `ref`. One table, so docs and checks agree. */
export const COMMAND_FIELDS: Record<CommandType, Record<string, FieldRule>> = {
  claim: { enquiryId: 'id' },
  release: { enquiryId: 'id' },
  reply: { enquiryId: 'id', text: 'text' },
  note: { enquiryId: 'id', text: 'text' },
  tag: { enquiryId: 'id', caseNumber: 'caseNumber' },
  untag: { enquiryId: 'id', caseNumber: 'caseNumber' },
  close: { enquiryId: 'id' },
  reopen: { enquiryId: 'id' },
  transfer: { enquiryId: 'id', toAgent: 'agentName' },
  presence: { state: 'presence', agent: 'agentName?' },
  'take-next': {},
  'mark-urgent': { enquiryId: 'id', reason: 'text' },
  open: { enquiryId: 'id', reason: 'text?', via: 'via?' },
  escalate: { enquiryId: 'id', courtSlug: 'slug', template: 'slug', language: 'language?', fields: 'fields?' },
  chase: { enquiryId: 'id', escalationId: 'id' },
  'answer-escalation': { enquiryId: 'id', escalationId: 'id', text: 'text' },
  'preview-escalation': { enquiryId: 'id', courtSlug: 'slug', template: 'slug', language: 'language?', fields: 'fields?' },
  'list-courts': { query: 'query?' },
  'list-templates': {},
  'list-agents': {},
  'watch-wallboard': {},
  'unwatch-wallboard': {},
};

/** At most this many agent-typed template fields, each at most MAX_TEXT_LENGTH characters. */
const MAX_FIELDS = 40;

export type ParsedCommand = { ok: true; command: Command } | { ok: false; ref: string | null; error: ErrorBody };

export function parseCommand(raw: string): ParsedCommand {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return bad(null, 'BAD_JSON', 'The frame is not valid JSON. Send one JSON object per frame.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(null, 'BAD_FRAME', 'A frame must be a JSON object with a "type".');
  }
  const frame = value as Record<string, unknown>;
  const ref = typeof frame.ref === 'string' && frame.ref.length > 0 && frame.ref.length <= 128 ? frame.ref : null;
  const type = frame.type;
  // Object.hasOwn, not `in`: "toString" in a table is true, and such a frame must not pass as a command.
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_FIELDS, type)) {
    return bad(ref, 'UNKNOWN_COMMAND', `Unknown command type ${shown(type)}; send one of: ${Object.keys(COMMAND_FIELDS).join(', ')}.`);
  }
  if (ref === null) {
    return bad(null, 'BAD_REF', 'Every command needs a "ref": a unique string of 1 to 128 characters (it is also the idempotency key).');
  }
  // Only the fields the table names go on: nothing unchecked reaches the broker's handlers.
  const command: Record<string, unknown> = { type, ref };
  for (const [field, rule] of Object.entries(COMMAND_FIELDS[type as CommandType])) {
    const value = Object.hasOwn(frame, field) ? frame[field] : undefined;
    const optional = rule.endsWith('?');
    if (optional && value === undefined) continue;
    const problem = checkField(value, (optional ? rule.slice(0, -1) : rule) as Rule);
    if (problem) return bad(ref, 'BAD_FIELD', `"${field}" ${problem}.`);
    command[field] = value;
  }
  return { ok: true, command: command as unknown as Command };
}

function checkField(value: unknown, rule: Rule): string | null {
  if (rule === 'fields') return checkFields(value);
  if (typeof value !== 'string') return value === undefined ? 'is missing' : 'must be a string';
  switch (rule) {
    case 'id':
      return /^[A-Za-z0-9_-]{1,64}$/.test(value) ? null : 'must be an id of 1 to 64 letters, digits, "-" or "_"';
    case 'text':
      if (value.trim().length === 0) return 'must not be empty';
      return value.length <= MAX_TEXT_LENGTH ? null : `must be at most ${MAX_TEXT_LENGTH} characters`;
    case 'caseNumber':
      return value.trim().length > 0 && value.length <= 40 ? null : 'must be a case number of at most 40 characters';
    case 'agentName':
      return /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? null : 'must be an agent name';
    case 'presence':
      return value === 'available' || value === 'away' ? null : 'must be "available" or "away"';
    case 'slug':
      return /^[a-z0-9][a-z0-9-]{0,99}$/.test(value) ? null : 'must be a lower-case name like "birmingham-civil-and-family-justice-centre"';
    case 'language':
      return value === 'en' || value === 'cy' ? null : 'must be "en" or "cy"';
    case 'query':
      return value.length <= 100 ? null : 'must be at most 100 characters';
    case 'via':
      return value === 'workbench' || value === 'show' ? null : 'must be "workbench" or "show"';
  }
}

function checkFields(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of field names to text';
  const entries = Object.entries(value);
  if (entries.length > MAX_FIELDS) return `may hold at most ${MAX_FIELDS} fields`;
  for (const [name, text] of entries) {
    if (typeof text !== 'string') return `value of ${shown(name)} must be a string`;
    if (text.length > MAX_TEXT_LENGTH) return `value of ${shown(name)} must be at most ${MAX_TEXT_LENGTH} characters`;
  }
  return null;
}

function bad(ref: string | null, code: string, message: string): ParsedCommand {
  return { ok: false, ref, error: { code, message } };
}
