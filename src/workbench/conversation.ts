// The conversation pane as lines of segments, cut to the space it has: a header (who, channel,
// language, state, holder), tags, escalations with their status, the reply-window warning, then
// as much of the conversation as fits, newest at the bottom. Pure, so its layout is tested directly.
import type { Enquiry, Message } from '../domain/enquiry.js';
import type { Segment } from './format.js';
import {
  channelName,
  clip,
  displayName,
  formatTime,
  replyStateText,
  replyWindowWarning,
} from './format.js';
import { threadLine, threads } from './escalation-threads.js';
import type { Symbols } from './theme.js';
import { cleanLine, textWidth, truncate, wrap } from './text.js';

/** A reply the agent has sent that the broker has not acknowledged yet. */
export interface PendingReply {
  text: string;
  state: 'queued' | 'sending';
}

export interface PaneOptions {
  width: number;
  height: number;
  me: string;
  nowMs: number;
  symbols: Symbols;
  pending: readonly PendingReply[];
  /** Lines scrolled back from the newest. */
  scroll: number;
}

export type Line = Segment[];

export function conversationLines(e: Enquiry | null, o: PaneOptions): Line[] {
  if (o.height <= 0) return [];
  if (!e) return [[{ text: 'No enquiry selected. Press n to take the next one, or j/k to choose.', role: 'dim' as const }]];
  const head = headerLines(e, o);
  const bodyHeight = o.height - head.length;
  if (bodyHeight <= 0) return head.slice(0, o.height).map((line) => clip(line, o.width));
  const body = bodyLines(e, o);
  const maxScroll = Math.max(0, body.length - bodyHeight);
  const scroll = Math.min(Math.max(0, o.scroll), maxScroll);
  const end = body.length - scroll;
  const shown = body.slice(Math.max(0, end - bodyHeight), end);
  if (scroll > 0 && shown.length > 0) {
    shown[shown.length - 1] = [{ text: `${o.symbols.rule.repeat(2)} ${scroll} more below (PgDn) ${o.symbols.rule.repeat(2)}`, role: 'dim' }];
  }
  return [...head, ...shown].map((line) => clip(line, o.width));
}

function headerLines(e: Enquiry, o: PaneOptions): Line[] {
  const sep: Segment = { text: ` ${o.symbols.separator} `, role: 'dim' };
  const state =
    e.status === 'waiting'
      ? `waiting since ${e.waitingSince ? formatTime(e.waitingSince, o.nowMs) : '?'}`
      : e.status === 'awaiting-customer'
        ? 'awaiting the customer'
        : 'closed';
  const holder = e.claimedBy === null ? 'not held' : e.claimedBy === o.me ? 'held by you' : `held by ${cleanLine(e.claimedBy)}`;
  const lines: Line[] = [
    titleLine(displayName(e), { text: state, role: e.status === 'closed' ? 'dim' : undefined }, { text: holder, role: e.claimedBy === o.me ? 'accent' : 'dim' }, e.id, sep, o),
    [
      { text: `${channelName(e.channel)} ${cleanLine(e.from)}`, role: 'dim' },
      sep,
      { text: e.language === 'cy' ? 'Welsh' : 'English', role: e.language === 'cy' ? 'accent' : 'dim' },
      ...(e.caseNumbers.length > 0 ? [sep, { text: 'Case numbers: ', role: 'dim' as const }, { text: e.caseNumbers.join(', '), role: 'tag' as const }] : []),
    ],
  ];
  // One line per email to a court, its chases folded in: what matters before emailing it again.
  for (const x of threads(e)) lines.push(threadLine(x, e.escalations, o.nowMs, o.width, o.symbols));
  const warning = replyWindowWarning(e, o.nowMs);
  if (warning) lines.push([{ text: `${o.symbols.warning} ${warning}`, role: 'warning' }]);
  return lines;
}

/** Fewest characters of the name kept before the state and then the holder give way. */
const MIN_NAME = 8;

