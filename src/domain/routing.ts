// Who takes which enquiry next: the one ranking rule the broker's take-next, the workbench's queue
// and the CLI all use, so a row's place, the enquiry an agent is given and the reason shown agree.
// Four rules, in this order: presence (an away agent takes nothing), load (a cap on enquiries held
// at once), language (an enquiry goes first to agents who work in its language; after a wait the
// deployment sets, to anyone), and urgency (urgent enquiries ahead of the rest, oldest first;
// within each, the longest wait first).
import type { Enquiry, State } from './enquiry.js';
import type { CourtdeskEvent, Language } from './events.js';

export interface RoutingPolicy {
  /** How long an enquiry is offered only to agents who work in its language. */
  languageFirstMs: number;
  /** Enquiries one agent may hold at once (not closed) before take-next refuses them; a token may set its own. */
  heldCap: number;
  /** An agent away or disconnected this long has the waiting enquiries they hold returned to the queue. */
  returnAfterMs: number;
}

export const DEFAULT_ROUTING: RoutingPolicy = { languageFirstMs: 5 * 60_000, heldCap: 3, returnAfterMs: 10 * 60_000 };

export interface RoutedAgent {
  name: string;
  languages: readonly Language[];
  /** The token's own cap, when it has one. */
  heldCap?: number;
}

/** Which rule placed a waiting enquiry where it is. */
export type PlacementRule = 'urgent' | 'language-first' | 'language-open' | 'longest-wait';

export interface Placement {
  rule: PlacementRule;
  /** A short phrase for the queue row and the `?` help. */
  reason: string;
}

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', cy: 'Welsh' };

/** Enquiries in any language but English are held for their speakers first; English is everyone's. */
function heldForSpeakers(e: Pick<Enquiry, 'language'>): boolean {
  return e.language !== 'en';
}

/** The time its language-first wait ends (ms), from when it started waiting. */
export function languageOpensAtMs(e: Pick<Enquiry, 'waitingSince' | 'receivedAt'>, policy: RoutingPolicy): number {
  return timeMs(e.waitingSince ?? e.receivedAt) + policy.languageFirstMs;
}

/** Why a waiting enquiry is where it is in the queue, as of `nowMs`. */
export function placementOf(e: Enquiry, policy: RoutingPolicy, nowMs: number): Placement {
  if (e.urgent) return { rule: 'urgent', reason: `urgent: ${e.urgent.reason}` };
  if (heldForSpeakers(e)) {
    const name = LANGUAGE_NAMES[e.language];
    const opensAt = languageOpensAtMs(e, policy);
    if (nowMs < opensAt) {
      const minutes = Math.max(1, Math.ceil((opensAt - nowMs) / 60_000));
      return { rule: 'language-first', reason: `${name} speakers first (anyone in ${minutes} min)` };
    }
    return { rule: 'language-open', reason: `${name}, open to anyone: no ${name} speaker took it in ${span(policy.languageFirstMs)}` };
  }
  return { rule: 'longest-wait', reason: 'longest wait first' };
}

/**
 * Whether an agent may be offered an enquiry now (by language), for many enquiries at one `nowMs`:
 * the time language-first waits must have started by is worked out once, and compared as text
 * with the broker's own times (see compareTimes) rather than parsing each.
 */
function offerCheck(policy: RoutingPolicy, nowMs: number): (e: Enquiry, agent: Pick<RoutedAgent, 'languages'>) => boolean {
  const openedBy = new Date(nowMs - policy.languageFirstMs).toISOString();
  return (e, agent) => {
    if (agent.languages.includes(e.language)) return true;
    return heldForSpeakers(e) ? compareTimes(e.waitingSince ?? e.receivedAt, openedBy) <= 0 : false;
  };
}

/** Negative when `a` ranks ahead of `b` among waiting enquiries: urgent first, then the longest wait, then arrival. */
export function compareWaiting(a: Enquiry, b: Enquiry): number {
  const ua = a.urgent ? 0 : 1;
  const ub = b.urgent ? 0 : 1;
  if (ua !== ub) return ua - ub;
  return compareTimes(a.waitingSince ?? a.receivedAt, b.waitingSince ?? b.receivedAt) || a.receivedSeq - b.receivedSeq;
}

/**
 * The broker writes every time as toISOString() does (24 characters, UTC), and such strings sort
 * as text in time order: take-next at 10,000 waiting spent most of its time parsing them.
 */
function compareTimes(a: string, b: string): number {
  if (a.length === 24 && b.length === 24 && a[23] === 'Z' && b[23] === 'Z') return a < b ? -1 : a > b ? 1 : 0;
  const wa = timeMs(a);
  const wb = timeMs(b);
  return wa < wb ? -1 : wa > wb ? 1 : 0;
}

