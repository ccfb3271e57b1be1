// The wallboard as lines of text: the workbench's wallboard view and `courtdesk stats` print the
// same lines, so a supervisor and a report never disagree. A figure that is bad by the
// deployment's thresholds carries a mark (a symbol, so it shows without colour) and its line says so.
import type { AgentFigures, CentreFigures, CourtFigures } from './centre-figures.js';
import { londonMidnight } from './centre-figures.js';
import { londonDate } from './working-days.js';

export interface BoardLine {
  text: string;
  /** It holds a figure that is bad by the thresholds. */
  bad: boolean;
  heading?: true;
  /** The agent an agent row is about, so a view can select it. */
  agent?: string;
}

export interface BoardLayout {
  width: number;
  /** Most lines to give; lists are cut to fit, with a line saying how many more. Unset: every row. */
  maxRows?: number;
  /** Appended to a bad figure. */
  mark: string;
  ellipsis: string;
}

const NAME = 16;
const PRESENCE = 10;
const HELD = 5;
const ID = 9;
const SPAN = 7;

export function wallboardLines(f: CentreFigures, now: Date, layout: BoardLayout): BoardLine[] {
  const sla = f.thresholds.slaMinutes * 60_000;
  const head = [...waitingLines(f, now, sla, layout), ...periodLines(f, now, layout)];
  const online = f.agents.filter((a) => a.presence !== 'offline').length;
  const agentHeading = heading(`${`Agents (${online} online)`.padEnd(2 + NAME + 1 + PRESENCE)} ${'held'.padStart(HELD)}  ${'oldest held'.padEnd(ID + 1 + SPAN)}  speaks`, layout);
  const courtHeading = heading(courtRow('Courts owed an answer', 'open', 'oldest', 'due a chase', layout), layout);
  const room = layout.maxRows === undefined ? Number.POSITIVE_INFINITY : Math.max(0, layout.maxRows - head.length - 2);
  const [agentRows, courtRows] = share(f.agents.length, f.courts.length, room);
  return [
    ...head,
    agentHeading,
    ...cut(f.agents, agentRows, 'agent', (a) => agentLine(a, now, layout), agentBad, layout),
    ...(f.courts.length === 0 ? [{ text: '  No court emails wait for an answer.', bad: false }] : []),
    courtHeading,
    ...cut(f.courts, courtRows, 'court', (c) => courtLine(c, layout), courtBad, layout),
  ].slice(0, layout.maxRows ?? Number.POSITIVE_INFINITY);
}

