// The pieces dialogs are drawn from: a line of text cut to the width, a numbered choice, a text
// field with its cursor, and the head of a one-field dialog (what the field is for, then the field).
import { Text } from 'ink';
import type { Segment } from '../format.js';
import type { Theme } from '../theme.js';
import { fit, truncate } from '../text.js';
import { visibleField, type LineState } from '../dialogs/line-editor.js';
import { Line } from './line.js';

export function Title({ text, theme, columns, role = 'strong' }: { text: string; theme: Theme; columns: number; role?: Segment['role'] }) {
  return <Line segments={[{ text: fit(text, columns, theme.symbols.ellipsis), role }]} theme={theme} />;
}

export function Choice({ index, text, selected, theme, columns }: { index: number; text: string; selected: boolean; theme: Theme; columns: number }) {
  const marker = selected ? `${theme.symbols.selected} ` : '  ';
  return (
    <Line
      segments={[
        { text: marker, role: selected ? 'selected' : undefined },
        { text: truncate(`${index + 1}. ${text}`, columns - 2, theme.symbols.ellipsis), role: selected ? 'strong' : undefined },
      ]}
      theme={theme}
      inverse={selected}
    />
  );
}

/** A text field with a visible cursor: inverse video with colour, a bar without. */
export function Field({ line, prompt, theme, columns }: { line: LineState; prompt: string; theme: Theme; columns: number }) {
  const room = Math.max(4, columns - prompt.length - 1);
  const { before, at, after } = visibleField(line, room);
  return (
    <Text wrap="truncate">
      {theme.color ? <Text color="cyan">{prompt}</Text> : prompt}
      {before}
      {theme.color ? <Text inverse>{at}</Text> : `|${at === ' ' ? '' : at}`}
      {after}
    </Text>
  );
}

/** A one-field dialog's head: what the field is for on one line, the field under it. */
export function TitledField({ title, role, line, prompt, theme, columns }: { title: string; role?: Segment['role']; line: LineState; prompt: string; theme: Theme; columns: number }) {
  return (
    <>
      <Title text={title} role={role} theme={theme} columns={columns} />
      <Field line={line} prompt={prompt} theme={theme} columns={columns} />
    </>
  );
}
