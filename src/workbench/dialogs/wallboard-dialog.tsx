// `w`: the wallboard (docs/wallboard.md), for supervisors and auditors. The broker pushes its
// figures while the board is open; the lines are the domain's, the same `courtdesk stats` prints,
// and the waits in them tick on the screen's one clock.
import { Box } from 'ink';
import { useSyncExternalStore } from 'react';
import { wallboardLines, type BoardLine } from '../../domain/wallboard-text.js';
import type { CentreFigures } from '../../domain/centre-figures.js';
import { Line } from '../components/line.js';
import type { Binding } from '../keys/context.js';
import { fit } from '../text.js';
import type { Theme } from '../theme.js';
import type { DialogSpec } from './dialog.js';

export interface WallboardDialog {
  kind: 'wallboard';
}

type WallboardAction = { type: 'close' };

export const wallboardDialog: DialogSpec<WallboardDialog, WallboardAction> = {
  kind: 'wallboard',
  modes: {
    read: {
      title: 'Reading the wallboard',
      keys: [{ keys: ['esc', 'w', 'q', 'ctrl-c'], label: 'Esc', hint: 'close', help: 'close the wallboard (w or q too)', act: () => ({ type: 'close' }) }],
      note: 'live from the broker; marked figures are past the thresholds',
    },
  },
  mode: () => 'read',
  step(host) {
    host.client.watchWallboard?.(false);
    host.update({ dialog: null });
  },
  height: () => 'full',
  View({ host, theme, ticker, columns, rows }) {
    const figures = host.client.wallboard ?? null;
    // Only a change in what the lines say draws a frame: most seconds no wait turns a minute.
    const lines = (now: number) => boardLines(figures, now, theme, columns, rows - 2);
    useSyncExternalStore(ticker.subscribe, () => lines(ticker.getNow()).map((l) => l.text).join('\n'));
    return (
      <Box flexDirection="column">
        <Line segments={[{ text: fit('Wallboard', columns, theme.symbols.ellipsis), role: 'strong' }]} theme={theme} />
        <Line segments={[{ text: theme.symbols.rule.repeat(columns), role: 'dim' }]} theme={theme} />
        {lines(ticker.getNow()).map((l, i) => (
          <Line key={i} segments={[{ text: l.text, role: l.bad ? 'warning' : l.heading ? 'strong' : undefined }]} theme={theme} />
        ))}
      </Box>
    );
  },
};

function boardLines(figures: CentreFigures | null, now: number, theme: Theme, columns: number, rows: number): BoardLine[] {
  if (!figures) return [{ text: fit('Asking the broker for the figures…', columns, theme.symbols.ellipsis), bad: false }];
  return wallboardLines(figures, new Date(now), { width: columns, maxRows: Math.max(1, rows), mark: theme.symbols.warning, ellipsis: theme.symbols.ellipsis });
}

export const wallboardOpener: Binding = {
  keys: ['w'],
  label: 'w',
  hint: 'wallboard',
  help: 'show the wallboard: who waits, today so far, agents and courts',
  needs: 'a supervisor or auditor token',
  footer: null,
  when: (c) => (c.wallboard ? true : 'only supervisors and auditors see the wallboard'),
  run: (a) => {
    a.client.watchWallboard?.(true);
    a.update({ dialog: { kind: 'wallboard' } });
  },
};
