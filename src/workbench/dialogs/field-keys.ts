// The keys text-field dialogs share: the editing rows a footer names ("^U clear"), and the whole
// key table of a dialog that is one text field (Enter, Esc, editing), so each such dialog writes
// only its words.
import type { KeyRow } from '../keys/table.js';
import type { Keyed } from './dialog.js';
import { editingAction, type LineAction } from './line-editor.js';

/** A footer entry for editing keys of the field (they act in every text field anyway). */
export function editRow<S, A>(keys: readonly string[], label: string, hint: string, help: string, typing: (edit: LineAction) => A): KeyRow<S, A> {
  return {
    keys,
    label,
    hint,
    help,
    act: (_s, name) => {
      const edit = editingAction(name);
      return edit ? typing(edit) : null;
    },
  };
}

/** What the keys of a one-field dialog mean: Enter, Esc (or ^C), an edit of the field, or one of its own keys. */
export type FieldAction<Own extends string = never> = { type: 'enter' | 'cancel' | Own } | { type: 'edit'; edit: LineAction };

/** Words for a key: the footer's hint and the help's line. */
export interface KeyWords {
  hint: string;
  help: string;
}

export interface OneFieldKeys<Own extends string> {
  /** What the agent is doing, for the help and the docs. */
  title: string;
  enter: KeyWords;
  /** Esc and ^C. */
  cancel: KeyWords;
  /** Keys of its own, after Enter in the footer (the reply's Tab). */
  own?: readonly (KeyWords & { keys: readonly string[]; label: string; type: Own })[];
  /** Editing keys the footer names, before Esc. */
  editing?: readonly (KeyWords & { keys: readonly string[]; label: string })[];
  /** Words after the keys in the footer. */
  note?: string;
}

/** The key table of a dialog that is one text field, in its one mode `edit`. */
export function oneFieldKeys<S, Own extends string = never>(k: OneFieldKeys<Own>): Keyed<S, FieldAction<Own>> {
  type A = FieldAction<Own>;
  const typing = (edit: LineAction): A => ({ type: 'edit', edit });
  const press = (type: 'enter' | 'cancel' | Own) => (): A => ({ type }) as A;
  const keys: KeyRow<S, A>[] = [
    { keys: ['enter'], label: 'Enter', ...k.enter, act: press('enter') },
    ...(k.own ?? []).map(({ type, ...row }) => ({ ...row, act: press(type) })),
    ...(k.editing ?? []).map((row) => editRow<S, A>(row.keys, row.label, row.hint, row.help, typing)),
    { keys: ['esc', 'ctrl-c'], label: 'Esc', ...k.cancel, act: press('cancel') },
  ];
  return { modes: { edit: { title: k.title, typing, keys, ...(k.note ? { note: k.note } : {}) } }, mode: () => 'edit' };
}
