// `x`: close the enquiry, asking first while a court has not answered an email about it (closing
// it would take it out of sight while the court still owes an answer).
import { isUnanswered } from '../../domain/escalations.js';
import { Title } from '../components/dialog-parts.js';
import { shortDate } from '../escalation-threads.js';
import { displayName } from '../format.js';
import { heldByMe, type Binding } from '../keys/context.js';
import { closeEnquiry } from '../keys/queue-actions.js';
import { wrap } from '../text.js';
import type { DialogSpec } from './dialog.js';

export interface CloseDialog {
  kind: 'close';
  enquiryId: string;
  /** What the agent is told before closing: which court has not answered, since when. */
  warning: string;
}

export const closeDialog: DialogSpec<CloseDialog, 'close' | 'keep'> = {
  kind: 'close',
  modes: {
    ask: {
      title: 'Asked whether to close an enquiry a court has not answered about',
      keys: [
        { keys: ['y', 'Y', 'enter'], label: 'y', hint: 'close it', help: 'close it all the same (Enter too)', act: () => 'close' },
        { keys: ['n', 'N', 'q', 'esc', 'ctrl-c'], label: 'n', hint: 'keep it open', help: 'keep it open (Esc too)', act: () => 'keep' },
      ],
    },
  },
  mode: () => 'ask',
  step(host, s, a) {
    host.update({ dialog: null });
    if (a === 'close') closeEnquiry(host, s.enquiryId);
  },
  height: () => 3,
  View({ dialog, theme, columns }) {
    const [first, second] = wrap(dialog.warning, columns);
    return (
      <>
        <Title text={first ?? ''} role="warning" theme={theme} columns={columns} />
        <Title text={second ?? ''} role="warning" theme={theme} columns={columns} />
        <Title text="Close it anyway? y / n" theme={theme} columns={columns} />
      </>
    );
  },
};

export const closeOpener: Binding = {
  keys: ['x'],
  label: 'x',
  hint: 'close',
  help: 'close the selected enquiry (asks first while a court has not answered about it)',
  needs: 'you hold it',
  footer: 11,
  when: heldByMe,
  run: (a) => {
    const e = a.selected();
    if (!e) return;
    const waiting = e.escalations.filter(isUnanswered);
    if (waiting.length === 0) return closeEnquiry(a, e.id);
    const oldest = waiting[0]!;
    const since = oldest.sentAt ? `sent ${shortDate(oldest.sentAt, Date.now())}` : 'not sent yet';
    const more = waiting.length > 1 ? ` and ${waiting.length - 1} more` : '';
    const warning = `${oldest.courtName} has not answered the email about ${displayName(e)}'s enquiry (${since})${more}.`;
    a.update({ dialog: { kind: 'close', enquiryId: e.id, warning }, notice: null });
  },
};
