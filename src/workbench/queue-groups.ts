// The queue's groups kept in order as enquiries change. With events flowing, sorting all 10,000
// enquiries again for each arrival or claim took 19 ms a build and most of the workbench's CPU;
// here a change takes a row out of its group and puts it back where it now belongs (a binary
// search and a splice), and only the list of rows is laid out again.
import type { Enquiry } from '../domain/enquiry.js';
import { compareRanked, rankKey, type Ranked } from '../domain/queue.js';
import { matchesFilter, parseFilter, type Filter } from './filter.js';
import type { QueueItem, QueueView } from './queue-view.js';

type GroupName = 'workable' | 'heldByOthers' | 'awaiting' | 'closed';

/** In the order the screen lists them; the first has no heading. */
const GROUPS: readonly { name: GroupName; label: string | null }[] = [
  { name: 'workable', label: null },
  { name: 'heldByOthers', label: 'held by others' },
  { name: 'awaiting', label: 'awaiting the customer' },
  { name: 'closed', label: 'closed' },
];

/** A listed enquiry with its rank key (parsed once) and the item that shows it. */
interface Entry extends Ranked {
  item: QueueItem;
}

/** Above this share of enquiries changed at once, sorting from scratch is cheaper than moving rows one by one. */
const REBUILD_SHARE = 1 / 8;

export class QueueGroups {
  private readonly filter: Filter;
  /** Every enquiry as last seen, listed or not. */
  private readonly seen = new Map<string, Enquiry>();
  private readonly groups: Record<GroupName, Entry[]> = { workable: [], heldByOthers: [], awaiting: [], closed: [] };
  /** Every waiting enquiry's waitingSince in ms, ascending; the filter does not apply (the status line counts all). */
  private readonly waitingMs: number[] = [];
  private view: QueueView | null = null;

  constructor(
    readonly me: string,
    readonly filterText: string,
  ) {
    this.filter = parseFilter(filterText);
  }

  /** Brings the groups up to date with `enquiries` and returns the view of them. */
  update(enquiries: ReadonlyMap<string, Enquiry>): QueueView {
    const changed: Enquiry[] = [];
    let known = 0;
    for (const e of enquiries.values()) {
      const before = this.seen.get(e.id);
      if (before !== undefined) known++;
      if (before !== e) changed.push(e);
    }
    const removed = known < this.seen.size ? [...this.seen.keys()].filter((id) => !enquiries.has(id)) : [];
    if (this.view && changed.length === 0 && removed.length === 0) return this.view;
    if (!this.view || changed.length + removed.length > enquiries.size * REBUILD_SHARE) this.rebuild(enquiries);
    else {
      for (const id of removed) {
        this.take(this.seen.get(id)!);
        this.seen.delete(id);
      }
      for (const e of changed) {
        const before = this.seen.get(e.id);
        if (before) this.take(before);
        this.put(e);
        this.seen.set(e.id, e);
      }
    }
    this.view = this.layOut();
    return this.view;
  }

  private rebuild(enquiries: ReadonlyMap<string, Enquiry>): void {
    this.seen.clear();
    for (const g of GROUPS) this.groups[g.name] = [];
    this.waitingMs.length = 0;
    for (const e of enquiries.values()) {
      this.seen.set(e.id, e);
      const ms = waitingMs(e);
      if (ms !== null) this.waitingMs.push(ms);
      const group = this.groupOf(e);
      if (group) this.groups[group].push(entryOf(e));
    }
    for (const g of GROUPS) this.groups[g.name].sort(compareRanked);
    this.waitingMs.sort((a, b) => a - b);
  }

  private put(e: Enquiry): void {
    const ms = waitingMs(e);
    if (ms !== null) this.waitingMs.splice(firstAbove(this.waitingMs, ms), 0, ms);
    const group = this.groupOf(e);
    if (!group) return;
    const list = this.groups[group];
    const entry = entryOf(e);
    list.splice(firstAfter(list, entry), 0, entry);
  }

  private take(e: Enquiry): void {
    const ms = waitingMs(e);
    if (ms !== null) this.waitingMs.splice(firstAbove(this.waitingMs, ms) - 1, 1);
    const group = this.groupOf(e);
    if (!group) return;
    const list = this.groups[group];
    const probe = entryOf(e);
    // Entries that sort level with it come just before where it would be put; it is one of them.
    let i = firstAfter(list, probe) - 1;
    while (i >= 0 && list[i]!.e !== e) i--;
    if (i >= 0) list.splice(i, 1);
  }

  /** The group an enquiry is listed in, or null when the filter hides it (or it is in none). */
  private groupOf(e: Enquiry): GroupName | null {
    if (this.filter.length > 0 && !matchesFilter(e, this.filter, this.me)) return null;
    if (e.status === 'waiting') return e.claimedBy !== null && e.claimedBy !== this.me ? 'heldByOthers' : 'workable';
    if (e.status === 'awaiting-customer') return 'awaiting';
    if (e.status === 'closed') return 'closed';
    return null;
  }

  private layOut(): QueueView {
    const items: QueueItem[] = [];
    const indexOf = new Map<string, number>();
    for (const { name, label } of GROUPS) {
      const list = this.groups[name];
      if (list.length === 0) continue;
      if (label !== null) items.push({ kind: 'heading', label: `${label} (${list.length})` });
      for (const entry of list) {
        indexOf.set(entry.e.id, items.length);
        items.push(entry.item);
      }
    }
    return { items, indexOf, rowCount: indexOf.size, waitingSinceMs: this.waitingMs.slice() };
  }
}

/** Waiting rows in the queue's ranking order; awaiting the customer and closed, latest activity first. */
function entryOf(e: Enquiry): Entry {
  return { e, key: rankKey(e), item: { kind: 'row', enquiry: e } };
}

/** Index of the first entry that sorts after `entry`. */
function firstAfter(list: readonly Entry[], entry: Entry): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRanked(list[mid]!, entry) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first value above `value`. */
function firstAbove(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A waiting enquiry's waitingSince in ms; null for one not waiting or with an unreadable time. */
function waitingMs(e: Enquiry): number | null {
  if (e.status !== 'waiting') return null;
  const ms = Date.parse(e.waitingSince ?? e.receivedAt);
  return Number.isNaN(ms) ? null : ms;
}
