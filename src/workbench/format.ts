// Pure presentation: turns domain values into the short strings the screen shows. No Ink here,
// so every rule (clock format, SLA level, what a row says at 80 columns) is tested directly.
import type { Enquiry, Escalation, Message } from '../domain/enquiry.js';
import type { Channel } from '../domain/events.js';
import { whatsappReplyWindow } from '../domain/whatsapp-window.js';
import type { ConnectionStatus } from '../client/types.js';
import type { Settings } from './settings.js';
import type { Symbols } from './theme.js';
import { cleanLine, fit, padStart, textWidth, truncate } from './text.js';

/** A run of text with a role the theme turns into colour (or nothing, without colour). */
export interface Segment {
  text: string;
  role?: Role;
  /**
   * Changes every second (a clock). Drawn as its own text node: Ink caches the size of every text
   * it has ever measured, so a whole row re-measured each second would grow memory all day,
   * while a clock on its own repeats from a small set of strings.
   */
  live?: true;
}
export type Role =
  | 'dim'
  | 'strong'
  | 'ok'
  | 'amber'
  | 'red'
  | 'accent'
  | 'tag'
  | 'note'
  | 'agent'
  | 'customer'
  | 'warning'
  | 'error'
  | 'selected';

export type SlaLevel = 'ok' | 'amber' | 'red';