/**
 * `Jane Smith │ waiting since 10:02 │ held by you │ E7K2M9QXA`, fitted to the width without ever
 * cutting the id (it is what an agent reads out or looks up): the name is shortened with a mark
 * first, then the state gives way, then the holder.
 */
function titleLine(name: string, state: Segment, holder: Segment, id: string, sep: Segment, o: PaneOptions): Line {
  const sepWidth = textWidth(sep.text);
  for (const middle of [[state, holder], [holder], []]) {
    const room = o.width - textWidth(id) - middle.reduce((w, m) => w + sepWidth + textWidth(m.text), 0) - sepWidth;
    if (room >= Math.min(MIN_NAME, textWidth(name)) || middle.length === 0) {
      const shown = truncate(name, Math.max(1, room), o.symbols.ellipsis);
      return [{ text: shown, role: 'strong' }, ...middle.flatMap((m) => [sep, m]), sep, { text: id, role: 'dim' }];
    }
  }
  return [{ text: id, role: 'dim' }];
}

function bodyLines(e: Enquiry, o: PaneOptions): Line[] {
  const lines: Line[] = [];
  if (!e.messagesLoaded) {
    lines.push([{ text: `Loading the whole conversation${o.symbols.ellipsis}`, role: 'dim' }]);
    if (e.preview) lines.push(...messageLines('latest', 'customer', e.preview, '', o));
  }
  for (const m of e.messages) {
    lines.push(...messageLines(formatTime(m.at, o.nowMs), m.author, m.text, labelOf(m, e, o.me), o, m.author === 'agent' ? replyStateText(m) : undefined));
  }
  // A reply already folded into the conversation is not shown again as pending (acks and events can arrive in either order).
  const answered = new Set(e.messages.filter((m) => m.author === 'agent' && m.agent === o.me).map((m) => m.text));
  for (const p of o.pending) {
    if (answered.has(p.text)) continue;
    lines.push(...messageLines('     ', 'agent', p.text, 'you', o, p.state === 'queued' ? 'queued' : 'sending'));
  }
  return lines;
}

function labelOf(m: Message, e: Enquiry, me: string): string {
  if (m.author === 'customer') return displayName(e);
  if (m.author === 'court') return 'court';
  const who = m.agent === undefined ? 'agent' : m.agent === me ? 'you' : cleanLine(m.agent);
  return m.author === 'note' ? `note by ${who}` : who;
}

function messageLines(time: string, author: Message['author'], text: string, label: string, o: PaneOptions, state?: string): Line[] {
  const who = `${author === 'note' ? `${o.symbols.note} ` : ''}${label}${label ? ': ' : ''}`;
  const prefixWidth = textWidth(time) + 1 + textWidth(who);
  // Later lines hang under the text, but never so far that a long name starves them on a narrow screen.
  const indent = Math.min(prefixWidth, Math.floor(o.width / 3));
  const suffix = state ? `[${state}]` : '';
  const lines = wrap(suffix ? `${text} ${suffix}` : text, Math.max(1, o.width - prefixWidth), Math.max(1, o.width - indent));
  const textRole = author === 'note' ? 'note' : undefined;
  const suffixRole = state === 'queued' ? 'amber' : state?.startsWith('not delivered') ? 'error' : 'dim';
  const body = (line: string, last: boolean): Segment[] => {
    if (!last || !suffix || !line.endsWith(suffix)) return [{ text: line, role: textRole }];
    return [
      { text: line.slice(0, line.length - suffix.length), role: textRole },
      { text: suffix, role: suffixRole },
    ];
  };
  const role = author === 'note' ? 'note' : author === 'agent' ? 'agent' : author === 'court' ? 'accent' : 'customer';
  return lines.map((line, i) =>
    i === 0
      ? [{ text: `${time} `, role: 'dim' } as Segment, { text: who, role } as Segment, ...body(line, lines.length === 1)]
      : [{ text: ' '.repeat(indent) } as Segment, ...body(line, i === lines.length - 1)],
  );
}
