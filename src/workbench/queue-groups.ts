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

/** A listed enquiry with its rank key (parsed once), its group, the item that shows it and where the last lay-out put it. */
interface Entry extends Ranked {
  group: GroupName;
  item: QueueItem;
  index: number;
}

/** Above this share of enquiries changed at once, sorting from scratch is cheaper than moving rows one by one. */
const REBUILD_SHARE = 1 / 8;

export class QueueGroups {
  private readonly filter: Filter;
  /** Every enquiry as last seen, listed or not. */
  private readonly seen = new Map<string, Enquiry>();
  /** The same, in the order the map last gave them. */
  private order: Enquiry[] = [];
  /** The entry of each listed enquiry. */
  private readonly listed = new Map<string, Entry>();
  /** Counts lay-outs, so a view can tell whether its entries' indexes are still its own. */
  private layOuts = 0;
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
    // A map keeps its order when a value is replaced and adds new keys at the end, so most of the
    // time each enquiry is found where it was last time, at one comparison rather than a lookup.
    const last = this.order;
    const order: Enquiry[] = new Array<Enquiry>(enquiries.size);
    let i = 0;
    for (const e of enquiries.values()) {
      const there = last[i];
      order[i++] = e;
      if (there === e) {
        known++;
        continue;
      }
      const before = there?.id === e.id ? there : this.seen.get(e.id);
      if (before !== undefined) known++;
      changed.push(e);
    }
    this.order = order;
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
    this.listed.clear();
    for (const g of GROUPS) this.groups[g.name] = [];
    this.waitingMs.length = 0;
    for (const e of enquiries.values()) {
      this.seen.set(e.id, e);
      const ms = waitingMs(e);
      if (ms !== null) this.waitingMs.push(ms);
      const group = this.groupOf(e);
      if (!group) continue;
      const entry = entryOf(e, group);
      this.groups[group].push(entry);
      this.listed.set(e.id, entry);
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
    const entry = entryOf(e, group);
    list.splice(firstAfter(list, entry), 0, entry);
    this.listed.set(e.id, entry);
  }

  private take(e: Enquiry): void {
    const ms = waitingMs(e);
    if (ms !== null) this.waitingMs.splice(firstAbove(this.waitingMs, ms) - 1, 1);
    const entry = this.listed.get(e.id);
    if (!entry) return;
    const list = this.groups[entry.group];
    // Entries that sort level with it come just before where it would be put; it is one of them.
    let i = firstAfter(list, entry) - 1;
    while (i >= 0 && list[i] !== entry) i--;
    if (i >= 0) list.splice(i, 1);
    this.listed.delete(e.id);
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
    let rowCount = 0;
    for (const { name, label } of GROUPS) {
      const list = this.groups[name];
      if (list.length === 0) continue;
      if (label !== null) items.push({ kind: 'heading', label: `${label} (${list.length})` });
      rowCount += list.length;
      for (const entry of list) {
        entry.index = items.length;
        items.push(entry.item);
      }
    }
    // Each entry keeps its own index (a map of 10,000 ids made again per change cost more than
    // the rest of the lay-out); a view kept past the next lay-out looks in its own items instead.
    const layOut = ++this.layOuts;
    const indexOf = (id: string): number | undefined => {
      if (layOut === this.layOuts) return this.listed.get(id)?.index;
      const at = items.findIndex((item) => item.kind === 'row' && item.enquiry.id === id);
      return at === -1 ? undefined : at;
    };
    return { items, indexOf, rowCount, waitingSinceMs: this.waitingMs.slice() };
  }
}

/** The view for an agent and a filter at a client version, kept between calls: the groups are made again only when the agent or the filter changes. */
export class QueueListing {
  private kept: { version: number; groups: QueueGroups; view: QueueView } | null = null;

  view(enquiries: ReadonlyMap<string, Enquiry>, version: number, me: string, filterText: string): QueueView {
    const last = this.kept;
    const same = last !== null && last.groups.filterText === filterText && last.groups.me === me;
    if (same && last.version === version) return last.view;
    const groups = same ? last.groups : new QueueGroups(me, filterText);
    const view = groups.update(enquiries);
    this.kept = { version, groups, view };
    return view;
  }
}

/** Waiting rows in the queue's ranking order; awaiting the customer and closed, latest activity first. */
function entryOf(e: Enquiry, group: GroupName): Entry {
  return { e, key: rankKey(e), group, item: { kind: 'row', enquiry: e }, index: -1 };
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

/** Index of the first value above `value` in ascending `values`: how many are at or below it. */
export function firstAbove(values: readonly number[], value: number): number {
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