/** `m:ss` under an hour (`7:05`, `59:59`), then hours and minutes (`1h00`, `26h15`). */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 3600) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  // "1h05", not "1:05": an hour must never read like a minute past 59:59.
  return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}`;
}

export function slaLevel(waitSeconds: number, settings: Pick<Settings, 'slaAmberMinutes' | 'slaRedMinutes'>): SlaLevel {
  if (waitSeconds >= settings.slaRedMinutes * 60) return 'red';
  if (waitSeconds >= settings.slaAmberMinutes * 60) return 'amber';
  return 'ok';
}

const CHANNEL_SHORT: Record<Channel, string> = { whatsapp: 'WA', sms: 'SMS', web: 'WEB', email: 'EML', api: 'API' };
const CHANNEL_NAME: Record<Channel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', web: 'web form', email: 'email', api: 'API' };

export function channelShort(channel: Channel): string {
  return CHANNEL_SHORT[channel] ?? String(channel).slice(0, 3).toUpperCase();
}
export function channelName(channel: Channel): string {
  return CHANNEL_NAME[channel] ?? String(channel);
}

export function displayName(e: Pick<Enquiry, 'name' | 'from'>): string {
  const name = e.name ? cleanLine(e.name) : '';
  return name !== '' ? name : cleanLine(e.from);
}

export interface RowOptions {
  width: number;
  /** Seconds this enquiry has waited (0 when nothing waits). */
  waitSeconds: number;
  me: string;
  settings: Pick<Settings, 'slaAmberMinutes' | 'slaRedMinutes'>;
  symbols: Symbols;
  selected: boolean;
}

/** One queue line, exactly `width` cells: marker, SLA, wait, channel, language, name, preview, tags, holder. */
export function formatRow(e: Enquiry, o: RowOptions): Segment[] {
  const { symbols } = o;
  const waiting = e.status === 'waiting';
  const level = waiting ? slaLevel(o.waitSeconds, o.settings) : 'ok';
  const setApart = !waiting || (e.claimedBy !== null && e.claimedBy !== o.me);
  const base: Role | undefined = setApart ? 'dim' : undefined;
  const sla = level === 'red' ? symbols.red : level === 'amber' ? symbols.amber : '  ';
  const wait = waiting ? formatWait(o.waitSeconds) : '-';
  const holder = e.claimedBy === null ? '' : e.claimedBy === o.me ? 'you' : cleanLine(e.claimedBy);
  const tags = e.caseNumbers.length === 0 ? '' : e.caseNumbers.length === 1 ? e.caseNumbers[0]! : `${e.caseNumbers[0]}+${e.caseNumbers.length - 1}`;

  const head: Segment[] = [
    { text: o.selected ? `${symbols.selected} ` : '  ', role: o.selected ? 'selected' : undefined },
    { text: `${sla} `, role: level === 'ok' ? base : level },
    { text: `${padStart(wait, 5)} `, role: level === 'ok' ? base : level, live: true },
    { text: `${fit(channelShort(e.channel), 3)} `, role: base ?? 'dim' },
    { text: `${e.language === 'cy' ? 'CY' : 'EN'} `, role: e.language === 'cy' ? 'accent' : base ?? 'dim' },
  ];
  const fixed = 18;
  let rest = Math.max(0, o.width - fixed);
  const holderText = holder === '' ? '' : ` @${truncate(holder, 10, symbols.ellipsis)}`;
  const tagText = tags === '' ? '' : ` ${tags}`;
  // Narrow screens drop the holder, then the tags, before the name and message become unreadable.
  const showHolder = holderText !== '' && rest - textWidth(holderText) >= 20;
  if (showHolder) rest -= textWidth(holderText);
  const showTags = tagText !== '' && rest - textWidth(tagText) >= 20;
  if (showTags) rest -= textWidth(tagText);
  const nameWidth = Math.min(rest, Math.max(8, Math.min(24, Math.floor(rest * 0.3))));
  const previewWidth = Math.max(0, rest - nameWidth - 1);
  const segments: Segment[] = [
    ...head,
    { text: fit(displayName(e), nameWidth, symbols.ellipsis), role: base ?? 'strong' },
    ...(previewWidth > 0 ? [{ text: ` ${fit(cleanLine(e.preview), previewWidth, symbols.ellipsis)}`, role: base }] : []),
    ...(showTags ? [{ text: tagText, role: base ?? 'tag' } as Segment] : []),
    ...(showHolder ? [{ text: holderText, role: e.claimedBy === o.me ? 'accent' : 'dim' } as Segment] : []),
  ];
  return clip(segments, o.width);
}

/** A group heading in the queue, `── held by others (3) ─────`, `width` cells wide. */
export function formatHeading(label: string, width: number, symbols: Symbols): Segment[] {
  const text = `${symbols.rule}${symbols.rule} ${label} `;
  return [{ text: fit(text + symbols.rule.repeat(Math.max(0, width - textWidth(text))), width, ''), role: 'dim' }];
}

/** Cuts a line of segments to `width` cells. */
export function clip(segments: Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const s of segments) {
    const w = textWidth(s.text);
    if (used + w <= width) {
      out.push(s);
      used += w;
      continue;
    }
    const room = width - used;
    if (room > 0) out.push({ ...s, text: truncate(s.text, room, '') });
    break;
  }
  return out;
}

export function segmentsWidth(segments: Segment[]): number {
  return segments.reduce((sum, s) => sum + textWidth(s.text), 0);
}

export interface StatusInfo {
  agentName: string;
  presence: 'available' | 'away' | null;
  connection: ConnectionStatus;
  unsent: number;
  nowMs: number;
  waiting: number;
  longestWaitSeconds: number | null;
  pastRed: number;
  settings: Pick<Settings, 'slaRedMinutes'>;
  filter: string;
  width: number;
  symbols: Symbols;
}

/** The connection part of the status line: connected / reconnecting in Ns / offline with N unsent. */
export function connectionText(c: ConnectionStatus, unsent: number, nowMs: number): Segment {
  switch (c.state) {
    case 'connected':
      // Said plainly and in red: replies are kept and sent later, but nothing new is being saved.
      if (c.degraded) return { text: unsent > 0 ? `broker degraded: cannot save, holding ${unsent}` : 'broker degraded: cannot save', role: 'red' };
      return unsent > 0 ? { text: `connected, sending ${unsent}`, role: 'ok' } : { text: 'connected', role: 'ok' };
    case 'connecting':
      return { text: 'connecting', role: 'amber' };
    case 'reconnecting': {
      const secs = Math.max(0, Math.ceil((c.retryAt - nowMs) / 1000));
      return unsent > 0
        ? { text: `offline with ${unsent} unsent, reconnecting in ${secs}s`, role: 'red', live: true }
        : { text: `reconnecting in ${secs}s`, role: 'amber', live: true };
    }
    case 'refused':
      return { text: `refused: ${cleanLine(c.error)}`, role: 'error' };
    case 'closed':
      return { text: unsent > 0 ? `offline with ${unsent} unsent` : 'disconnected', role: 'red' };
  }
}

/** Cells an agent name keeps before any of the queue's figures gives way: names run to 64 characters. */
const NAME_CELLS = 20;
/** The least of a name kept when even that does not leave the connection state room: enough to know it. */
const MIN_NAME_CELLS = 8;

/**
 * The top line. When it does not fit, a long agent name is cut to 20 cells first, with an
 * ellipsis; then the queue's lesser figures go (the number past red, then the longest wait, then
 * the presence word); then the name is cut further. So the connection state, which says whether
 * what the agent types is being saved, is the last thing ever cut.
 */
export function statusLine(s: StatusInfo): Segment[] {
  const sep = { text: ` ${s.symbols.separator} `, role: 'dim' as const };
  const longest: Segment | null = s.longestWaitSeconds === null ? null : { text: `, longest ${formatWait(s.longestWaitSeconds)}`, live: true };
  const pastRed: Segment = { text: `, ${s.pastRed} past ${s.settings.slaRedMinutes}m`, role: s.pastRed > 0 ? 'red' : undefined };
  const presence: Segment = { text: s.presence ? ` (${s.presence})` : '', role: s.presence === 'available' ? 'ok' : 'dim' };
  const name = cleanLine(s.agentName);
  type Shown = { nameCells: number; presence: boolean; longest: boolean; pastRed: boolean };
  const build = (shown: Shown): Segment[] => [
    { text: truncate(name, shown.nameCells, s.symbols.ellipsis), role: 'strong' },
    ...(shown.presence ? [presence] : []),
    sep,
    connectionText(s.connection, s.unsent, s.nowMs),
    sep,
    { text: `${s.waiting} waiting` },
    ...(shown.longest && longest ? [longest] : []),
    ...(shown.pastRed ? [pastRed] : []),
    ...(s.filter !== '' ? [sep, { text: `/ ${cleanLine(s.filter)}`, role: 'accent' as const }] : []),
  ];
  const tries: Shown[] = [
    { nameCells: Infinity, presence: true, longest: true, pastRed: true },
    { nameCells: NAME_CELLS, presence: true, longest: true, pastRed: true },
    { nameCells: NAME_CELLS, presence: true, longest: true, pastRed: false },
    { nameCells: NAME_CELLS, presence: true, longest: false, pastRed: false },
    { nameCells: NAME_CELLS, presence: false, longest: false, pastRed: false },
  ];
  for (const shown of tries) {
    const segments = build(shown);
    if (segmentsWidth(segments) <= s.width) return segments;
  }
  // The name gives the rest the room it needs, down to a stub; only then is the line cut.
  const bare = { presence: false, longest: false, pastRed: false };
  const rest = segmentsWidth(build({ ...bare, nameCells: 0 }));
  return clip(build({ ...bare, nameCells: Math.max(MIN_NAME_CELLS, s.width - rest) }), s.width);
}

/** Local wall-clock time of an ISO timestamp, `HH:MM`, or the date too when it is not today. */
export function formatTime(iso: string, nowMs: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--';
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const now = new Date(nowMs);
  if (d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) return hm;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${hm}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How long ago, in words short enough for a status column: `45s`, `12m`, `3h`, `2d`. */
export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Why the agent cannot reply freely right now, or null. */
export function replyWindowWarning(e: Pick<Enquiry, 'channel' | 'lastCustomerAt'>, nowMs: number): string | null {
  if (e.channel !== 'whatsapp') return null;
  const window = whatsappReplyWindow(e.lastCustomerAt, nowMs);
  if (window.open) return null;
  if (window.closedAt === null) return 'WhatsApp reply window unknown (the customer\'s last message has no readable time): free text will be refused.';
  return `WhatsApp reply window closed ${formatAgo(nowMs - window.closedAt)} ago: free text will not reach the customer until they write again.`;
}

/** An escalation after its `[status]`: the court, the address, and when it went or was answered. */
export function escalationText(x: Escalation, nowMs: number): string {
  const ago = (iso: string) => `${formatAgo(nowMs - Date.parse(iso))} ago`;
  const when = x.status === 'answered' && x.answeredAt ? `, answered ${ago(x.answeredAt)}` : x.sentAt ? `, sent ${ago(x.sentAt)}` : '';
  const chases = x.chases > 0 ? `, chased ${x.chases}x` : '';
  const error = x.status === 'failed' && x.lastError ? `: ${x.lastError}` : '';
  return cleanLine(`${x.courtName} <${x.to}>${when}${chases}${error}`);
}

/** The word after an agent reply: where it has got to. */
export function replyStateText(m: Message): string {
  // No delivery at all: a web or API enquiry without a callback, so nothing went anywhere.
  if (!m.delivery) return 'recorded; no callback';
  switch (m.delivery.state) {
    case 'pending':
      // Why it waits, when the broker said (a channel switched off, a provider unreachable).
      if (m.delivery.reason) return `${m.delivery.attempts > 0 ? `waiting (tried ${m.delivery.attempts})` : 'waiting'}: ${cleanLine(m.delivery.reason)}`;
      return m.delivery.attempts > 0 ? `retrying (${m.delivery.attempts})` : 'sending';
    case 'failed':
      return m.delivery.reason ? `not delivered: ${cleanLine(m.delivery.reason)}` : 'not delivered';
    default:
      return m.delivery.state;
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
