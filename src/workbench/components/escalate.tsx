// The escalation dialog takes the whole frame: a court list, a template list or a full email needs
// the room, and the frame stays at rows - 1 lines like every other screen.
import { Box } from 'ink';
import type { Controller } from '../controller.js';
import type { EscalateState } from '../dialogs/escalate.js';
import { escalateScreen } from '../dialogs/escalate-view.js';
import { Field } from '../dialogs/views.js';
import type { Theme } from '../theme.js';
import type { Ticker } from '../ticker.js';
import { Line } from './line.js';

export function EscalateOverlay({ controller, flow, theme, ticker, columns, rows }: { controller: Controller; flow: EscalateState; theme: Theme; ticker: Ticker; columns: number; rows: number }) {
  const { lines } = escalateScreen(flow, {
    width: columns,
    height: rows - 1,
    nowMs: ticker.getNow(),
    symbols: theme.symbols,
    enquiry: controller.client.state.enquiries.get(flow.enquiryId),
  });
  return (
    <Box flexDirection="column">
      {lines.map((l, i) =>
        'field' in l ? <Field key={i} line={l.field} prompt={l.prompt} theme={theme} columns={columns} /> : <Line key={i} segments={l.segments} theme={theme} />,
      )}
    </Box>
  );
}
