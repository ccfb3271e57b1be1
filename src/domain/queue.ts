// Who waits longest is served first. The wait runs from the oldest customer message no agent has
// answered yet (`waitingSince`), not from when the enquiry arrived: a court user who wrote again
// after a reply has waited only since that new message.
import type { Enquiry, State } from './enquiry.js';
import type { Language } from './events.js';
import { bestFor, compareWaiting, DEFAULT_ROUTING, type RoutingPolicy } from './routing.js';

/** Open enquiries in the order the queue shows them: waiting by the ranking rule (routing.ts: urgent first, then longest wait), then awaiting the customer (latest activity first). */
export function rankQueue(enquiries: Iterable<Enquiry>): Enquiry[] {
  // Each row carries its key: sorting 10,000 rows would otherwise parse dates ~260,000 times.
  const waiting: Ranked[] = [];
  const awaiting: Ranked[] = [];
  for (const e of enquiries) {
    if (e.status === 'waiting') waiting.push({ e, key: rankKey(e) });
    else if (e.status === 'awaiting-customer') awaiting.push({ e, key: rankKey(e) });
  }
  waiting.sort(compareRanked);
  awaiting.sort(compareRanked);
  return [...waiting, ...awaiting].map((r) => r.e);
}

/**
 * What the queue sorts an enquiry by, lowest first (ties by arrival, compareRanked): a waiting one
 * urgent first and then by longest wait, any other by latest activity first.
 */
export function rankKey(e: Enquiry): number {
  return e.status === 'waiting' ? waitingSinceMs(e) - (e.urgent ? URGENT_AHEAD_MS : 0) : -timeMs(e.lastActivityAt);
}

/** Subtracted from an urgent enquiry's sort key: more than any real span of waits, so urgent ones sort first and among themselves by wait. */
const URGENT_AHEAD_MS = 1e15;

export interface Ranked {
  e: Enquiry;
  key: number;
}

export function compareRanked(a: Ranked, b: Ranked): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.e.receivedSeq - b.e.receivedSeq;
}

/** The enquiry an agent should take next by the ranking rule (routing.ts), as of `nowMs`. */
export function nextFor(
  state: State,
  agent: { name: string; languages: readonly Language[] },
  policy: RoutingPolicy = DEFAULT_ROUTING,
  nowMs: number = Date.now(),
): Enquiry | null {
  return bestFor(state, agent, policy, nowMs);
}

/** 1-based place among waiting, unclaimed enquiries in queue order; null when the enquiry is not in that line. */
export function queuePosition(state: State, enquiryId: string): number | null {
  const target = state.enquiries.get(enquiryId);
  if (!target || !isQueued(target)) return null;
  let ahead = 0;
  for (const id of state.queued) {
    const e = state.enquiries.get(id);
    if (!e || e === target) continue;
    if (compareWaiting(e, target) < 0) ahead++;
  }
  return ahead + 1;
}

/**
 * The places in line that new enquiries arriving in this order will have (before they are folded):
 * one that is not urgent joins the end; an urgent one joins behind the urgent enquiries already waiting.
 */
export function arrivalPositions(state: State, arriving: readonly { urgent: boolean }[]): number[] {
  let all = state.queued.size;
  let urgent = arriving.some((a) => a.urgent) ? countUrgentQueued(state) : 0;
  return arriving.map((a) => {
    all++;
    return a.urgent ? ++urgent : all;
  });
}

function countUrgentQueued(state: State): number {
  let n = 0;
  for (const id of state.queued) if (state.enquiries.get(id)?.urgent) n++;
  return n;
}

/** Whole seconds since the customer's oldest unanswered message; 0 when nothing waits. */
export function waitSeconds(enquiry: Pick<Enquiry, 'waitingSince'>, nowMs: number): number {
  if (enquiry.waitingSince === null) return 0;
  const since = Date.parse(enquiry.waitingSince);
  if (Number.isNaN(since)) return 0;
  return Math.max(0, Math.floor((nowMs - since) / 1000));
}

function isQueued(e: Enquiry): boolean {
  return e.status === 'waiting' && e.claimedBy === null;
}

function waitingSinceMs(e: Enquiry): number {
  // A waiting enquiry always has waitingSince; fall back to arrival so a malformed copy still ranks.
  return timeMs(e.waitingSince ?? e.receivedAt);
}

/** An unreadable time sorts as the far future rather than poisoning comparisons with NaN. */
function timeMs(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}
