// `?`: every key from the tables: the queue's first, dimmed with the reason when a key does
// nothing just now, then each dialog's. j/k scroll it.
import { Box } from 'ink';
import { Line } from '../components/line.js';
import { always, type Binding } from '../keys/context.js';
import { helpLines } from '../keymap.js';
import { fit, truncate, wrap } from '../text.js';
import type { DialogSpec } from './dialog.js';
import { dialogSpecs } from './registry.js';

export interface HelpDialog {
  kind: 'help';
  scroll: number;
}

type HelpAction = { type: 'close' } | { type: 'scroll'; by: number };

/** Columns the keys take before what they do. */
const LABEL_WIDTH = 10;

export const helpDialog: DialogSpec<HelpDialog, HelpAction> = {
  kind: 'help',
  modes: {
    read: {
      title: 'Reading this help',
      keys: [
        { keys: ['j', 'down'], label: 'j/k', hint: 'scroll', help: 'scroll down (k or Up: up)', act: () => ({ type: 'scroll', by: 1 }) },
        { keys: ['k', 'up'], label: 'k', hint: null, help: 'scroll up', act: () => ({ type: 'scroll', by: -1 }) },
        { keys: ['esc', '?', 'q', 'enter', 'ctrl-c'], label: 'Esc', hint: 'close', help: 'close the help (? q Enter too)', act: () => ({ type: 'close' }) },
      ],
    },
  },
  mode: () => 'read',
  step(host, s, a) {
    if (a.type === 'close') return host.update({ dialog: null });
    host.update({ dialog: { kind: 'help', scroll: Math.max(0, s.scroll + a.by) } });
  },
  height: () => 'full',
  View({ dialog, host, theme, columns, rows }) {
    const entries: { label: string; help: string; dim: boolean; heading?: true }[] = [
      ...helpLines(host.keyContext()).map((l) => ({ label: l.label, help: l.unavailable ? `${l.help} (not now: ${l.unavailable})` : l.help, dim: l.unavailable !== null })),
      ...dialogSpecs().flatMap((spec) =>
        Object.values(spec.modes).flatMap((mode) => [
          { label: '', help: `${mode.title}:`, dim: false, heading: true as const },
          ...mode.keys.map((k) => ({ label: k.label, help: k.help, dim: false })),
        ]),
      ),
    ];
    // Wrapped under the text, not cut: why a key does nothing just now is the help's point.
    const lines = entries.flatMap((l) =>
      l.heading ? [l] : wrap(l.help, Math.max(1, columns - LABEL_WIDTH)).map((help, i) => ({ ...l, label: i === 0 ? l.label : '', help })),
    );
    const room = Math.max(1, rows - 1 - 3);
    const start = Math.min(dialog.scroll, Math.max(0, lines.length - room));
    const shown = lines.slice(start, start + room);
    const more = lines.length > room ? ` (${start + 1}-${start + shown.length} of ${lines.length}, j/k scroll)` : '';
    return (
      <Box flexDirection="column">
        <Line segments={[{ text: fit(`Keys${more}`, columns, theme.symbols.ellipsis), role: 'strong' }]} theme={theme} />
        <Line segments={[{ text: theme.symbols.rule.repeat(columns), role: 'dim' }]} theme={theme} />
        {shown.map((l, i) =>
          l.heading ? (
            <Line key={start + i} segments={[{ text: fit(l.help, columns, theme.symbols.ellipsis), role: 'strong' }]} theme={theme} />
          ) : (
            <Line
              key={start + i}
              segments={[
                { text: fit(l.label, LABEL_WIDTH, ''), role: l.dim ? 'dim' : 'accent' },
                { text: truncate(l.help, columns - LABEL_WIDTH, theme.symbols.ellipsis), role: l.dim ? 'dim' : undefined },
              ]}
              theme={theme}
            />
          ),
        )}
        <Line segments={[{ text: fit('Esc or ? closes this help. Full guide: docs/workbench.md', columns, theme.symbols.ellipsis), role: 'dim' }]} theme={theme} />
      </Box>
    );
  },
};

export const helpOpener: Binding = {
  keys: ['?'],
  label: '?',
  hint: 'help',
  help: 'show or hide this help',
  needs: '',
  footer: 0,
  when: always,
  run: (a) => a.update({ dialog: { kind: 'help', scroll: 0 } }),
};
