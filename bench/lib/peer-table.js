// The peers bench's verdicts: each figure measured on courtdesk and on a peer, their ratio and the
// floor the ratio must meet. Pure, so the table and its PASS/MISS are tested without timing anything.
import { fmt } from './stats.js';

/**
 * `{figure, unit, courtdesk, peer, peerName, floor, better, digits}` with its ratio
 * (courtdesk / peer) and pass: ratio ≤ floor when lower is better (latency), ≥ floor otherwise.
 * A figure not measured on either side is a MISS, never a pass by default, and so is one where
 * courtdesk lost anything (`courtdeskLost`): a fast figure that drops enquiries is no figure.
 */
export function peerVerdict(row) {
  const ratio = row.courtdesk / row.peer;
  const measured = Number.isFinite(ratio) && row.peer > 0;
  const pass = measured && !row.courtdeskLost && (row.better === 'lower' ? ratio <= row.floor : ratio >= row.floor);
  return { ...row, ratio: measured ? ratio : NaN, pass };
}

/** A measured value with its unit, or what stood in for it (`missing`, e.g. "none held"). */
const cell = (value, v) => (Number.isFinite(value) ? `${fmt(value, v.digits ?? 0)} ${v.unit}` : (v.missing ?? 'not measured'));

/** A fixed-width table: figure | courtdesk | peer | ratio | floor | PASS/MISS. */
export function peerTable(verdicts) {
  const head = ['figure', 'courtdesk', 'peer', 'ratio', 'floor', ''];
  const cells = verdicts.map((v) => [
    v.figure,
    cell(v.courtdesk, v),
    `${cell(v.peer, v)} (${v.peerName})`,
    `${fmt(v.ratio, 2)}×`,
    `${v.better === 'lower' ? '≤' : '≥'} ${fmt(v.floor, 1)}×`,
    v.pass ? 'PASS' : v.courtdeskLost ? 'MISS (loss)' : 'MISS',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i >= 1 && i <= 3 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
