// Court email templates in the GOV.UK Notify style: `((field))` placeholders, `((field??text))`
// conditional text, and a small markdown subset. Templates are files written by staff; every field
// value (customers' messages above all) is untrusted and is escaped so it can never add formatting,
// links or placeholders of its own. See docs/templates.md for the file format and the rules.
import type { Language } from './events.js';
import { fieldKey, fieldsUsed, isFieldName, splitPlaceholders, substitute } from './placeholders.js';
import { toBlocks } from './template-blocks.js';
import { blocksToHtml, htmlDocument } from './template-html.js';
import { blocksToPlain, blocksToText } from './template-text.js';

/** Fields the broker fills in for every escalation. */
export const STANDARD_FIELDS = [
  'customerName',
  'caseNumbers',
  'caseReference',
  'channel',
  'enquiryId',
  'messageSummary',
  'agentName',
  'courtName',
] as const;

/** Fields the broker fills in only when it sends a chase of an earlier escalation. */
export const CHASE_FIELDS = ['originalSubject', 'originalSentOn'] as const;

/** Every field some part of courtdesk provides; anything else must be declared `ask:` in the template. */
export const PROVIDED_FIELDS: readonly string[] = [...STANDARD_FIELDS, ...CHASE_FIELDS];

export const FIELD_DESCRIPTIONS: Record<(typeof PROVIDED_FIELDS)[number], string> = {
  customerName: "the customer's name as they gave it",
  caseNumbers: 'the case numbers tagged on the enquiry, comma-separated',
  caseReference: 'a sentence giving the tagged case numbers, or saying none has been given yet (for templates where a case is optional)',
  channel: 'the channel the enquiry came in on (whatsapp, sms, web, email, api)',
  enquiryId: "courtdesk's id for the enquiry, quoted as our reference",
  messageSummary: "the customer's messages, oldest first",
  agentName: 'the name of the agent sending the email',
  courtName: 'the name of the court the email goes to',
  originalSubject: 'chases only: the subject of the email being chased',
  originalSentOn: 'chases only: the date the email being chased was sent',
};

export interface Template {
  name: string;
  language: Language;
  subject: string;
  body: string;
  description: string | null;
  /** Fields the agent types when escalating (the file's `ask:` line), as written there. */
  ask: string[];
  /** Every field the template uses, in order of first use, spelt as first written. */
  fields: string[];
  /** The fields used as plain placeholders: rendering fails without them. */
  required: string[];
  /** Working days before an unanswered email of this template is due a chase (`chase-after:`); null: the deployment's default. */
  chaseAfterDays: number | null;
}

export type RenderResult =
  /** `text`: markdown for GOV.UK Notify, values escaped; `plain`: what an email's text part shows a clerk, no markup at all. */
  | { ok: true; subject: string; text: string; plain: string; html: string }
  | { ok: false; missing: string[]; message: string };

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'TemplateError';
  }
}

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const HEADER_KEYS = new Set(['subject', 'ask', 'description', 'chase-after']);


/**
 * Reads a template file: header lines (`subject:` required, `ask:` and `description:` optional) up to
 * the first blank line, then the body. Throws TemplateError listing every problem found.
 */
export function parseTemplate(name: string, language: Language, source: string): Template {
  const problems: string[] = [];
  if (!TEMPLATE_NAME.test(name)) problems.push(`"${name}" is not a template name: use lower-case letters, digits and "-"`);
  const lines = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const header = new Map<string, string>();
  let i = 0;
  for (; i < lines.length && (lines[i] ?? '').trim() !== ''; i++) {
    const line = lines[i] ?? '';
    const m = /^([A-Za-z-]+):(.*)$/.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !HEADER_KEYS.has(key)) {
      problems.push(
        `line ${i + 1}: expected "subject:", "ask:", "description:" or "chase-after:" before the blank line that starts the body, found "${line.slice(0, 40)}"`,
      );
      continue;
    }
    if (header.has(key)) problems.push(`line ${i + 1}: "${key}:" is given twice`);
    header.set(key, (m[2] ?? '').trim());
  }
  const body = lines.slice(i + 1).join('\n').trim();
  const subject = header.get('subject') ?? '';
  if (!subject) problems.push('no subject: start the file with a "subject: ..." line');
  if (/\n/.test(subject)) problems.push('the subject must be one line');
  if (!body) problems.push('no body: after the header lines, leave a blank line and write the email');
  const ask = (header.get('ask') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of ask) if (!isFieldName(f)) problems.push(`ask: "${f}" is not a field name`);
  const chaseAfter = header.get('chase-after');
  const chaseAfterDays = chaseAfter === undefined ? null : Number(chaseAfter);
  if (chaseAfterDays !== null && (!Number.isInteger(chaseAfterDays) || chaseAfterDays < 0 || chaseAfterDays > 30)) {
    problems.push(`chase-after: "${chaseAfter}" is not a number of working days from 0 to 30`);
  }

  const pieces = [...splitPlaceholders(subject, 'subject', problems), ...splitPlaceholders(body, 'body', problems)];
  if (problems.length > 0) throw new TemplateError(problems);

  const { fields, required } = fieldsUsed(pieces);
  return {
    name,
    language,
    subject,
    body,
    description: header.get('description') || null,
    ask,
    fields,
    required,
    chaseAfterDays,
  };
}

/** Problems that make a parsed template unusable: fields nobody provides, `ask:` entries never used. */
export function validateTemplate(template: Template): string[] {
  const problems: string[] = [];
  const provided = new Set([...PROVIDED_FIELDS, ...template.ask].map(fieldKey));
  for (const f of template.fields) {
    if (!provided.has(fieldKey(f))) {
      problems.push(`uses ((${f})), which courtdesk does not provide: add it to the "ask:" line so the agent is asked for it, or correct the name`);
    }
  }
  const used = new Set(template.fields.map(fieldKey));
  for (const f of template.ask) {
    if (!used.has(fieldKey(f))) problems.push(`asks for "${f}" but never uses it`);
  }
  return problems;
}

/**
 * Renders a template with the given field values. Every plain placeholder needs a non-blank value;
 * when any is missing the result lists them all, so the agent can fill them in one go.
 */
export function renderTemplate(template: Template, fields: Record<string, string>): RenderResult {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') values.set(fieldKey(k), v);
  const missing = template.required.filter((f) => (values.get(fieldKey(f)) ?? '').trim() === '');
  if (missing.length > 0) {
    return {
      ok: false,
      missing,
      message: `template "${template.name}" (${template.language}) needs ${missing.length === 1 ? 'a value' : 'values'} for: ${missing.join(', ')}`,
    };
  }
  // The template parsed cleanly when it was loaded, so splitting it again finds no problems.
  const subjectSegments = substitute(splitPlaceholders(template.subject, 'subject'), values);
  // A subject is one header line: values lose their line breaks there.
  const subject = subjectSegments
    .map((s) => ('lit' in s ? s.lit : s.val.replace(/\s+/g, ' ').trim()))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  const blocks = toBlocks(substitute(splitPlaceholders(template.body, 'body'), values));
  return {
    ok: true,
    subject,
    text: `${blocksToText(blocks)}\n`,
    plain: `${blocksToPlain(blocks)}\n`,
    html: htmlDocument(template.language, subject, blocksToHtml(blocks)),
  };
}
