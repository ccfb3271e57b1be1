// The figures a supervisor runs the centre by (docs/wallboard.md): what is waiting now, how a
// period went, who holds what, and which courts owe answers. Pure functions of the folded state;
// the live wallboard (wallboard.ts) and `courtdesk stats` both call them, so they cannot disagree.
import { chaseDueDate, isUnanswered } from './escalations.js';
import type { Enquiry, State } from './enquiry.js';
import { CHANNELS, LANGUAGES, type Channel, type Language, type Presence } from './events.js';
import { median } from './wait-estimate.js';
import { londonDate } from './working-days.js';

/** The deployment's thresholds: what counts as a bad figure. */
export interface CentreThresholds {
  /** A first reply within this long meets the service level (default 20 minutes). */
  slaMs: number;
  /** Below this share of first replies within the SLA the day is marked bad (default 80). */
  slaTargetPercent: number;
  /** Working days before an unanswered court email is due a chase (the broker's setting). */
  chaseAfterDays: number;
}

export const DEFAULT_THRESHOLDS: CentreThresholds = { slaMs: 20 * 60_000, slaTargetPercent: 80, chaseAfterDays: 5 };

export interface WaitingFigures {
  total: number;
  byLanguage: Record<Language, number>;
  byChannel: Record<Channel, number>;
  /** Since when the longest waiter has waited; null when nobody waits. Times, not durations, so a view's clock ticks them. */
  longestSince: string | null;
  /** The median of the waiters' `waitingSince`: the median wait is now minus it. */
  medianSince: string | null;
}

/** A period's work: enquiries received in it, first answered in it, and closed in it. */
export interface PeriodFigures {
  since: string;
  through: string;
  received: number;
  /** Enquiries whose first agent reply (not the automatic acknowledgement) came in the period. */
  answered: number;
  /** Of those, how many were first answered within the SLA of their receipt. */
  answeredWithinSla: number;
  medianFirstReplyMs: number | null;
  /** Enquiries closed in the period. */
  handled: number;
}

export interface AgentFigures {
  name: string;
  /** `offline`: no live socket on this broker node. */
  presence: Presence | 'offline';
  languages: Language[];
  held: number;
  /** Enquiries they may hold at once (the deployment's cap or their token's). */
  heldCap: number;
  /** The enquiry they have held longest, and since when; null when they hold none. */
  oldestHeld: { enquiryId: string; since: string } | null;
}

export interface CourtFigures {
  courtSlug: string;
  courtName: string;
  /** Email threads to it not answered (a chase counts with its original). */
  unanswered: number;
  oldestSince: string;
  /** How many of them are due a chase today. */
  dueChase: number;
}

export interface CentreFigures {
  /** When the figures were made. */
  at: string;
  thresholds: { slaMinutes: number; slaTargetPercent: number };
  waiting: WaitingFigures;
  period: PeriodFigures;
  agents: AgentFigures[];
  /** Worst first: most due a chase, then most unanswered, then the oldest. */
  courts: CourtFigures[];
}

/** An agent as the broker knows them: from their token and whether they have a live socket. */
export interface KnownAgent {
  name: string;
  languages: Language[];
  connected: boolean;
  heldCap: number;
}

export function waitingFigures(state: State): WaitingFigures {
  const byLanguage = Object.fromEntries(LANGUAGES.map((l) => [l, 0])) as Record<Language, number>;
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  const since: string[] = [];
  for (const id of state.queued) {
    const e = state.enquiries.get(id);
    if (!e?.waitingSince) continue;
    byLanguage[e.language] += 1;
    byChannel[e.channel] += 1;
    since.push(e.waitingSince);
  }
  since.sort();
  return { total: since.length, byLanguage, byChannel, longestSince: since[0] ?? null, medianSince: medianTime(since) };
}

/** The median of sorted ISO times (the later of the middle two: a time, not an average of two). */
function medianTime(sorted: readonly string[]): string | null {
  return sorted.length === 0 ? null : sorted[sorted.length >> 1]!;
}

/** The first reply an agent wrote (the automatic acknowledgement is not one). */
export function firstReplyAt(e: Enquiry): string | null {
  for (const m of e.messages) if (m.author === 'agent' && !m.automatic) return m.at;
  return null;
}

