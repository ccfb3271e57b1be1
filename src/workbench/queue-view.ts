// The queue as the screen lists it: rankQueue's order (longest wait first), with what the agent
// cannot act on set apart below in labelled groups: held by other agents, awaiting the customer,
// and enquiries closed since the workbench started. Built once per change of state or filter,
// never per clock tick, and then only ranked again when a change moves a row.
import type { Enquiry } from '../domain/enquiry.js';
import { rankQueue } from '../domain/queue.js';
import { matchesFilter, parseFilter } from './filter.js';

export type QueueItem = { kind: 'row'; enquiry: Enquiry } | { kind: 'heading'; label: string };

export interface QueueView {
  items: QueueItem[];
  /** Item index of each listed enquiry. */
  indexOf: Map<string, number>;
  /** Rows (not headings) shown. */
  rowCount: number;
  /** Every waiting enquiry's waitingSince in ms, ascending (ignores the filter: the status line counts all). */
  waitingSinceMs: number[];
}

/**
 * The queue view for these enquiries, reusing the last one built when no row moved: most changes
 * (a conversation loaded when the agent opens it, a tag, a note, an agent's presence) leave every
 * enquiry where it was, and ranking 10,000 again for each of them held up the next key press.
 */
export function buildQueueView(enquiries: Iterable<Enquiry>, me: string, filterText: string): QueueView {
  const all = [...enquiries];
  const previous = last !== null && last.me === me && last.filterText === filterText ? last : null;
  const reused = previous && sameRows(previous, all);
  if (previous && reused) {
    previous.view = reused;
    return reused;
  }
  const view = layOutQueue(all, me, filterText);
  last = { me, filterText, byId: new Map(all.map((e) => [e.id, e])), view };
  return view;
}

/** What the last build was given and made. */
let last: { me: string; filterText: string; byId: Map<string, Enquiry>; view: QueueView } | null = null;

/** The previous view with the changed enquiries put in their rows, or null when any of them would move (or the set changed). */
function sameRows(previous: NonNullable<typeof last>, all: Enquiry[]): QueueView | null {
  if (all.length !== previous.byId.size) return null;
  const filter = previous.filterText === '' ? null : parseFilter(previous.filterText);
  const changed: Enquiry[] = [];
  for (const e of all) {
    const before = previous.byId.get(e.id);
    if (before === e) continue;
    if (!before || !samePlace(before, e)) return null;
    if (filter && matchesFilter(before, filter, previous.me) !== matchesFilter(e, filter, previous.me)) return null;
    changed.push(e);
  }
  if (changed.length === 0) return previous.view;
  const items = previous.view.items.slice();
  for (const e of changed) {
    previous.byId.set(e.id, e);
    const at = previous.view.indexOf.get(e.id);
    if (at !== undefined) items[at] = { kind: 'row', enquiry: e };
  }
  return { ...previous.view, items };
}

/** Whether an enquiry keeps its group and rank: everything buildQueueView sorts and groups by. */
function samePlace(a: Enquiry, b: Enquiry): boolean {
  return (
    a.status === b.status &&
    a.claimedBy === b.claimedBy &&
    a.waitingSince === b.waitingSince &&
    a.receivedAt === b.receivedAt &&
    a.receivedSeq === b.receivedSeq &&
    a.lastActivityAt === b.lastActivityAt
  );
}

/** The queue view built from scratch: ranked, filtered and grouped. */
export function layOutQueue(all: readonly Enquiry[], me: string, filterText: string): QueueView {
  const filter = parseFilter(filterText);
  const ranked = rankQueue(all);
  const workable: Enquiry[] = [];
  const heldByOthers: Enquiry[] = [];
  const awaiting: Enquiry[] = [];
  const waitingSinceMs: number[] = [];
  for (const e of ranked) {
    if (e.status === 'waiting') {
      const since = Date.parse(e.waitingSince ?? e.receivedAt);
      if (!Number.isNaN(since)) waitingSinceMs.push(since);
    }
    if (filter.length > 0 && !matchesFilter(e, filter, me)) continue;
    if (e.status !== 'waiting') awaiting.push(e);
    else if (e.claimedBy !== null && e.claimedBy !== me) heldByOthers.push(e);
    else workable.push(e);
  }
  const closed = all
    .filter((e) => e.status === 'closed' && (filter.length === 0 || matchesFilter(e, filter, me)))
    .sort((a, b) => (a.lastActivityAt < b.lastActivityAt ? 1 : a.lastActivityAt > b.lastActivityAt ? -1 : 0));

  const items: QueueItem[] = [];
  const indexOf = new Map<string, number>();
  const add = (label: string | null, list: Enquiry[]) => {
    if (list.length === 0) return;
    if (label !== null) items.push({ kind: 'heading', label: `${label} (${list.length})` });
    for (const e of list) {
      indexOf.set(e.id, items.length);
      items.push({ kind: 'row', enquiry: e });
    }
  };
  add(null, workable);
  add('held by others', heldByOthers);
  add('awaiting the customer', awaiting);
  add('closed', closed);
  waitingSinceMs.sort((a, b) => a - b);
  return { items, indexOf, rowCount: indexOf.size, waitingSinceMs };
}

/** Longest wait and how many are past `redMinutes`, from the sorted waiting times; O(log n) per tick. */
export function waitingStats(waitingSinceMs: readonly number[], nowMs: number, redMinutes: number): { longestSeconds: number | null; pastRed: number } {
  if (waitingSinceMs.length === 0) return { longestSeconds: null, pastRed: 0 };
  const cutoff = nowMs - redMinutes * 60_000;
  // Count of entries <= cutoff: the first index whose value is above it.
  let lo = 0;
  let hi = waitingSinceMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (waitingSinceMs[mid]! <= cutoff) lo = mid + 1;
    else hi = mid;
  }
  return { longestSeconds: Math.max(0, Math.floor((nowMs - waitingSinceMs[0]!) / 1000)), pastRed: lo };
}

/** The row item nearest `index` (searching down, then up), for when the selection must land somewhere. */
export function nearestRow(items: readonly QueueItem[], index: number): number | null {
  if (items.length === 0) return null;
  const start = Math.min(Math.max(0, index), items.length - 1);
  for (let i = start; i < items.length; i++) if (items[i]!.kind === 'row') return i;
  for (let i = start - 1; i >= 0; i--) if (items[i]!.kind === 'row') return i;
  return null;
}

/** The next row item from `index` moving `by` rows (skipping headings), clamped to the ends. */
export function stepRow(items: readonly QueueItem[], index: number, by: number): number | null {
  const start = nearestRow(items, index);
  if (start === null) return null;
  let current: number = start;
  const dir = by < 0 ? -1 : 1;
  for (let moved = 0; moved < Math.abs(by); moved++) {
    let i: number = current + dir;
    while (i >= 0 && i < items.length && items[i]!.kind !== 'row') i += dir;
    if (i < 0 || i >= items.length) break;
    current = i;
  }
  return current;
}

/** First item of the window of `height` lines that keeps `selected` in view, moving as little as possible from `top`. */
export function windowTop(total: number, selected: number, height: number, top: number): number {
  if (height <= 0 || total <= height) return 0;
  let t = Math.min(Math.max(0, top), total - height);
  if (selected < t) t = selected;
  else if (selected >= t + height) t = selected - height + 1;
  return Math.min(Math.max(0, t), total - height);
}
