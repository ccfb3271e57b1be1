// `a`: an internal note, never sent to the customer. Supervisors may note enquiries others hold.
import { displayName } from '../format.js';
import { TitledField } from '../components/dialog-parts.js';
import { heldByMe, type Binding } from '../keys/context.js';
import type { DialogSpec } from './dialog.js';
import { oneFieldKeys, type FieldAction } from './field-keys.js';
import { editLine, lineOf, type LineState } from './line-editor.js';

export interface NoteDialog {
  kind: 'note';
  enquiryId: string;
  line: LineState;
}

export const noteDialog: DialogSpec<NoteDialog, FieldAction> = {
  kind: 'note',
  ...oneFieldKeys({
    title: 'Writing a note',
    enter: { hint: 'add note', help: 'add the note to the conversation' },
    editing: [{ keys: ['ctrl-u', 'ctrl-w'], label: '^U ^W', hint: 'delete', help: 'delete to the start of the line, or the word before the cursor' }],
    cancel: { hint: 'cancel', help: 'close without adding it' },
  }),
  step(host, s, a) {
    switch (a.type) {
      case 'cancel':
        return host.update({ dialog: null });
      case 'edit':
        return host.update({ dialog: { ...s, line: editLine(s.line, a.edit) } });
      case 'enter': {
        const text = s.line.text.trim();
        if (text === '') return host.notify('The note is empty: type it, or Esc to go back.', 'error');
        host.update({ dialog: null, paneScroll: 0 });
        void host.command({ type: 'note', enquiryId: s.enquiryId, text }, (o) => (o.ok ? 'Note added.' : `Note not added: ${o.error.message}`));
      }
    }
  },
  height: () => 2,
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    const title = `Internal note on ${e ? displayName(e) : 'this enquiry'}'s enquiry (never sent to the customer):`;
    return <TitledField title={title} role="note" line={dialog.line} prompt="> " theme={theme} columns={columns} />;
  },
};

export const noteOpener: Binding = {
  keys: ['a'],
  label: 'a',
  hint: 'note',
  help: 'add an internal note (never sent to the customer)',
  needs: 'you hold it (supervisors: any)',
  footer: 8,
  when: (c) => (c.supervisor && c.selected ? true : heldByMe(c)),
  run: (a) => {
    const e = a.selected();
    if (e) a.update({ dialog: { kind: 'note', enquiryId: e.id, line: lineOf('') }, notice: null });
  },
};