export function periodFigures(enquiries: Iterable<Enquiry>, since: string, through: string, slaMs: number): PeriodFigures {
  const inside = (t: string | null | undefined): t is string => t != null && t >= since && t <= through;
  const replyMs: number[] = [];
  let received = 0;
  let handled = 0;
  let withinSla = 0;
  for (const e of enquiries) {
    if (inside(e.receivedAt)) received += 1;
    if (inside(e.closedAt)) handled += 1;
    const first = firstReplyAt(e);
    if (!inside(first)) continue;
    const ms = Date.parse(first) - Date.parse(e.receivedAt);
    replyMs.push(ms);
    if (ms <= slaMs) withinSla += 1;
  }
  return { since, through, received, answered: replyMs.length, answeredWithinSla: withinSla, medianFirstReplyMs: medianOrNull(replyMs), handled };
}

/** The median of durations (the mean of the middle two of an even count); null for none. */
export function medianOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : median(values);
}

/** The instant a London calendar day (YYYY-MM-DD) begins: midnight there, 23:00 UTC the day before in summer. */
export function londonMidnight(date: string): string {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  for (const offsetHours of [1, 0]) {
    const candidate = utcMidnight - offsetHours * 3_600_000;
    if (londonDate(new Date(candidate)) === date && londonDate(new Date(candidate - 1)) !== date) return new Date(candidate).toISOString();
  }
  throw new RangeError(`${date} has no London midnight`);
}

/** Agents worst first: away or offline while holding enquiries, then by the oldest held; the rest by name. */
export function agentFigures(state: State, known: Iterable<KnownAgent>, holdings: ReadonlyMap<string, ReadonlyMap<string, string>>): AgentFigures[] {
  const out: AgentFigures[] = [];
  const seen = new Set<string>();
  const add = (name: string, languages: Language[], connected: boolean, heldCap: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    const held = holdings.get(name);
    let oldest: AgentFigures['oldestHeld'] = null;
    for (const [enquiryId, since] of held ?? []) if (!oldest || since < oldest.since) oldest = { enquiryId, since };
    const presence = connected ? (state.agents.get(name)?.presence ?? 'available') : 'offline';
    out.push({ name, presence, languages, held: held?.size ?? 0, heldCap, oldestHeld: oldest });
  };
  for (const a of known) if (a.connected || holdings.has(a.name)) add(a.name, a.languages, a.connected, a.heldCap);
  // Someone holding enquiries whose token is gone still holds them: a supervisor must see it.
  for (const name of holdings.keys()) add(name, [], false, 0);
  return out.sort(agentOrder);
}

function agentOrder(a: AgentFigures, b: AgentFigures): number {
  const stuck = (x: AgentFigures) => (x.presence !== 'available' && x.held > 0 ? 0 : 1);
  const since = (x: AgentFigures) => x.oldestHeld?.since ?? '~'; // after any time: holding nothing comes last
  return stuck(a) - stuck(b) || (since(a) < since(b) ? -1 : since(a) > since(b) ? 1 : 0) || a.name.localeCompare(b.name);
}

/** One email thread to a court that is not answered yet. */
export interface OpenThread {
  courtSlug: string;
  courtName: string;
  createdAt: string;
  /** The London date it is due a chase; null while nothing has gone. */
  dueOn: string | null;
}

/** The unanswered threads of one enquiry, keyed by their first escalation's id. */
export function openThreadsOf(e: Enquiry, chaseAfterDays: number): Map<string, OpenThread> {
  const open = new Map<string, OpenThread>();
  for (const x of e.escalations) {
    if (!isUnanswered(x)) continue;
    open.set(x.id, { courtSlug: x.courtSlug, courtName: x.courtName, createdAt: x.createdAt, dueOn: chaseDueDate(x, e.escalations, x.chaseAfterDays ?? chaseAfterDays) });
  }
  return open;
}

export function courtFigures(threads: Iterable<OpenThread>, now: Date): CourtFigures[] {
  const today = londonDate(now);
  const byCourt = new Map<string, CourtFigures>();
  for (const t of threads) {
    let court = byCourt.get(t.courtSlug);
    if (!court) byCourt.set(t.courtSlug, (court = { courtSlug: t.courtSlug, courtName: t.courtName, unanswered: 0, oldestSince: t.createdAt, dueChase: 0 }));
    court.unanswered += 1;
    if (t.createdAt < court.oldestSince) court.oldestSince = t.createdAt;
    if (t.dueOn !== null && t.dueOn <= today) court.dueChase += 1;
  }
  return [...byCourt.values()].sort((a, b) => b.dueChase - a.dueChase || b.unanswered - a.unanswered || a.oldestSince.localeCompare(b.oldestSince));
}
