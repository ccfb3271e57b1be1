// What a failed script prints: the screen as it was, in a frame, so a CI log shows exactly what the
// agent would have seen, blank rows and right edge included.
import { textWidth } from '../workbench/text.js';

/** The screen inside a box, each row numbered as `expect-line` counts them. */
export function frameScreen(screen: readonly string[], columns: number): string[] {
  const gutter = String(screen.length).length;
  const rule = `${' '.repeat(gutter)} +${'-'.repeat(columns)}+`;
  const rows = screen.map((line, i) => {
    const pad = Math.max(0, columns - textWidth(line));
    return `${String(i + 1).padStart(gutter)} |${line}${' '.repeat(pad)}|`;
  });
  return [rule, ...rows, rule];
}
