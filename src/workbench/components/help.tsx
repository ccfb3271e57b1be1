// The `?` overlay: every key from the keymap table, with what it does; keys that do nothing just
// now are dimmed and say why.
import { Box } from 'ink';
import type { Controller } from '../controller.js';
import { helpLines } from '../keymap.js';
import type { Theme } from '../theme.js';
import { fit, truncate } from '../text.js';
import { Line } from './line.js';

export function HelpOverlay({ controller, theme, columns, rows }: { controller: Controller; theme: Theme; columns: number; rows: number }) {
  const dialog = controller.state.dialog;
  const scroll = dialog?.kind === 'help' ? dialog.scroll : 0;
  const lines = helpLines(controller.keyContext());
  const room = Math.max(1, rows - 1 - 3);
  const start = Math.min(scroll, Math.max(0, lines.length - room));
  const shown = lines.slice(start, start + room);
  const more = lines.length > room ? ` (${start + 1}-${start + shown.length} of ${lines.length}, j/k scroll)` : '';
  return (
    <Box flexDirection="column">
      <Line segments={[{ text: fit(`Keys${more}`, columns, theme.symbols.ellipsis), role: 'strong' }]} theme={theme} />
      <Line segments={[{ text: theme.symbols.rule.repeat(columns), role: 'dim' }]} theme={theme} />
      {shown.map((l) => (
        <Line
          key={l.label}
          segments={[
            { text: fit(l.label, 10, ''), role: l.unavailable ? 'dim' : 'accent' },
            {
              text: truncate(l.unavailable ? `${l.help} (not now: ${l.unavailable})` : l.help, columns - 10, theme.symbols.ellipsis),
              role: l.unavailable ? 'dim' : undefined,
            },
          ]}
          theme={theme}
        />
      ))}
      <Line segments={[{ text: fit('Esc or ? closes this help. Full guide: docs/workbench.md', columns, theme.symbols.ellipsis), role: 'dim' }]} theme={theme} />
    </Box>
  );
}
