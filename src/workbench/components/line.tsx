// One line of segments, styled by the theme. Lines are cut to width before they get here;
// wrap="truncate" is the guard that a mistake can never push the layout down.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Segment } from '../format.js';
import type { Theme } from '../theme.js';

export function Line({ segments, theme, inverse = false }: { segments: readonly Segment[]; theme: Theme; inverse?: boolean }) {
  // An empty Text takes no height; a blank line must still take one.
  if (segments.every((s) => s.text === '')) return <Text> </Text>;
  const invert = inverse && theme.color;
  if (!segments.some((s) => s.live)) return <Run segments={segments} theme={theme} inverse={invert} />;
  // Clocks get text nodes of their own (see Segment.live); the rest of the line keeps its own.
  const runs: Segment[][] = [];
  for (const s of segments) {
    const last = runs.at(-1);
    if (s.live || !last || last[0]!.live) runs.push([s]);
    else last.push(s);
  }
  return (
    <Box height={1}>
      {runs.map((run, i) => (
        <Run key={i} segments={run} theme={theme} inverse={invert} />
      ))}
    </Box>
  );
}

function Run({ segments, theme, inverse }: { segments: readonly Segment[]; theme: Theme; inverse: boolean }) {
  const children: ReactNode[] = segments.map((s, i) => {
    const style = theme.style(s.role);
    return Object.keys(style).length === 0 ? (
      s.text
    ) : (
      <Text key={i} {...style}>
        {s.text}
      </Text>
    );
  });
  return (
    <Text wrap="truncate" inverse={inverse}>
      {children}
    </Text>
  );
}

export function Blank() {
  return <Text> </Text>;
}
