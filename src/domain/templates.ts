// Court email templates in the GOV.UK Notify style: `((field))` placeholders, `((field??text))`
// conditional text, and a small markdown subset. Templates are files written by staff; every field
// value (customers' messages above all) is untrusted and is escaped so it can never add formatting,
// links or placeholders of its own. See docs/templates.md for the file format and the rules.
import type { Language } from './events.js';

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
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9 _-]*$/;
const PLACEHOLDER = /\(\(([\s\S]*?)\)\)/g;
const HEADER_KEYS = new Set(['subject', 'ask', 'description', 'chase-after']);

/** Field names match ignoring case, spaces, `_` and `-`, as in Notify: `Case_Numbers` is `caseNumbers`. */
export function fieldKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

export type Piece = { kind: 'text'; text: string } | { kind: 'field'; name: string; conditional: string | null };

export function splitPlaceholders(source: string, where: string, problems: string[] = []): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const before = source.slice(last, match.index);
    if (before.includes('((')) problems.push(`${where}: "((" is never closed before "${match[0]}"`);
    if (before) pieces.push({ kind: 'text', text: before });
    last = match.index + match[0].length;
    const inner = match[1] ?? '';
    const split = inner.indexOf('??');
    const name = (split < 0 ? inner : inner.slice(0, split)).trim();
    const conditional = split < 0 ? null : inner.slice(split + 2);
    if (!FIELD_NAME.test(name)) {
      problems.push(`${where}: "${match[0]}" is not a placeholder: a field name is letters, digits, spaces, "_" or "-", starting with a letter`);
      continue;
    }
    if (conditional !== null && conditional.includes('((')) {
      problems.push(`${where}: "${match[0]}..." puts a placeholder inside conditional text, which is not supported`);
      continue;
    }
    pieces.push({ kind: 'field', name, conditional });
  }
  const rest = source.slice(last);
  if (rest.includes('((')) problems.push(`${where}: "((" is never closed`);
  if (rest) pieces.push({ kind: 'text', text: rest });
  return pieces;
}

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
  for (const f of ask) if (!FIELD_NAME.test(f)) problems.push(`ask: "${f}" is not a field name`);
  const chaseAfter = header.get('chase-after');
  const chaseAfterDays = chaseAfter === undefined ? null : Number(chaseAfter);
  if (chaseAfterDays !== null && (!Number.isInteger(chaseAfterDays) || chaseAfterDays < 0 || chaseAfterDays > 30)) {
    problems.push(`chase-after: "${chaseAfter}" is not a number of working days from 0 to 30`);
  }

  const pieces = [...splitPlaceholders(subject, 'subject', problems), ...splitPlaceholders(body, 'body', problems)];
  if (problems.length > 0) throw new TemplateError(problems);

  const fields = new Map<string, string>();
  const required = new Map<string, string>();
  for (const p of pieces) {
    if (p.kind !== 'field') continue;
    const key = fieldKey(p.name);
    if (!fields.has(key)) fields.set(key, p.name);
    if (p.conditional === null && !required.has(key)) required.set(key, p.name);
  }
  return {
    name,
    language,
    subject,
    body,
    description: header.get('description') || null,
    ask,
    fields: [...fields.values()],
    required: [...required.values()],
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

/** Conditional text shows when the field is given and is not empty, "no" or "false" (as in Notify). */
function isShown(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== '' && v !== 'no' && v !== 'false';
}

// After substitution a line is a list of segments: template text (trusted markdown) and values
// (untrusted, never parsed). Block structure comes from template text alone.
type Segment = { lit: string } | { val: string };
type Line = Segment[];
type Block =
  | { kind: 'heading'; level: 1 | 2; content: Line }
  | { kind: 'bullets' | 'numbers'; items: Line[] }
  | { kind: 'inset' | 'paragraph'; lines: Line[] }
  | { kind: 'rule' };

function substitute(pieces: Piece[], values: Map<string, string>): Segment[] {
  const out: Segment[] = [];
  for (const p of pieces) {
    if (p.kind === 'text') out.push({ lit: p.text });
    else if (p.conditional !== null) {
      if (isShown(values.get(fieldKey(p.name)))) out.push({ lit: p.conditional });
    } else out.push({ val: (values.get(fieldKey(p.name)) ?? '').replace(/\r\n?/g, '\n') });
  }
  return out;
}

function toLines(segments: Segment[]): Line[] {
  const lines: Line[] = [[]];
  for (const s of segments) {
    if ('val' in s) {
      lines[lines.length - 1]!.push(s);
      continue;
    }
    s.lit.split('\n').forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1]!.push({ lit: part });
    });
  }
  return lines;
}

