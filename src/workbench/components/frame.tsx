// The main screen: status line and queue rows (which tick every second), the conversation pane
// (which changes on its own only when a time in words moves on), the notice and dialog lines, the footer.
import { Box, Text, type DOMElement } from 'ink';
import { memo, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import type { Enquiry } from '../../domain/enquiry.js';
import { waitSeconds } from '../../domain/queue.js';
import type { ClockPainter } from '../clock-painter.js';
import type { Controller } from '../controller.js';
import { conversationLines, type PendingReply } from '../conversation.js';
import { formatHeading, formatRow, statusLine, type Segment } from '../format.js';
import { footerHints } from '../keymap.js';
import type { QueueItem } from '../queue-view.js';
import { waitingStats, windowTop } from '../queue-view.js';
import { lendSpare, MIN_COLUMNS, MIN_ROWS, screenLayout } from '../layout.js';
import type { Theme } from '../theme.js';
import type { Ticker } from '../ticker.js';
import { fit, wrap } from '../text.js';
import { dialogHints } from '../dialogs/dialog.js';
import { specOf } from '../dialogs/registry.js';
import { Blank, Line, paintLine } from './line.js';

const MAX_NOTICE_LINES = 3;

interface FrameProps {
  controller: Controller;
  theme: Theme;
  ticker: Ticker;
  columns: number;
  rows: number;
  /** Draws clock ticks in place of frames when set (a real terminal). */
  painter?: ClockPainter | null;
}

export function Frame({ controller, theme, ticker, columns, rows, painter = null }: FrameProps) {
  const ui = controller.state;
  const topRef = useRef(0);
  // What the controller needs to scroll the escalation preview by what fits.
  controller.viewport = { columns, rows };
  const dialog = ui.dialog;
  const spec = dialog ? specOf(dialog) : null;
  const height = spec && dialog ? spec.height(dialog, controller, columns) : 0;
  const DialogView = spec?.View;
  const dialogView = DialogView && dialog ? <DialogView dialog={dialog} host={controller} theme={theme} ticker={ticker} columns={columns} rows={rows} /> : null;
  // The help and the escalation dialog take the whole frame.
  if (height === 'full') return dialogView;

  // A refusal says why in the broker's words, which can be long: up to three lines, never more.
  // The status line has room for only the start of why the broker refused this token for good
  // (revoked, say), so that is said in full here while nothing else is.
  const connection = controller.client.connection;
  const shownNotice = ui.notice ?? (connection.state === 'refused' ? { text: connection.error, tone: 'error' as const } : null);
  const notice = shownNotice ? wrap(shownNotice.text, columns).slice(0, MAX_NOTICE_LINES) : [];
  const dialogLines = height + Math.max(0, notice.length - 1);
  const shares = screenLayout(columns, rows, dialogLines, ui.zoomed);
  if (!shares) {
    // Wrapped, not cut: on a terminal this small the sentence is all there is to read.
    const words = wrap(`Terminal too small (${columns}x${rows}): courtdesk needs at least ${MIN_COLUMNS}x${MIN_ROWS}. q quits.`, Math.max(1, columns));
    return <Text>{words.slice(0, Math.max(1, rows - 1)).join('\n')}</Text>;
  }
  const view = controller.queue();
  const selection = controller.selection();
  const me = controller.me;
  const pending = pendingReplies(controller, selection.enquiry);
  const paneLines = ui.zoomed
    ? shares.pane
    : conversationLines(selection.enquiry, { width: columns, height: shares.pane, me, nowMs: ticker.getNow(), symbols: theme.symbols, pending, scroll: ui.paneScroll }).length;
  const layout = lendSpare(shares, view.items.length, paneLines);
  const top = windowTop(view.items.length, selection.index, layout.queue, topRef.current);
  topRef.current = top;
  const slice = view.items.slice(top, top + layout.queue);
  // A group's heading at the foot of the window, its rows below it: left for when they fit.
  if (slice.at(-1)?.kind === 'heading') slice.pop();

  return (
    <Box flexDirection="column">
      <Ticking
        controller={controller}
        theme={theme}
        ticker={ticker}
        columns={columns}
        slice={slice}
        selectedId={selection.enquiry?.id ?? null}
        queueHeight={layout.queue}
        empty={view.items.length === 0}
        painter={painter}
      />
      <Line segments={[{ text: theme.symbols.rule.repeat(columns), role: 'dim' }]} theme={theme} />
      <Pane
        enquiry={selection.enquiry}
        theme={theme}
        ticker={ticker}
        width={columns}
        height={layout.pane}
        me={me}
        pending={pending}
        scroll={ui.paneScroll}
        painter={painter}
      />
      {notice.length > 0 ? (
        notice.map((text, i) => <Line key={`n${i}`} segments={[{ text, role: shownNotice?.tone === 'error' ? 'error' : 'accent' }]} theme={theme} />)
      ) : (
        <Blank />
      )}
      {dialogView}
      <Line
        segments={[{ text: fit(spec && dialog ? dialogHints(spec, dialog) : footerHints(controller.keyContext(), columns), columns, theme.symbols.ellipsis), role: 'dim' }]}
        theme={theme}
      />
    </Box>
  );
}

interface TickingProps {
  controller: Controller;
  theme: Theme;
  ticker: Ticker;
  columns: number;
  slice: QueueItem[];
  selectedId: string | null;
  queueHeight: number;
  empty: boolean;
  painter: ClockPainter | null;
}

/** The only part redrawn every second: one `now` for the status line and every visible row. */
function Ticking(props: TickingProps) {
  const { theme, ticker, painter } = props;
  const now = useSyncExternalStore(ticker.subscribe, ticker.getNow);
  const lines = tickingLines(props, now);
  const box = useRef<DOMElement>(null);
  useLayoutEffect(() => {
    if (!painter || !box.current) return;
    const paint = (all: TickingLine[]) => all.map((l) => paintLine(l.segments, theme, l.selected));
    painter.setTicking({ box: box.current, lines: paint(lines), at: (nowMs) => paint(tickingLines(props, nowMs)) });
  });
  useLayoutEffect(() => () => painter?.setTicking(null), [painter]);
  return (
    <Box flexDirection="column" ref={box}>
      {lines.map((l) => (
        <Line key={l.key} segments={l.segments} theme={theme} inverse={l.selected} />
      ))}
    </Box>
  );
}

interface TickingLine {
  key: string;
  segments: Segment[];
  selected: boolean;
}

/** The status line and the queue's lines (rows, headings, then blank fill) at `now`. */
function tickingLines({ controller, theme, columns, slice, selectedId, queueHeight, empty }: TickingProps, now: number): TickingLine[] {
  const { settings } = controller;
  const view = controller.queue();
  const stats = waitingStats(view.waitingSinceMs, now, settings.slaRedMinutes);
  const status = statusLine({
    agentName: controller.me || 'connecting',
    presence: controller.presence(),
    connection: controller.client.connection,
    unsent: controller.unsent(),
    nowMs: now,
    waiting: view.waitingSinceMs.length,
    longestWaitSeconds: stats.longestSeconds,
    pastRed: stats.pastRed,
    settings,
    filter: controller.state.filter,
    width: columns,
    symbols: theme.symbols,
  });
  const lines: TickingLine[] = [{ key: 'status', segments: status, selected: false }];
  slice.forEach((item, i) => {
    if (item.kind === 'heading') {
      lines.push({ key: `h${i}:${item.label}`, segments: formatHeading(item.label, columns, theme.symbols), selected: false });
      return;
    }
    const e = item.enquiry;
    const selected = e.id === selectedId;
    lines.push({
      key: e.id,
      selected,
      segments: formatRow(e, { width: columns, waitSeconds: waitSeconds(e, now), me: controller.me, settings, symbols: theme.symbols, selected }),
    });
  });
  for (let i = slice.length; i < queueHeight; i++) {
    const message = i === slice.length && empty ? (controller.state.filter ? 'Nothing matches the filter. Esc clears it.' : 'The queue is empty.') : null;
    // A line of no segments is drawn blank.
    lines.push({ key: message ? 'empty' : `fill${i - slice.length}`, segments: message ? [{ text: message, role: 'dim' }] : [], selected: false });
  }
  return lines;
}

interface PaneProps {
  enquiry: Enquiry | null;
  theme: Theme;
  ticker: Ticker;
  width: number;
  height: number;
  me: string;
  pending: PendingReply[];
  scroll: number;
  painter: ClockPainter | null;
}

/** The conversation: redrawn when its enquiry changes, and when its times in words ("sent 45s ago") move on. */
const Pane = memo(function Pane({ enquiry, theme, ticker, width, height, me, pending, scroll, painter }: PaneProps) {
  const linesAt = (nowMs: number) => conversationLines(enquiry, { width, height, me, nowMs, symbols: theme.symbols, pending, scroll });
  // Redrawn when what it says changes with the clock, and only then: "sent 45s ago" every second,
  // "sent 3m ago" every minute, a conversation with no times in words never.
  useSyncExternalStore(ticker.subscribe, () => textOf(linesAt(ticker.getNow())));
  const lines = linesAt(ticker.getNow());
  // The painter draws a tick without a frame only while the conversation would read the same.
  useLayoutEffect(() => painter?.addStill({ lines, at: linesAt }));
  return (
    <>
      {lines.map((segments, i) => (
        <Line key={i} segments={segments} theme={theme} />
      ))}
      {Array.from({ length: Math.max(0, height - lines.length) }, (_, i) => (
        <Blank key={`fill${i}`} />
      ))}
    </>
  );
}, samePane);

function textOf(lines: readonly Segment[][]): string {
  return lines.map((l) => l.map((s) => s.text).join('')).join('\n');
}

function samePane(a: PaneProps, b: PaneProps): boolean {
  return (
    a.enquiry === b.enquiry &&
    a.theme === b.theme &&
    a.width === b.width &&
    a.height === b.height &&
    a.me === b.me &&
    a.scroll === b.scroll &&
    a.painter === b.painter &&
    a.pending.length === b.pending.length &&
    a.pending.every((p, i) => p.text === b.pending[i]!.text && p.state === b.pending[i]!.state)
  );
}

/** Replies to this enquiry the broker has not acknowledged: "queued" while offline, "sending" while connected. */
function pendingReplies(controller: Controller, e: Enquiry | null): PendingReply[] {
  if (!e) return [];
  const state = controller.client.connection.state === 'connected' ? 'sending' : 'queued';
  const out: PendingReply[] = [];
  for (const p of controller.client.pending) {
    if (p.command.type === 'reply' && p.command.enquiryId === e.id) out.push({ text: p.command.text, state });
  }
  return out;
}
