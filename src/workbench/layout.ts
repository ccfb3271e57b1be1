// How the rows of the terminal are shared out. The frame is kept to rows - 1 lines: at full
// height Ink clears the whole screen on every frame, which flickers and costs bytes.

/** Smallest terminal the workbench draws in; below it, one line asks for more room. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

export interface ScreenLayout {
  /** Lines for queue rows. */
  queue: number;
  /** Lines for the conversation pane. */
  pane: number;
}

/**
 * Status line, queue, a rule, the conversation, the notice line and any dialog, then the footer.
 * Null when the terminal is too small to be usable.
 */
export function screenLayout(columns: number, rows: number, dialogLines: number, zoomed: boolean): ScreenLayout | null {
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) return null;
  const fixed = 1 /* status */ + 1 /* rule */ + 1 /* notice */ + 1 /* footer */;
  const room = rows - 1 - fixed - dialogLines;
  if (room < 4) return null;
  if (zoomed) {
    const queue = Math.min(3, Math.floor(room / 4));
    return { queue: Math.max(1, queue), pane: room - Math.max(1, queue) };
  }
  const queue = Math.max(3, Math.floor(room * 0.45));
  return { queue, pane: room - queue };
}

/**
 * Lines the conversation does not use go to the queue while it has rows it cannot show: the
 * queue never hides a waiting enquiry above blank lines of the pane.
 */
export function lendSpare(layout: ScreenLayout, queueItems: number, paneLines: number): ScreenLayout {
  const lent = Math.min(Math.max(0, layout.pane - paneLines), Math.max(0, queueItems - layout.queue));
  return lent === 0 ? layout : { queue: layout.queue + lent, pane: layout.pane - lent };
}
