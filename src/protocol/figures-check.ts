// What a client checks of the centre's figures (the wallboard frame, watch-wallboard's and
// list-agents' answers, GET /v1/stats) before showing them: the shape, field by field, so a view
// never draws `undefined` or does sums on a string.
import type { AgentFigures, CentreFigures, CourtFigures, PeriodFigures, WaitingFigures } from '../domain/centre-figures.js';
import { CHANNELS, LANGUAGES } from '../domain/events.js';
import type { Checked } from './answers.js';
import { shown } from './shown.js';

export function readCentreFigures(data: unknown): Checked<CentreFigures> {
  if (!isRecord(data)) return bad(`the figures are ${shown(data)}, not an object`);
  const { at, thresholds, waiting, period, agents, courts } = data;
  if (typeof at !== 'string') return bad('the figures have no time they were made (at)');
  if (!isRecord(thresholds) || typeof thresholds.slaMinutes !== 'number' || typeof thresholds.slaTargetPercent !== 'number') return bad('the figures have no thresholds');
  const w = readWaiting(waiting);
  if (typeof w === 'string') return bad(w);
  const p = readPeriod(period);
  if (typeof p === 'string') return bad(p);
  const a = readAgentList(agents);
  if (!a.ok) return a;
  if (!Array.isArray(courts)) return bad(`the courts are ${shown(courts)}, not a list`);
  const c: CourtFigures[] = [];
  for (const court of courts) {
    if (!isRecord(court) || typeof court.courtSlug !== 'string' || typeof court.courtName !== 'string' || !counts(court, 'unanswered', 'dueChase') || typeof court.oldestSince !== 'string') {
      return bad(`court ${c.length + 1} is ${shown(court)}`);
    }
    c.push({ courtSlug: court.courtSlug, courtName: court.courtName, unanswered: court.unanswered as number, oldestSince: court.oldestSince, dueChase: court.dueChase as number });
  }
  return { ok: true, value: { at, thresholds: { slaMinutes: thresholds.slaMinutes, slaTargetPercent: thresholds.slaTargetPercent }, waiting: w, period: p, agents: a.value, courts: c } };
}

export function readAgentList(data: unknown): Checked<AgentFigures[]> {
  if (!Array.isArray(data)) return bad(`the agents are ${shown(data)}, not a list`);
  const out: AgentFigures[] = [];
  for (const a of data) {
    const held = isRecord(a) ? a.oldestHeld : undefined;
    if (
      !isRecord(a) ||
      typeof a.name !== 'string' ||
      (a.presence !== 'available' && a.presence !== 'away' && a.presence !== 'offline') ||
      !counts(a, 'held', 'heldCap') ||
      !(held === null || (isRecord(held) && typeof held.enquiryId === 'string' && typeof held.since === 'string'))
    ) {
      return bad(`agent ${out.length + 1} is ${shown(a)}`);
    }
    const languages = Array.isArray(a.languages) ? a.languages.filter((l): l is AgentFigures['languages'][number] => LANGUAGES.includes(l)) : [];
    out.push({ name: a.name, presence: a.presence, languages, held: a.held as number, heldCap: a.heldCap as number, oldestHeld: held === null ? null : { enquiryId: held.enquiryId as string, since: held.since as string } });
  }
  return { ok: true, value: out };
}

function readWaiting(w: unknown): WaitingFigures | string {
  if (!isRecord(w) || typeof w.total !== 'number' || !isRecord(w.byLanguage) || !isRecord(w.byChannel)) return 'the waiting figures are missing';
  if (!timeOrNull(w.longestSince) || !timeOrNull(w.medianSince)) return 'the waiting figures have a bad longestSince or medianSince';
  const byLanguage = Object.fromEntries(LANGUAGES.map((l) => [l, number(w.byLanguage as Record<string, unknown>, l)])) as WaitingFigures['byLanguage'];
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, number(w.byChannel as Record<string, unknown>, c)])) as WaitingFigures['byChannel'];
  return { total: w.total, byLanguage, byChannel, longestSince: w.longestSince, medianSince: w.medianSince };
}

function readPeriod(p: unknown): PeriodFigures | string {
  if (!isRecord(p) || typeof p.since !== 'string' || typeof p.through !== 'string' || !counts(p, 'received', 'answered', 'answeredWithinSla', 'handled')) return 'the period figures are missing';
  if (p.medianFirstReplyMs !== null && typeof p.medianFirstReplyMs !== 'number') return `the median first reply is ${shown(p.medianFirstReplyMs)}`;
  const { since, through, received, answered, answeredWithinSla, handled, medianFirstReplyMs } = p as unknown as PeriodFigures;
  return { since, through, received, answered, answeredWithinSla, handled, medianFirstReplyMs };
}

function counts(r: Record<string, unknown>, ...names: string[]): boolean {
  return names.every((n) => typeof r[n] === 'number' && Number.isFinite(r[n]));
}

function number(r: Record<string, unknown>, name: string): number {
  return typeof r[name] === 'number' ? r[name] : 0;
}

function timeOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function bad(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
