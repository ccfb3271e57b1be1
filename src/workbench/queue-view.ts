// The queue as the screen lists it: the ranking order (urgent, then longest wait first), with what
// the agent cannot act on set apart below in labelled groups: held by other agents, awaiting the
// customer, and enquiries closed since the workbench started. Kept up to date by QueueGroups as
// enquiries change, never per clock tick; the functions here walk and window it.
import type { Enquiry } from '../domain/enquiry.js';
import { firstAbove } from './queue-groups.js';

export type QueueItem = { kind: 'row'; enquiry: Enquiry } | { kind: 'heading'; label: string };

export interface QueueView {
  items: QueueItem[];
  /** The item index of a listed enquiry; undefined for one not listed. */
  indexOf(id: string): number | undefined;
  /** Rows (not headings) shown. */
  rowCount: number;
  /** Every waiting enquiry's waitingSince in ms, ascending (ignores the filter: the status line counts all). */
  waitingSinceMs: number[];
}

/** Longest wait and how many are past `redMinutes`, from the sorted waiting times; O(log n) per tick. */
export function waitingStats(waitingSinceMs: readonly number[], nowMs: number, redMinutes: number): { longestSeconds: number | null; pastRed: number } {
  if (waitingSinceMs.length === 0) return { longestSeconds: null, pastRed: 0 };
  const pastRed = firstAbove(waitingSinceMs, nowMs - redMinutes * 60_000);
  return { longestSeconds: Math.max(0, Math.floor((nowMs - waitingSinceMs[0]!) / 1000)), pastRed };
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
