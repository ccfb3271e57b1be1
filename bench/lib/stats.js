// Small helpers for figures: percentiles, number formatting and the one-line verdicts every
// bench prints ("name: value unit (target ...) PASS").

/** p in [0, 1] of an array of numbers (sorted in place). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(values.length * p))];
}

export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n);

export const mb = (bytes) => `${fmt(bytes / 1024 / 1024, 0)} MB`;

/**
 * A figure with its target: `{name, value, unit, digits, target, better: 'higher'|'lower'}`.
 * Returns the printed line and whether it met the target (null when it has none).
 */
export function verdict({ name, value, unit, digits = 0, target, better = 'higher' }) {
  const shown = `${name}: ${fmt(value, digits)} ${unit}`.trimEnd();
  if (target === undefined) return { line: shown, pass: null };
  const pass = better === 'higher' ? value >= target : value <= target;
  const sign = better === 'higher' ? '≥' : '≤';
  return { line: `${shown}  (target ${sign} ${fmt(target, digits)} ${unit}) ${pass ? 'PASS' : 'MISS'}`, pass };
}

/** Collects verdicts for the summary table while printing each. */
export class Figures {
  constructor(print) {
    this.print = print;
    this.rows = [];
  }

  /** Prints and records a figure; see `verdict`. */
  add(figure, indent = '  ') {
    const v = verdict(figure);
    this.print(indent + v.line);
    this.rows.push({ ...figure, pass: v.pass });
    return v.pass;
  }

  note(line, indent = '  ') {
    this.print(indent + line);
  }
}

/** A fixed-width summary table of recorded figures. */
export function summaryTable(rows) {
  const cells = rows.map((r) => [
    r.name,
    `${fmt(r.value, r.digits ?? 0)} ${r.unit}`.trim(),
    r.target === undefined ? '' : `${r.better === 'lower' ? '≤' : '≥'} ${fmt(r.target, r.digits ?? 0)}`,
    r.pass === null || r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
  ]);
  const head = ['figure', 'measured', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i === 1 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
