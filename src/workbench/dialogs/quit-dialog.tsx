// `q`: quit, asking first when a draft or an unsent command would be left behind.
import { Title } from '../components/dialog-parts.js';
import { always, type Binding } from '../keys/context.js';
import type { DialogSpec } from './dialog.js';

export interface QuitDialog {
  kind: 'quit';
  drafts: number;
  unsent: number;
}

export const quitDialog: DialogSpec<QuitDialog, 'quit' | 'stay'> = {
  kind: 'quit',
  modes: {
    ask: {
      title: 'Asked whether to quit',
      keys: [
        { keys: ['y', 'Y', 'q', 'enter', 'ctrl-c'], label: 'y', hint: 'quit', help: 'quit now (drafts are kept, unsent commands go when you next connect)', act: () => 'quit' },
        { keys: ['n', 'N', 'esc'], label: 'n', hint: 'stay', help: 'stay', act: () => 'stay' },
      ],
    },
  },
  mode: () => 'ask',
  step(host, _s, a) {
    host.update({ dialog: null });
    if (a === 'quit') host.quitNow();
  },
  height: () => 2,
  View({ dialog, theme, columns }) {
    const parts = [
      dialog.drafts > 0 ? `${dialog.drafts} draft${dialog.drafts === 1 ? '' : 's'} (kept for next time)` : '',
      dialog.unsent > 0 ? `${dialog.unsent} unsent command${dialog.unsent === 1 ? '' : 's'} (sent when you next connect)` : '',
    ].filter(Boolean);
    return (
      <>
        <Title text={`You have ${parts.join(' and ')}.`} role="warning" theme={theme} columns={columns} />
        <Title text="Quit now? y / n" theme={theme} columns={columns} />
      </>
    );
  },
};

export const quitOpener: Binding = {
  keys: ['q', 'ctrl-c'],
  label: 'q',
  hint: 'quit',
  help: 'quit (asks first when a draft or an unsent reply would be left)',
  needs: '',
  footer: 0,
  when: always,
  run: (a) => {
    const drafts = Object.keys(a.state.drafts).length;
    const unsent = a.unsent();
    if (drafts === 0 && unsent === 0) return a.quitNow();
    a.update({ dialog: { kind: 'quit', drafts, unsent } });
  },
};