function waitingLines(f: CentreFigures, now: Date, slaMs: number, layout: BoardLayout): BoardLine[] {
  const w = f.waiting;
  const langs = Object.entries(w.byLanguage).filter(([, n]) => n > 0).map(([l, n]) => `${l} ${n}`);
  const channels = Object.entries(w.byChannel).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`);
  const first = `Waiting now ${w.total}${langs.length ? `: ${langs.join(', ')}` : ''}${channels.length ? `  by channel: ${channels.join(', ')}` : ''}`;
  if (w.longestSince === null || w.medianSince === null) return [line(first, false, layout), line('  Nobody is waiting.', false, layout)];
  const longest = now.getTime() - Date.parse(w.longestSince);
  const median = now.getTime() - Date.parse(w.medianSince);
  const second = `  longest wait ${span(longest)}${marked(longest > slaMs, layout)}   median wait ${span(median)}${marked(median > slaMs, layout)}`;
  return [line(first, false, layout), line(second, longest > slaMs || median > slaMs, layout)];
}

function periodLines(f: CentreFigures, now: Date, layout: BoardLayout): BoardLine[] {
  const p = f.period;
  const today = p.since === londonMidnight(londonDate(now));
  const label = today ? 'Today' : `Since ${p.since.slice(0, 16).replace('T', ' ')} UTC`;
  const hours = (now.getTime() - Date.parse(p.since)) / 3_600_000;
  const rate = hours >= 1 / 60 ? `  handled ${p.handled} (${(p.handled / hours).toFixed(1)} an hour)` : `  handled ${p.handled}`;
  const first = `${label}: received ${p.received}  answered ${p.answered}${rate}`;
  const share = p.answered === 0 ? null : Math.floor((100 * p.answeredWithinSla) / p.answered);
  const low = share !== null && share < f.thresholds.slaTargetPercent;
  const within = share === null ? 'none answered yet' : `${share}%${marked(low, layout)} (target ${f.thresholds.slaTargetPercent}%)`;
  const median = p.medianFirstReplyMs === null ? '' : `   median first reply ${span(p.medianFirstReplyMs)}`;
  return [line(first, false, layout), line(`  first replies within ${f.thresholds.slaMinutes} min: ${within}${median}`, low, layout)];
}

/** Away or offline while holding enquiries, or holding more than their cap. */
function agentBad(a: AgentFigures): boolean {
  return (a.presence !== 'available' && a.held > 0) || a.held > a.heldCap;
}

function courtBad(c: CourtFigures): boolean {
  return c.dueChase > 0;
}

function agentLine(a: AgentFigures, now: Date, layout: BoardLayout): BoardLine {
  const stuck = a.presence !== 'available' && a.held > 0;
  const over = a.held > a.heldCap;
  const presence = `${a.presence}${marked(stuck, layout)}`;
  const held = `${a.held}/${a.heldCap}${marked(over, layout)}`;
  const oldest = a.oldestHeld ? `${a.oldestHeld.enquiryId.padEnd(ID)} ${span(now.getTime() - Date.parse(a.oldestHeld.since)).padEnd(SPAN)}` : ''.padEnd(ID + 1 + SPAN);
  const text = `  ${fit(a.name, NAME, layout.ellipsis)} ${presence.padEnd(PRESENCE)} ${held.padStart(HELD)}  ${oldest}  ${a.languages.join(' ')}`;
  return { ...line(text, agentBad(a), layout), agent: a.name };
}

function courtLine(c: CourtFigures, layout: BoardLayout): BoardLine {
  const due = courtBad(c);
  return line(courtRow(`  ${c.courtName}`, String(c.unanswered), shortDate(c.oldestSince), `${c.dueChase}${marked(due, layout)}`, layout), due, layout);
}

/** A court row's columns, the name taking what the figures leave of the width. */
function courtRow(name: string, open: string, oldest: string, due: string, layout: BoardLayout): string {
  const tail = `${open.padStart(5)}  ${oldest.padStart(6)}  ${due.padStart(11)}`;
  return `${fit(name, Math.max(8, layout.width - tail.length - 2), layout.ellipsis).padEnd(Math.max(8, layout.width - tail.length - 2))}  ${tail}`;
}

function heading(text: string, layout: BoardLayout): BoardLine {
  return { ...line(text, false, layout), heading: true };
}

/** Rows for two lists in `room`: half each, and what one does not need goes to the other. */
function share(a: number, b: number, room: number): [number, number] {
  if (a + b <= room) return [a, b];
  const half = Math.ceil(room / 2);
  if (a <= half) return [a, room - a];
  if (b <= room - half) return [room - b, b];
  return [half, room - half];
}

/** The rows that fit in `room`, the last saying how many more there are: only those shown are formatted (a centre has a thousand agents). */
function cut<T>(items: readonly T[], room: number, what: string, show: (item: T) => BoardLine, isBad: (item: T) => boolean, layout: BoardLayout): BoardLine[] {
  if (items.length <= room) return items.map(show);
  if (room <= 0) return [];
  const hidden = items.slice(room - 1);
  const bad = hidden.some(isBad);
  return [...items.slice(0, room - 1).map(show), line(`  ${layout.ellipsis} and ${hidden.length} more ${what}s${bad ? `, some marked ${layout.mark}` : ''}`, bad, layout)];
}

function line(text: string, bad: boolean, layout: BoardLayout): BoardLine {
  return { text: fit(text, layout.width, layout.ellipsis), bad };
}

function marked(bad: boolean, layout: BoardLayout): string {
  return bad ? ` ${layout.mark}` : '';
}

function fit(text: string, width: number, ellipsis: string): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - ellipsis.length))}${ellipsis}`;
}

/** "45s", "14m", "1h 05m", "2d 3h". */
export function span(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "12 Nov" in London. */
function shortDate(at: string): string {
  const [, month, day] = londonDate(at).split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1]}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
