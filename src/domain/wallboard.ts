// The live wallboard: indexes kept up to date event by event, so making the figures
// (centre-figures.ts) touches only what they are about — today's counts, the held enquiries, the
// unanswered court threads — and never walks the whole history. Today's counts follow the same
// rules as periodFigures, which `courtdesk stats --since` uses over every enquiry; the tests hold
// the two to the same answers.
import {
  agentFigures,
  courtFigures,
  firstReplyAt,
  londonMidnight,
  medianOrNull,
  openThreadsOf,
  periodFigures,
  waitingFigures,
  type AgentFigures,
  type CentreFigures,
  type CentreThresholds,
  type KnownAgent,
  type OpenThread,
  type PeriodFigures,
} from './centre-figures.js';
import type { Enquiry, State } from './enquiry.js';
import type { CourtdeskEvent } from './events.js';
import { londonDate } from './working-days.js';

/** Events that can change today's counts. */
const PERIOD_EVENTS = new Set<CourtdeskEvent['type']>(['enquiry.received', 'enquiry.replied', 'enquiry.closed', 'enquiry.reopened']);

export class Wallboard {
  /** The London day the period figures are for, and when it starts and the next one does. */
  private day = '';
  private dayStart = '';
  private nextDayStart = '';
  /** Enquiries received today. */
  private readonly received = new Set<string>();
  /** Enquiries first answered today → milliseconds from arrival to that reply. */
  private readonly firstReplies = new Map<string, number>();
  /** Enquiries closed today (and not reopened since). */
  private readonly handled = new Set<string>();
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
    this.rollTo(now.toISOString());
    for (const e of state.enquiries.values()) {
      this.sync(e);
      this.countToday(e);
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
      this.rollTo(at);
      if (at < this.dayStart) continue;
      if (event.type === 'enquiry.received') this.received.add(e.id);
      else if (event.type === 'enquiry.closed') this.handled.add(e.id);
      else if (event.type === 'enquiry.reopened') this.handled.delete(e.id);
      else if (!this.firstReplies.has(e.id) && firstReplyAt(e) === at) this.firstReplies.set(e.id, Date.parse(at) - Date.parse(e.receivedAt));
    }
  }

  /** The figures as of `now`; `since` replaces today as the period (`courtdesk stats --since`). */
  figures(known: Iterable<KnownAgent>, now: Date, since?: string): CentreFigures {
    const through = now.toISOString();
    this.rollTo(through);
    const period = since === undefined ? this.today(through) : periodFigures(this.state.enquiries.values(), since, through, this.thresholds.slaMs);
    return {
      at: through,
      thresholds: { slaMinutes: this.thresholds.slaMs / 60_000, slaTargetPercent: this.thresholds.slaTargetPercent },
      waiting: waitingFigures(this.state),
      period,
      agents: this.agents(known),
      courts: courtFigures(this.allThreads(), now),
    };
  }

  /** The agents block alone, worst first (the transfer picker needs no more). */
  agents(known: Iterable<KnownAgent>): AgentFigures[] {
    return agentFigures(this.state, known, this.holdings);
  }

  private today(through: string): PeriodFigures {
    const replyMs = [...this.firstReplies.values()];
    let withinSla = 0;
    for (const ms of replyMs) if (ms <= this.thresholds.slaMs) withinSla += 1;
    return {
      since: this.dayStart,
      through,
      received: this.received.size,
      answered: replyMs.length,
      answeredWithinSla: withinSla,
      medianFirstReplyMs: medianOrNull(replyMs),
      handled: this.handled.size,
    };
  }

  /** Moves the period on to the London day of `at` when that is a later day. */
  private rollTo(at: string): void {
    // Most events fall in the day already known: no time-zone look-up for them.
    if (this.day !== '' && at >= this.dayStart && at < this.nextDayStart) return;
    const day = londonDate(at);
    if (day <= this.day) return;
    this.day = day;
    this.dayStart = londonMidnight(day);
    this.nextDayStart = londonMidnight(nextDate(day));
    this.received.clear();
    this.firstReplies.clear();
    this.handled.clear();
  }

  /** What an enquiry already in the state counts for today. */
  private countToday(e: Enquiry): void {
    if (e.receivedAt >= this.dayStart) this.received.add(e.id);
    if (e.closedAt !== undefined && e.closedAt >= this.dayStart) this.handled.add(e.id);
    const first = firstReplyAt(e);
    if (first !== null && first >= this.dayStart) this.firstReplies.set(e.id, Date.parse(first) - Date.parse(e.receivedAt));
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

/** The calendar date after `date` (YYYY-MM-DD). */
function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
