// The answers to queries (the ack's `data` for list-courts, list-templates, preview-escalation):
// their types, the functions the broker builds them with, and the checks a client makes on
// arrival, so what reaches a caller is the type it says it is. docs/protocol.md shows each.
import type { AgentFigures, CentreFigures } from '../domain/centre-figures.js';
import type { Court } from '../domain/courts.js';
import type { Language } from '../domain/events.js';
import type { Template } from '../domain/templates.js';
import { readAgentList, readCentreFigures } from './figures-check.js';
import { shown } from './shown.js';

/** A court as the directory lists it, with what it has not answered (across every enquiry). */
export interface CourtListing {
  name: string;
  slug: string;
  email: string;
  welsh: boolean;
  nameCy?: string;
  /** Escalations to it the court has not answered. */
  unanswered: number;
  /** When the oldest of them was made; null when none. */
  oldestSince: string | null;
}

export interface TemplateSummary {
  name: string;
  language: Language;
  subject: string;
  description: string | null;
  /** Fields the agent is asked for. */
  ask: string[];
  fields: string[];
}

/** The email as it would go, or the fields still missing (with the broker's sentence about them). */
export type EscalationPreview =
  | { missing: []; to: string; courtName: string; language: Language; subject: string; text: string; plain?: string; html?: string }
  | { missing: string[]; message: string };

/** Which enquiry take-next gave the agent, and the routing rule that placed it first (domain/routing.ts). */
export interface TakenEnquiry {
  enquiryId: string;
  rule: string;
  reason: string;
}

/** The commands whose ack carries data, and its shape. */
export interface QueryAnswers {
  'list-courts': CourtListing[];
  'list-templates': TemplateSummary[];
  'preview-escalation': EscalationPreview;
  'take-next': TakenEnquiry;
  'list-agents': AgentFigures[];
  'watch-wallboard': CentreFigures;
  /** Nothing: the socket is no longer sent wallboard frames. */
  'unwatch-wallboard': null;
}

export type QueryType = keyof QueryAnswers;

export function isAnsweredQuery(type: string): type is QueryType {
  return Object.hasOwn(CHECKS, type);
}

// --- built by the broker --------------------------------------------------------------------------

export function courtListing(court: Court, backlog: { unanswered: number; oldestSince: string | null } | undefined): CourtListing {
  return { ...court, unanswered: backlog?.unanswered ?? 0, oldestSince: backlog?.oldestSince ?? null };
}

export function escalationPreview(court: Court, language: Language, rendered: { subject: string; text: string; plain: string; html: string }): EscalationPreview {
  return { missing: [], to: court.email, courtName: court.name, language, ...rendered };
}

export function takenEnquiry(enquiryId: string, placement: { rule: string; reason: string }): TakenEnquiry {
  return { enquiryId, rule: placement.rule, reason: placement.reason };
}

export function templateSummary({ name, language, subject, description, ask, fields }: Template): TemplateSummary {
  return { name, language, subject, description, ask, fields };
}

// --- checked by a client ----------------------------------------------------------------------

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The answer to `type` if `data` has its shape; otherwise what is wrong with it. */
export function checkAnswer<T extends QueryType>(type: T, data: unknown): Checked<QueryAnswers[T]> {
  return CHECKS[type](data) as Checked<QueryAnswers[T]>;
}

const CHECKS: { [T in QueryType]: (data: unknown) => Checked<QueryAnswers[T]> } = {
  'list-courts': (data) => listOf(data, 'court', readCourt),
  'list-templates': (data) => listOf(data, 'template', readTemplate),
  'preview-escalation': readPreview,
  'take-next': readTaken,
  'list-agents': readAgentList,
  'watch-wallboard': readCentreFigures,
  'unwatch-wallboard': () => ({ ok: true, value: null }),
};

function readTaken(data: unknown): Checked<TakenEnquiry> {
  if (!isRecord(data) || typeof data.enquiryId !== 'string') return { ok: false, problem: `take-next's answer is ${shown(data)}, not an object naming the enquiry taken` };
  return { ok: true, value: { enquiryId: data.enquiryId, rule: typeof data.rule === 'string' ? data.rule : '', reason: typeof data.reason === 'string' ? data.reason : '' } };
}

function readCourt(c: Record<string, unknown>): CourtListing | string {
  if (typeof c.name !== 'string' || typeof c.slug !== 'string' || typeof c.email !== 'string') return 'needs a name, slug and email';
  if (c.oldestSince !== null && c.oldestSince !== undefined && typeof c.oldestSince !== 'string') return `has oldestSince ${shown(c.oldestSince)}`;
  return {
    name: c.name,
    slug: c.slug,
    email: c.email,
    welsh: c.welsh === true,
    ...(typeof c.nameCy === 'string' ? { nameCy: c.nameCy } : {}),
    unanswered: typeof c.unanswered === 'number' ? c.unanswered : 0,
    oldestSince: typeof c.oldestSince === 'string' ? c.oldestSince : null,
  };
}

function readTemplate(t: Record<string, unknown>): TemplateSummary | string {
  if (typeof t.name !== 'string' || typeof t.subject !== 'string') return 'needs a name and a subject';
  if (t.language !== 'en' && t.language !== 'cy') return `has language ${shown(t.language)}, not en or cy`;
  return { name: t.name, language: t.language, subject: t.subject, description: typeof t.description === 'string' ? t.description : null, ask: strings(t.ask), fields: strings(t.fields) };
}

function readPreview(data: unknown): Checked<EscalationPreview> {
  if (!isRecord(data)) return { ok: false, problem: `the preview is ${shown(data)}, not an object` };
  const missing = strings(data.missing);
  if (missing.length > 0) return { ok: true, value: { missing, message: typeof data.message === 'string' ? data.message : `Still needed: ${missing.join(', ')}.` } };
  const { to, courtName, language, subject, text } = data;
  if (typeof to !== 'string' || typeof courtName !== 'string' || typeof subject !== 'string' || typeof text !== 'string') {
    return { ok: false, problem: 'the preview needs to, courtName, subject and text' };
  }
  return { ok: true, value: { missing: [], to, courtName, subject, text, language: language === 'cy' ? 'cy' : 'en' } };
}

function listOf<T>(data: unknown, what: string, read: (item: Record<string, unknown>) => T | string): Checked<T[]> {
  if (!Array.isArray(data)) return { ok: false, problem: `the ${what}s are ${shown(data)}, not a list` };
  const out: T[] = [];
  for (const [i, item] of data.entries()) {
    const value = isRecord(item) ? read(item) : `is ${shown(item)}`;
    if (typeof value === 'string') return { ok: false, problem: `${what} ${i + 1} ${value}` };
    out.push(value);
  }
  return { ok: true, value: out };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
