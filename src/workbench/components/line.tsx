// One line of segments, styled by the theme. Lines are cut to width before they get here;
// wrap="truncate" is the guard that a mistake can never push the layout down.
import { Box, renderToString, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import type { Envelope, PaintLine, Piece } from '../clock-painter.js';
import type { Segment } from '../format.js';
import type { Theme } from '../theme.js';

export function Line({ segments, theme, inverse = false }: { segments: readonly Segment[]; theme: Theme; inverse?: boolean }) {
  // An empty Text takes no height; a blank line must still take one.
  if (segments.every((s) => s.text === '')) return <Text> </Text>;
  const invert = inverse && theme.color;
  const { runs } = runsOf(segments, theme);
  if (runs.length === 1) return <Run run={runs[0]!} theme={theme} inverse={invert} />;
  return (
    <Box height={1}>
      {runs.map((run, i) => (
        <Run key={i} run={run} theme={theme} inverse={invert} />
      ))}
    </Box>
  );
}

type Run = readonly Piece[];

/**
 * Splits a line into runs, one Ink text node each: clocks (Segment.live) alone, so the text around
 * them keeps its node and its measured size from one second to the next; within a run, neighbours
 * drawn in the same style are joined, so Ink styles and measures fewer pieces on every frame.
 */
function runsOf(segments: readonly Segment[], theme: Theme): { runs: Run[]; live: boolean[] } {
  const runs: Piece[][] = [];
  const live: boolean[] = [];
  for (const s of segments) {
    if (s.text === '') continue;
    const run = runs.at(-1);
    if (!run || s.live || live.at(-1)) {
      runs.push([{ text: s.text, role: s.role }]);
      live.push(s.live === true);
      continue;
    }
    const last = run.at(-1)!;
    if (theme.style(last.role) === theme.style(s.role)) run[run.length - 1] = { text: last.text + s.text, role: last.role };
    else run.push({ text: s.text, role: s.role });
  }
  return { runs, live };
}

/** A line as `Line` draws it, for the clock painter: its runs, which are clocks, and the inversion. */
export function paintLine(segments: readonly Segment[], theme: Theme, inverse = false): PaintLine {
  const { runs, live } = runsOf(segments, theme);
  return { runs, live, inverse: inverse && theme.color };
}

/** Most runs are the same as a second ago (only the clocks move): those are not drawn again. */
const Run = memo(function Run({ run, theme, inverse }: { run: Run; theme: Theme; inverse: boolean }) {
  const children: ReactNode[] = run.map((p, i) => {
    const style = theme.style(p.role);
    return Object.keys(style).length === 0 ? (
      p.text
    ) : (
      <Text key={i} {...style}>
        {p.text}
      </Text>
    );
  });
  return (
    <Text wrap="truncate" inverse={inverse}>
      {children}
    </Text>
  );
}, sameRun);

function sameRun(a: { run: Run; theme: Theme; inverse: boolean }, b: { run: Run; theme: Theme; inverse: boolean }): boolean {
  return (
    a.theme === b.theme &&
    a.inverse === b.inverse &&
    a.run.length === b.run.length &&
    a.run.every((p, i) => p.text === b.run[i]!.text && p.role === b.run[i]!.role)
  );
}

/**
 * The escape codes Ink writes around a one-piece run in this style (drawn once by Ink itself, so
 * they follow the colour support Ink detected), for the clock painter to draw clocks alike.
 */
export function runEnvelope(theme: Theme): Envelope {
  const known = new Map<string, { open: string; close: string }>();
  return (role, inverse) => {
    const key = `${role ?? ''}|${inverse}`;
    let envelope = known.get(key);
    if (!envelope) {
      const drawn = renderToString(<Run run={[{ text: 'X', role }]} theme={theme} inverse={inverse} />, { columns: 10 });
      const at = drawn.indexOf('X');
      envelope = { open: drawn.slice(0, at), close: drawn.slice(at + 1) };
      known.set(key, envelope);
    }
    return envelope;
  };
}

export function Blank() {
  return <Text> </Text>;
}
