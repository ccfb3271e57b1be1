// The live wallboard: indexes kept up to date event by event, so making the figures
// (centre-figures.ts) touches only what they are about — today's enquiries, the held ones, the
// unanswered court threads — and never walks the whole history.
import {
  agentFigures,
  courtFigures,
  londonMidnight,
  openThreadsOf,
  periodFigures,
  touchesPeriod,
  waitingFigures,
  type CentreFigures,
  type CentreThresholds,
  type KnownAgent,
  type OpenThread,
} from './centre-figures.js';
import type { Enquiry, State } from './enquiry.js';
import type { CourtdeskEvent } from './events.js';
import { londonDate } from './working-days.js';

/** Events that can put an enquiry into today's figures. */
const PERIOD_EVENTS = new Set<CourtdeskEvent['type']>(['enquiry.received', 'enquiry.replied', 'enquiry.closed']);

export class Wallboard {
  /** The London day the period figures are for. */
  private day: string;
  private dayStart: string;
  /** Enquiries received, first answered or closed today. */
  private readonly today = new Set<string>();
  /** agent → (enquiry id → since when held). */
  private readonly holdings = new Map<string, Map<string, string>>();
  private readonly holderOf = new Map<string, string>();
  /** enquiry id → its unanswered court threads. */
  private readonly threads = new Map<string, Map<string, OpenThread>>();

  constructor(
    private readonly state: State,
    private readonly thresholds: CentreThresholds,
    now: Date,
  ) {
    this.day = londonDate(now);
    this.dayStart = londonMidnight(this.day);
    for (const e of state.enquiries.values()) {
      this.sync(e);
      if (touchesPeriod(e, this.dayStart, '~')) this.today.add(e.id);
    }
  }

  /** Takes in events the state has already folded. */
  apply(entries: readonly { at: string; event: CourtdeskEvent }[]): void {
    for (const { at, event } of entries) {
      if (!('enquiryId' in event)) continue;
      const e = this.state.enquiries.get(event.enquiryId);
      if (!e) continue;
      this.sync(e);
      if (!PERIOD_EVENTS.has(event.type)) continue;
      this.rollTo(londonDate(at));
      if (at >= this.dayStart) this.today.add(e.id);
    }
  }

  /** The figures as of `now`; `since` replaces today as the period (`courtdesk stats --since`). */
  figures(known: Iterable<KnownAgent>, now: Date, since?: string): CentreFigures {
    this.rollTo(londonDate(now));
    const through = now.toISOString();
    const period =
      since === undefined
        ? periodFigures(this.todayEnquiries(), this.dayStart, through, this.thresholds.slaMs)
        : periodFigures(this.state.enquiries.values(), since, through, this.thresholds.slaMs);
    return {
      at: through,
      thresholds: { slaMinutes: this.thresholds.slaMs / 60_000, slaTargetPercent: this.thresholds.slaTargetPercent },
      waiting: waitingFigures(this.state),
      period,
      agents: agentFigures(this.state, known, this.holdings),
      courts: courtFigures(this.allThreads(), now),
    };
  }

  private rollTo(day: string): void {
    if (day <= this.day) return;
    this.day = day;
    this.dayStart = londonMidnight(day);
    this.today.clear();
  }

  private *todayEnquiries(): Generator<Enquiry> {
    for (const id of this.today) {
      const e = this.state.enquiries.get(id);
      if (e) yield e;
    }
  }

  private *allThreads(): Generator<OpenThread> {
    for (const open of this.threads.values()) yield* open.values();
  }

  /** Brings the holding and thread indexes for one enquiry in line with the state. */
  private sync(e: Enquiry): void {
    const before = this.holderOf.get(e.id);
    if (before !== undefined && before !== e.claimedBy) {
      const held = this.holdings.get(before)!;
      held.delete(e.id);
      if (held.size === 0) this.holdings.delete(before);
      this.holderOf.delete(e.id);
    }
    if (e.claimedBy !== null) {
      let held = this.holdings.get(e.claimedBy);
      if (!held) this.holdings.set(e.claimedBy, (held = new Map()));
      held.set(e.id, e.claimedAt ?? e.lastActivityAt);
      this.holderOf.set(e.id, e.claimedBy);
    }
    if (e.escalations.length === 0) return;
    const open = openThreadsOf(e, this.thresholds.chaseAfterDays);
    if (open.size > 0) this.threads.set(e.id, open);
    else this.threads.delete(e.id);
  }
}
