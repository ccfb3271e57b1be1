// The main screen: status line and queue rows (which tick every second), the conversation pane
// (which changes at most once a minute on its own), the notice and dialog lines, the footer.
import { Box, Text } from 'ink';
import { memo, useRef, useSyncExternalStore } from 'react';
import type { Enquiry } from '../../domain/enquiry.js';
import { waitSeconds } from '../../domain/queue.js';
import type { Controller } from '../controller.js';
import { conversationLines, type PendingReply } from '../conversation.js';
import { formatHeading, formatRow, statusLine, type Segment } from '../format.js';
import { footerHints } from '../keymap.js';
import type { QueueItem } from '../queue-view.js';
import { waitingStats, windowTop } from '../queue-view.js';
import { screenLayout } from '../layout.js';
import type { Theme } from '../theme.js';
import type { Ticker } from '../ticker.js';
import { fit, wrap } from '../text.js';
import { DialogView, dialogHeight, dialogHints } from '../dialogs/views.js';
import { EscalateOverlay } from './escalate.js';
import { HelpOverlay } from './help.js';
import { Blank, Line } from './line.js';

const MAX_NOTICE_LINES = 3;

interface FrameProps {
  controller: Controller;
  theme: Theme;
  ticker: Ticker;
  columns: number;
  rows: number;
}

export function Frame({ controller, theme, ticker, columns, rows }: FrameProps) {
  const ui = controller.state;
  const topRef = useRef(0);
  // What the controller needs to scroll the escalation preview by what fits.
  controller.viewport = { columns, rows };
  if (ui.dialog?.kind === 'help') return <HelpOverlay controller={controller} theme={theme} columns={columns} rows={rows} />;
  if (ui.dialog?.kind === 'escalate') return <EscalateOverlay controller={controller} flow={ui.dialog.flow} theme={theme} ticker={ticker} columns={columns} rows={rows} />;

  // A refusal says why in the broker's words, which can be long: up to three lines, never more.
  const notice = ui.notice ? wrap(ui.notice.text, columns).slice(0, MAX_NOTICE_LINES) : [];
  const dialogLines = dialogHeight(ui.dialog, controller) + Math.max(0, notice.length - 1);
  const layout = screenLayout(columns, rows, dialogLines, ui.zoomed);
  if (!layout) {
    return <Text wrap="truncate">{`Terminal too small (${columns}x${rows}): courtdesk needs at least 40x10. q quits.`}</Text>;
  }
  const view = controller.queue();
  const selection = controller.selection();
  const top = windowTop(view.items.length, selection.index, layout.queue, topRef.current);
  topRef.current = top;
  const slice = view.items.slice(top, top + layout.queue);
  const me = controller.me;
  const pending = pendingReplies(controller, selection.enquiry);

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
      />
      {notice.length > 0 ? (
        notice.map((text, i) => <Line key={`n${i}`} segments={[{ text, role: ui.notice?.tone === 'error' ? 'error' : 'accent' }]} theme={theme} />)
      ) : (
        <Blank />
      )}
      <DialogView dialog={ui.dialog} controller={controller} theme={theme} columns={columns} />
      <Line
        segments={[{ text: fit(ui.dialog ? dialogHints(ui.dialog) : footerHints(controller.keyContext(), columns), columns, theme.symbols.ellipsis), role: 'dim' }]}
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
}

/** The only part redrawn every second: one `now` for the status line and every visible row. */
function Ticking({ controller, theme, ticker, columns, slice, selectedId, queueHeight, empty }: TickingProps) {
  const now = useSyncExternalStore(ticker.subscribe, ticker.getNow);
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
  const lines: { key: string; segments: Segment[]; selected: boolean }[] = slice.map((item, i) => {
    if (item.kind === 'heading') return { key: `h${i}:${item.label}`, segments: formatHeading(item.label, columns, theme.symbols), selected: false };
    const e = item.enquiry;
    const selected = e.id === selectedId;
    return {
      key: e.id,
      selected,
      segments: formatRow(e, { width: columns, waitSeconds: waitSeconds(e, now), me: controller.me, settings, symbols: theme.symbols, selected }),
    };
  });
  const fill = queueHeight - lines.length;
  return (
    <>
      <Line segments={status} theme={theme} />
      {lines.map((l) => (
        <Line key={l.key} segments={l.segments} theme={theme} inverse={l.selected} />
      ))}
      {Array.from({ length: Math.max(0, fill) }, (_, i) =>
        i === 0 && empty ? (
          <Line key="empty" segments={[{ text: controller.state.filter ? 'Nothing matches the filter. Esc clears it.' : 'The queue is empty.', role: 'dim' }]} theme={theme} />
        ) : (
          <Blank key={`fill${i}`} />
        ),
      )}
    </>
  );
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
}

/** The conversation: redrawn when its enquiry changes, and once a minute for "sent 3m ago" and the reply window. */
const Pane = memo(function Pane({ enquiry, theme, ticker, width, height, me, pending, scroll }: PaneProps) {
  // Subscribed by the minute, so the second-by-second ticks do not redraw the conversation.
  useSyncExternalStore(ticker.subscribe, ticker.getMinute);
  const lines = conversationLines(enquiry, { width, height, me, nowMs: ticker.getNow(), symbols: theme.symbols, pending, scroll });
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

function samePane(a: PaneProps, b: PaneProps): boolean {
  return (
    a.enquiry === b.enquiry &&
    a.theme === b.theme &&
    a.width === b.width &&
    a.height === b.height &&
    a.me === b.me &&
    a.scroll === b.scroll &&
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
