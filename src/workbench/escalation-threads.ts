// Escalations as the agent reads them: one thread per first email to a court, its chases folded in,
// with what matters before emailing again — is it answered, when did it go, is it due a chase, is
// delivery failing. Pure, so the wording is tested without Ink.
import type { Enquiry, Escalation } from '../domain/enquiry.js';
import { chaseDueDate, isDueForChase, isUnanswered, lastSentAt } from '../domain/escalations.js';
import type { Segment } from './format.js';
import { formatAgo } from './format.js';
import type { Symbols } from './theme.js';
import { cleanLine, textWidth, truncate } from './text.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `3 Nov`, or `3 Nov 2024` in another year; takes a timestamp or a `YYYY-MM-DD` date. */
export function shortDate(at: string, nowMs: number): string {
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(at);
  const d = plain ? new Date(Number(plain[1]), Number(plain[2]) - 1, Number(plain[3])) : new Date(at);
  if (Number.isNaN(d.getTime())) return '?';
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === new Date(nowMs).getFullYear() ? day : `${day} ${d.getFullYear()}`;
}

/** The first emails to courts (not the chases), oldest first. */
export function threads(e: Pick<Enquiry, 'escalations'>): Escalation[] {
  return e.escalations.filter((x) => !x.chaseOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function chasesOf(x: Escalation, all: readonly Escalation[]): Escalation[] {
  return all.filter((c) => c.chaseOf === x.id).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** `1 time`, `2 times`. */
export function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/**
 * One thread's state after its `[status]`, most telling first: failing delivery, the answer, when it
 * went, the chases, and whether it is due a chase (or from when).
 */
export function threadDetails(x: Escalation, all: readonly Escalation[], nowMs: number): Segment[] {
  const ago = (iso: string) => `${formatAgo(nowMs - Date.parse(iso))} ago`;
  const out: Segment[] = [];
  const add = (text: string, role?: Segment['role']) => out.push({ text: `, ${text}`, ...(role ? { role } : {}) });
  if (x.status === 'failed') {
    add(`not sent after ${x.attempts} attempt${x.attempts === 1 ? '' : 's'}${x.lastError ? `: ${cleanLine(x.lastError)}` : ''}`, 'error');
    return out;
  }
  if (x.status === 'queued') {
    if (x.attempts > 0) add(`retrying (${x.attempts} attempt${x.attempts === 1 ? '' : 's'})${x.lastError ? `: ${cleanLine(x.lastError)}` : ''}`, 'amber');
    else add('waiting to be sent', 'dim');
    return out;
  }
  if (x.status === 'answered') {
    if (x.answeredAt) add(`answered ${ago(x.answeredAt)}`, 'ok');
    return out;
  }
  if (x.sentAt) add(`sent ${ago(x.sentAt)}`);
  const chases = chasesOf(x, all);
  if (chases.length > 0) {
    const last = chases.at(-1)!;
    if (last.status === 'failed') add(`chase not sent${last.lastError ? `: ${cleanLine(last.lastError)}` : ''}`, 'error');
    else if (last.status === 'queued') add(`chased ${times(chases.length)}, the last waiting to be sent`, 'amber');
    else add(`chased ${times(chases.length)}${chases.length > 1 ? ', last' : ''} ${last.sentAt ? ago(last.sentAt) : 'recently'}`);
  }
  if (isUnanswered(x) && lastSentAt(x, all)) {
    if (isDueForChase(x, all, new Date(nowMs))) add('due a chase (C)', 'red');
    else {
      const due = chaseDueDate(x, all);
      if (due) add(`chase due ${shortDate(due, nowMs)}`, 'dim');
    }
  }
  return out;
}

/** A thread as one pane line of `width` cells: the court's name gives way before the details do. */
export function threadLine(x: Escalation, all: readonly Escalation[], nowMs: number, width: number, symbols: Symbols): Segment[] {
  const role: Segment['role'] = x.status === 'failed' ? 'error' : x.status === 'answered' ? 'ok' : 'amber';
  const head: Segment[] = [
    { text: `${symbols.escalation} `, role: 'dim' },
    { text: `[${x.status}] `, role },
  ];
  const details = threadDetails(x, all, nowMs);
  const used = [...head, ...details].reduce((n, s) => n + textWidth(s.text), 0);
  const nameRoom = Math.max(12, width - used);
  return [...head, { text: truncate(cleanLine(x.courtName), nameRoom, symbols.ellipsis) }, ...details];
}

export type Target = { ok: true; escalation: Escalation } | { ok: false; reason: string };

/** What `C` chases: the enquiry's oldest thread the court has not answered that has gone out. */
export function chaseTarget(e: Pick<Enquiry, 'escalations'>): Target {
  const open = threads(e).filter(isUnanswered);
  if (open.length === 0) return { ok: false, reason: e.escalations.length === 0 ? 'it has not been escalated (e escalates)' : 'no escalation of it is waiting for the court' };
  const sent = open.find((x) => x.sentAt);
  if (!sent) return { ok: false, reason: 'its escalation has not been sent yet' };
  return { ok: true, escalation: sent };
}

/** The threads `A` can record an answer for: those the court has not answered, oldest first. */
export function awaitingAnswer(e: Pick<Enquiry, 'escalations'>): Escalation[] {
  return threads(e).filter(isUnanswered);
}

/** Courts emailed about this enquiry, most recent first, each once. */
export function usedCourts(e: Pick<Enquiry, 'escalations'>): Escalation[] {
  const seen = new Set<string>();
  const out: Escalation[] = [];
  for (const x of [...e.escalations].sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
    if (seen.has(x.courtSlug)) continue;
    seen.add(x.courtSlug);
    out.push(x);
  }
  return out;
}
