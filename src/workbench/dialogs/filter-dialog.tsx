// `/`: the queue filters as the agent types; Enter keeps the filter, Esc puts the previous one back.
import { Field, Title } from '../components/dialog-parts.js';
import { always, type Binding } from '../keys/context.js';
import type { DialogSpec } from './dialog.js';
import { oneFieldKeys, type FieldAction } from './field-keys.js';
import { editLine, lineOf, type LineState } from './line-editor.js';

export interface FilterDialog {
  kind: 'filter';
  line: LineState;
  previous: string;
}

export const filterDialog: DialogSpec<FilterDialog, FieldAction> = {
  kind: 'filter',
  ...oneFieldKeys({
    title: 'Filtering',
    enter: { hint: 'keep filter', help: 'keep the filter and go back to the queue' },
    cancel: { hint: 'cancel', help: 'put the previous filter back' },
    note: 'words, case number, wa/sms/web, cy/en, mine, free',
  }),
  step(host, s, a) {
    switch (a.type) {
      case 'cancel':
        return host.update({ dialog: null, filter: s.previous });
      case 'enter':
        return host.update({ dialog: null });
      case 'edit': {
        const line = editLine(s.line, a.edit);
        // The queue filters as the agent types.
        return host.update({ dialog: { ...s, line }, filter: line.text.trim() });
      }
    }
  },
  height: () => 2,
  View({ dialog, host, theme, columns }) {
    return (
      <>
        <Field line={dialog.line} prompt="/ " theme={theme} columns={columns} />
        <Title text={`${host.queue().rowCount} shown`} role="dim" theme={theme} columns={columns} />
      </>
    );
  },
};

export const filterOpener: Binding = {
  keys: ['/'],
  label: '/',
  hint: 'filter',
  help: 'filter: words, case number, channel (wa, sms, web), cy/en, mine, free',
  needs: '',
  footer: 5,
  when: always,
  run: (a) => a.update({ dialog: { kind: 'filter', line: lineOf(a.state.filter), previous: a.state.filter }, notice: null }),
};