function leadingText(line: Line): string {
  const first = line[0];
  return first && 'lit' in first ? first.lit : '';
}

function isBlank(line: Line): boolean {
  return line.every((s) => 'lit' in s && s.lit.trim() === '');
}

/** The line without its first `length` characters of template text (a block marker). */
function dropPrefix(line: Line, length: number): Line {
  const first = line[0];
  if (!first || !('lit' in first)) return line;
  const rest = first.lit.slice(length);
  return rest ? [{ lit: rest }, ...line.slice(1)] : line.slice(1);
}

const HEADING = /^(#{1,2})\s+/;
const BULLET = /^\s*[*•-]\s+/;
const NUMBER = /^\s*\d+[.)]\s+/;
const INSET = /^\^\s?/;
const RULE = /^\s*-{3,}\s*$/;
const CONTINUATION = /^\s{2,}\S/;

function toBlocks(lines: Line[]): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  for (const line of lines) {
    const head = leadingText(line);
    if (isBlank(line)) {
      open = null;
      continue;
    }
    if (line.length === 1 && RULE.test(head)) {
      blocks.push({ kind: 'rule' });
      open = null;
      continue;
    }
    const heading = HEADING.exec(head);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]!.length === 1 ? 1 : 2, content: dropPrefix(line, heading[0].length) });
      open = null;
      continue;
    }
    const list = BULLET.exec(head) ?? NUMBER.exec(head);
    if (list) {
      const kind = BULLET.test(head) ? 'bullets' : 'numbers';
      if (!open || open.kind !== kind) {
        open = { kind, items: [] };
        blocks.push(open);
      }
      (open as { items: Line[] }).items.push(dropPrefix(line, list[0].length));
      continue;
    }
    const inset = INSET.exec(head);
    if (inset) {
      if (!open || open.kind !== 'inset') {
        open = { kind: 'inset', lines: [] };
        blocks.push(open);
      }
      open.lines.push(dropPrefix(line, inset[0].length));
      continue;
    }
    if (open && (open.kind === 'bullets' || open.kind === 'numbers') && CONTINUATION.test(head)) {
      // An indented line continues the last list item, on a new line within it.
      const last = open.items[open.items.length - 1]!;
      last.push({ lit: '\n' }, ...dropPrefix(line, head.length - head.trimStart().length));
      continue;
    }
    if (!open || open.kind !== 'paragraph') {
      open = { kind: 'paragraph', lines: [] };
      blocks.push(open);
    }
    open.lines.push(line);
  }
  return blocks;
}

// --- plain text --------------------------------------------------------------------------------
// The text version is written in the same markdown subset, so it reads naturally as plain text and
// GOV.UK Notify (which applies markdown to it) formats it as intended. Values are backslash-escaped
// wherever markdown, Notify's `^` inset or a placeholder could otherwise start.

