// Table rows text-field dialogs share: the editing keys a footer names ("^U clear").
import type { KeyRow } from '../keys/table.js';
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
