// `q`: quit, asking first when a draft or an unsent command would be left behind, or enquiries
// would stay held by an agent who has gone (nobody else can take them until they are released).
import { Title } from '../components/dialog-parts.js';
import { always, type Binding } from '../keys/context.js';
import { wrap } from '../text.js';
import type { DialogSpec } from './dialog.js';

export interface QuitDialog {
  kind: 'quit';
  drafts: number;
  unsent: number;
  /** Open enquiries the agent holds. */
  held: number;
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
  height: () => 3,
  View({ dialog, theme, columns }) {
    const parts = [
      dialog.drafts > 0 ? `${dialog.drafts} draft${dialog.drafts === 1 ? '' : 's'} (kept for next time)` : '',
      dialog.unsent > 0 ? `${dialog.unsent} unsent command${dialog.unsent === 1 ? '' : 's'} (sent when you next connect)` : '',
      dialog.held > 0 ? `${dialog.held} enquir${dialog.held === 1 ? 'y' : 'ies'} held (nobody else can take ${dialog.held === 1 ? 'it' : 'them'}: u releases)` : '',
    ].filter(Boolean);
    const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
    // Wrapped over two lines: what would be left behind is what the question is about.
    const [one = '', ...rest] = wrap(`You have ${list}.`, columns);
    const two = rest.join(' ');
    return (
      <>
        <Title text={one} role="warning" theme={theme} columns={columns} />
        <Title text={two} role="warning" theme={theme} columns={columns} />
        <Title text="Quit now? y / n" theme={theme} columns={columns} />
      </>
    );
  },
};

export const quitOpener: Binding = {
  keys: ['q', 'ctrl-c'],
  label: 'q',
  hint: 'quit',
  help: 'quit (asks first when a draft, an unsent reply or an enquiry you hold would be left)',
  needs: '',
  footer: 0,
  when: always,
  run: (a) => {
    const drafts = Object.keys(a.state.drafts).length;
    const unsent = a.unsent();
    let held = 0;
    for (const e of a.client.state.enquiries.values()) if (e.claimedBy === a.me && e.status !== 'closed') held++;
    if (drafts === 0 && unsent === 0 && held === 0) return a.quitNow();
    a.update({ dialog: { kind: 'quit', drafts, unsent, held } });
  },
};