const LINE_START_MARKUP = /^(\s*)([#>^+]|[*-](?=\s|$)|\d+(?=[.)](?:\s|$)))/;
const RULE_LIKE = /^\s*([-*_=])(?:\s*\1){2,}\s*$/;

/** Escapes a value for the text version; `atLineStart` when nothing but spaces precede it on its line. */
export function escapeTextValue(value: string, atLineStart: boolean): string {
  return value
    .split('\n')
    .map((line, i) => {
      let out = line.replace(/[[\]]/g, '\\$&').replace(/(?<=\()\(/g, '\\(');
      if (i === 0 && !atLineStart) return out;
      if (RULE_LIKE.test(out)) return `\\${out}`;
      out = out.replace(LINE_START_MARKUP, (_m, space: string, mark: string) =>
        /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
      );
      return out;
    })
    .join('\n');
}

function lineText(line: Line): string {
  let out = '';
  for (const s of line) {
    if ('lit' in s) out += s.lit;
    else out += escapeTextValue(s.val, out.slice(out.lastIndexOf('\n') + 1).trim() === '');
  }
  return out;
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

function blocksToText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading':
          return `${b.level === 1 ? '#' : '##'} ${lineText(b.content).replace(/\n/g, ' ')}`;
        case 'bullets':
          return b.items.map((item) => `* ${indentContinuation(lineText(item), '  ')}`).join('\n');
        case 'numbers':
          return b.items.map((item, i) => `${i + 1}. ${indentContinuation(lineText(item), '   ')}`).join('\n');
        case 'inset':
          return b.lines.map((l) => `^ ${lineText(l).replace(/\n/g, '\n^ ')}`).join('\n');
        case 'rule':
          return '---';
        case 'paragraph':
          return b.lines.map(lineText).join('\n');
      }
    })
    .join('\n\n');
}

/**
 * The plain text part of an email, as a clerk's mail program shows it: no markup and no escapes,
 * since nothing formats it. Headings are underlined, insets indented, bullets drawn.
 */
function blocksToPlain(blocks: Block[]): string {
  const plainLine = (line: Line) => line.map((s) => ('lit' in s ? s.lit : s.val)).join('');
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading': {
          const title = plainLine(b.content).replace(/\n/g, ' ');
          return `${title}\n${(b.level === 1 ? '=' : '-').repeat(Math.min(title.length, 72))}`;
        }
        case 'bullets':
          return b.items.map((item) => `  • ${indentContinuation(plainLine(item), '    ')}`).join('\n');
        case 'numbers':
          return b.items.map((item, i) => `  ${i + 1}. ${indentContinuation(plainLine(item), '     ')}`).join('\n');
        case 'inset':
          return b.lines.map((l) => `    ${plainLine(l).replace(/\n/g, '\n    ')}`).join('\n');
        case 'rule':
          return '-'.repeat(40);
        case 'paragraph':
          return b.lines.map(plainLine).join('\n');
      }
    })
    .join('\n\n');
}

// --- HTML --------------------------------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?]/g;
const LINK_STYLE = 'color:#1d70b8;text-decoration:underline;';

/** Template text: markdown links and bare http(s) URLs become links; everything else is escaped. */
function literalHtml(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    out += escapeHtml(text.slice(last, m.index));
    const href = m[2] ?? m[0];
    const label = m[1] ?? m[0];
    out += `<a href="${escapeHtml(href)}" style="${LINK_STYLE}">${escapeHtml(label)}</a>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

function lineHtml(line: Line): string {
  return line
    .map((s) => ('lit' in s ? literalHtml(s.lit) : escapeHtml(s.val)))
    .join('')
    .replace(/\n/g, '<br>\n');
}

const P_STYLE = 'margin:0 0 20px 0;';
function blocksToHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading':
          return b.level === 1
            ? `<h2 style="margin:0 0 20px 0;font-size:27px;line-height:35px;">${lineHtml(b.content)}</h2>`
            : `<h3 style="margin:0 0 15px 0;font-size:19px;line-height:25px;">${lineHtml(b.content)}</h3>`;
        case 'bullets':
        case 'numbers': {
          const tag = b.kind === 'bullets' ? 'ul' : 'ol';
          const items = b.items.map((i) => `<li style="margin:5px 0;">${lineHtml(i)}</li>`).join('\n');
          return `<${tag} style="margin:0 0 20px 0;padding-left:20px;">\n${items}\n</${tag}>`;
        }
        case 'inset':
          return `<blockquote style="margin:0 0 20px 0;border-left:10px solid #b1b4b6;padding:15px 0 0.1px 15px;"><p style="${P_STYLE}">${b.lines.map(lineHtml).join('<br>\n')}</p></blockquote>`;
        case 'rule':
          return '<hr style="border:0;height:1px;background:#b1b4b6;margin:30px 0;">';
        case 'paragraph':
          return `<p style="${P_STYLE}">${b.lines.map(lineHtml).join('<br>\n')}</p>`;
      }
    })
    .join('\n');
}

function htmlDocument(language: Language, subject: string, content: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:20px;font-family:Helvetica,Arial,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;">',
    content,
    '</body>',
    '</html>',
    '',
  ].join('\n');
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
  const blocks = toBlocks(toLines(substitute(splitPlaceholders(template.body, 'body'), values)));
  return {
    ok: true,
    subject,
    text: `${blocksToText(blocks)}\n`,
    plain: `${blocksToPlain(blocks)}\n`,
    html: htmlDocument(template.language, subject, blocksToHtml(blocks)),
  };
}
