// `C`: chase the court about the enquiry's oldest escalation it has not answered, after asking.
import { chaseDueDate, isDueForChase } from '../../domain/escalations.js';
import { Title } from '../components/dialog-parts.js';
import { chaseTarget, shortDate, times } from '../escalation-threads.js';
import { heldOrSupervisor, type Binding } from '../keys/context.js';
import { cleanLine } from '../text.js';
import type { DialogSpec } from './dialog.js';

export interface ChaseDialog {
  kind: 'chase';
  enquiryId: string;
  escalationId: string;
  courtName: string;
  subject: string;
  detail: string;
}

type ChaseAction = 'send' | 'cancel';

export const chaseDialog: DialogSpec<ChaseDialog, ChaseAction> = {
  kind: 'chase',
  modes: {
    ask: {
      title: 'Asked whether to chase',
      keys: [
        { keys: ['y', 'Y', 'enter'], label: 'y', hint: 'send the chase', help: 'send the chase template (Enter too)', act: () => 'send' },
        { keys: ['n', 'N', 'q', 'esc', 'ctrl-c'], label: 'n', hint: 'cancel', help: 'do not chase (Esc too)', act: () => 'cancel' },
      ],
    },
  },
  mode: () => 'ask',
  step(host, s, a) {
    host.update({ dialog: null });
    if (a === 'cancel') return;
    void host.command({ type: 'chase', enquiryId: s.enquiryId, escalationId: s.escalationId }, (o) =>
      o.ok ? `Chase sent to ${s.courtName}.` : `Could not chase ${s.courtName}: ${o.error.message}`,
    );
  },
  height: () => 3,
  View({ dialog, theme, columns }) {
    return (
      <>
        <Title text={`Chase ${dialog.courtName} about "${cleanLine(dialog.subject)}"?`} role="warning" theme={theme} columns={columns} />
        <Title text={dialog.detail} theme={theme} columns={columns} />
        <Title text="y sends the chase template (quoting the first email and when it went); n cancels." role="dim" theme={theme} columns={columns} />
      </>
    );
  },
};

export const chaseOpener: Binding = {
  keys: ['C'],
  label: 'C',
  hint: 'chase',
  help: 'chase the oldest escalation the court has not answered (asks first)',
  needs: 'you hold it, and an escalation has gone out unanswered',
  footer: 15,
  when: (c) => {
    const ready = heldOrSupervisor(c);
    if (ready !== true) return ready;
    const target = chaseTarget(c.selected!);
    return target.ok ? true : target.reason;
  },
  run: (a) => {
    const e = a.selected();
    const target = e ? chaseTarget(e) : null;
    // The key is offered only when there is something to chase.
    if (!e || !target?.ok) return;
    const x = target.escalation;
    const now = Date.now();
    const due = isDueForChase(x, e.escalations, new Date(now)) ? 'it is due a chase' : `a chase is due ${shortDate(chaseDueDate(x, e.escalations) ?? '', now)}`;
    const chased = x.chases === 0 ? 'not chased yet' : `chased ${times(x.chases)} already`;
    const detail = `Sent ${x.sentAt ? shortDate(x.sentAt, now) : '?'}, ${chased}; ${due}.`;
    a.update({ dialog: { kind: 'chase', enquiryId: e.id, escalationId: x.id, courtName: x.courtName, subject: x.subject, detail }, notice: null });
  },
};