/** How many open enquiries the agent holds (what the cap counts). */
export function heldCount(state: State, agent: string): number {
  let held = 0;
  for (const e of state.enquiries.values()) if (e.claimedBy === agent && e.status !== 'closed') held++;
  return held;
}

/** The first queued enquiry this agent may be offered now, by the ranking rule; null when none. */
export function bestFor(state: State, agent: Pick<RoutedAgent, 'languages'>, policy: RoutingPolicy, nowMs: number): Enquiry | null {
  let best: Enquiry | null = null;
  const mayOffer = offerCheck(policy, nowMs);
  for (const id of state.queued) {
    const e = state.enquiries.get(id);
    if (!e || e.status !== 'waiting' || e.claimedBy !== null || !mayOffer(e, agent)) continue;
    if (best === null || compareWaiting(e, best) < 0) best = e;
  }
  return best;
}

export type TakeNext =
  | { ok: true; enquiry: Enquiry; placement: Placement; event: CourtdeskEvent }
  | { ok: false; error: { code: 'AWAY' | 'AT_CAP' | 'NOTHING_WAITING'; message: string } };

/** The whole take-next decision: presence, then load, then the best enquiry the agent may be offered. */
export function decideTakeNext(state: State, agent: RoutedAgent, policy: RoutingPolicy, nowMs: number): TakeNext {
  if (state.agents.get(agent.name)?.presence === 'away') {
    return refuse('AWAY', 'You are set away, so you cannot take the next enquiry; set yourself available first.');
  }
  const cap = agent.heldCap ?? policy.heldCap;
  const held = heldCount(state, agent.name);
  if (held >= cap) {
    return refuse(
      'AT_CAP',
      `You hold ${held} open enquir${held === 1 ? 'y' : 'ies'}, the most one agent may hold at once (cap ${cap}); close, release or transfer one before taking another.`,
    );
  }
  const enquiry = bestFor(state, agent, policy, nowMs);
  if (!enquiry) {
    const held = heldBack(state, agent, policy, nowMs);
    return refuse('NOTHING_WAITING', held > 0 ? `Nothing waiting for you now; ${held} enquir${held === 1 ? 'y waits' : 'ies wait'} for speakers of another language first.` : 'Nothing is waiting; the queue is empty.');
  }
  return { ok: true, enquiry, placement: placementOf(enquiry, policy, nowMs), event: { type: 'enquiry.claimed', enquiryId: enquiry.id, agent: agent.name } };
}

function heldBack(state: State, agent: Pick<RoutedAgent, 'languages'>, policy: RoutingPolicy, nowMs: number): number {
  let n = 0;
  const mayOffer = offerCheck(policy, nowMs);
  for (const id of state.queued) {
    const e = state.enquiries.get(id);
    if (e && !mayOffer(e, agent)) n++;
  }
  return n;
}

/**
 * The enquiries to hand back to the queue because their holder has been away or disconnected
 * longer than the policy allows. Only waiting ones (a customer waits on them); an enquiry awaiting
 * the customer stays with its agent. `disconnectedSinceMs` says since when an agent has had no
 * live connection (null while connected). Returned enquiries keep their place by original wait.
 */
export function decideReturns(state: State, policy: RoutingPolicy, nowMs: number, disconnectedSinceMs: (agent: string) => number | null): CourtdeskEvent[] {
  const why = new Map<string, { reason: 'away' | 'disconnected'; since: string } | null>();
  const events: CourtdeskEvent[] = [];
  for (const e of state.enquiries.values()) {
    if (e.claimedBy === null || e.status !== 'waiting') continue;
    const agent = e.claimedBy;
    if (!why.has(agent)) why.set(agent, overdue(state, agent, policy, nowMs, disconnectedSinceMs));
    const cause = why.get(agent);
    if (cause) events.push({ type: 'enquiry.returned', enquiryId: e.id, agent, reason: cause.reason, since: cause.since });
  }
  return events;
}

function overdue(state: State, agent: string, policy: RoutingPolicy, nowMs: number, disconnectedSinceMs: (agent: string) => number | null) {
  const presence = state.agents.get(agent);
  if (presence?.presence === 'away' && presence.since && nowMs - timeMs(presence.since) >= policy.returnAfterMs) {
    return { reason: 'away' as const, since: presence.since };
  }
  const gone = disconnectedSinceMs(agent);
  if (gone !== null && nowMs - gone >= policy.returnAfterMs) return { reason: 'disconnected' as const, since: new Date(gone).toISOString() };
  return null;
}

/** "5 min", or "90 s" under two minutes (tests and small deployments set short waits). */
function span(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function refuse(code: 'AWAY' | 'AT_CAP' | 'NOTHING_WAITING', message: string): TakeNext {
  return { ok: false, error: { code, message } };
}

/** An unreadable time sorts as the far future rather than poisoning comparisons with NaN. */
function timeMs(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}
