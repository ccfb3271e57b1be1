// One line of segments, styled by the theme. Lines are cut to width before they get here;
// wrap="truncate" is the guard that a mistake can never push the layout down.
import { Text } from 'ink';
import type { Segment } from '../format.js';
import type { Theme } from '../theme.js';

export function Line({ segments, theme, inverse = false }: { segments: readonly Segment[]; theme: Theme; inverse?: boolean }) {
  const children = segments.map((s, i) => {
    const style = theme.style(s.role);
    return Object.keys(style).length === 0 ? s.text : (
      <Text key={i} {...style}>
        {s.text}
      </Text>
    );
  });
  // An empty Text takes no height; a blank line must still take one.
  if (segments.every((s) => s.text === '')) return <Text> </Text>;
  return (
    <Text wrap="truncate" inverse={inverse && theme.color}>
      {children}
    </Text>
  );
}

export function Blank() {
  return <Text> </Text>;
}
