// `A`: record the court's answer to an escalation (the reducer is court-answer.ts). With several
// waiting, pick one first; a refused answer comes back into the editor, so nothing pasted is lost.
import { Choice, Title, TitledField } from '../components/dialog-parts.js';
import { awaitingAnswer, shortDate } from '../escalation-threads.js';
import { displayName } from '../format.js';
import type { Binding } from '../keys/context.js';
import { windowTop } from '../queue-view.js';
import { cleanLine } from '../text.js';
import { answerField, answerPick, answerStart, type AnswerState, type AnswerStep, type AnswerTarget } from './court-answer.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import type { FieldKey } from './line-editor.js';
import { pickerRows, type PickerKey } from './picker.js';
import { editRow } from './field-keys.js';

/** Rows the list of escalations shows at most under the conversation. */
const MAX_CHOICES = 6;

export interface AnswerDialog {
  kind: 'answer';
  enquiryId: string;
  answer: AnswerState;
}

type AnswerAction = { type: 'pick'; key: PickerKey } | { type: 'field'; key: FieldKey } | { type: 'close' };

const field = (key: FieldKey): AnswerAction => ({ type: 'field', key });

export const answerDialog: DialogSpec<AnswerDialog, AnswerAction> = {
  kind: 'answer',
  modes: {
    pick: {
      title: "Choosing the escalation the court answered",
      keys: pickerRows((s) => s.answer.targets.length, (key) => ({ type: 'pick', key }), { choose: 'choose', cancel: 'cancel', item: 'escalation' }),
    },
    write: {
      title: "Writing the court's answer",
      typing: field,
      keys: [
        { keys: ['enter'], label: 'Enter', hint: 'record the answer', help: "record it as the court's message", act: () => field({ type: 'submit' }) },
        editRow(['ctrl-u'], '^U', 'clear', 'clear the field', field),
        {
          keys: ['esc'],
          label: 'Esc',
          hint: (s) => (s.answer.targets.length > 1 ? 'back to the list' : 'cancel'),
          help: 'back to the list of escalations, or out when there was one',
          act: () => field({ type: 'cancel' }),
        },
        { keys: ['ctrl-c'], label: '^C', hint: null, help: 'close without recording', act: () => ({ type: 'close' }) },
      ],
    },
  },
  mode: (s) => (s.answer.line === null ? 'pick' : 'write'),
  step(host, s, a) {
    if (a.type === 'close') return host.update({ dialog: null });
    answerStep(host, s, a.type === 'pick' ? answerPick(s.answer, a.key) : answerField(s.answer, a.key));
  },
  height: (s) => (s.answer.line === null ? 1 + Math.min(s.answer.targets.length, MAX_CHOICES) : 3),
  View({ dialog, host, theme, columns }) {
    const a = dialog.answer;
    const sent = (t: AnswerTarget) => (t.sentAt ? `sent ${shortDate(t.sentAt, Date.now())}` : 'not sent yet');
    if (a.line === null) {
      const top = windowTop(a.targets.length, a.picker.index, MAX_CHOICES, 0);
      return (
        <>
          <Title text="Which escalation did the court answer?" theme={theme} columns={columns} />
          {a.targets.slice(top, top + MAX_CHOICES).map((t, i) => (
            <Choice key={t.escalationId} index={top + i} text={`${cleanLine(t.courtName)}, ${sent(t)}: ${cleanLine(t.subject)}`} selected={top + i === a.picker.index} theme={theme} columns={columns} />
          ))}
        </>
      );
    }
    const target = a.targets[a.picker.index]!;
    const e = host.enquiry(dialog.enquiryId);
    return (
      <>
        <TitledField title={`The court's answer to ${cleanLine(target.courtName)} (${sent(target)}), as the court gave it:`} line={a.line} prompt="> " theme={theme} columns={columns} />
        {a.insisted ? (
          <Title text="The answer is empty: paste what the court said, or Esc." role="error" theme={theme} columns={columns} />
        ) : (
          <Title text={`It joins ${e ? displayName(e) : 'this enquiry'}'s conversation as the court's message; the customer sees only what you reply.`} role="dim" theme={theme} columns={columns} />
        )}
      </>
    );
  },
};

export const answerOpener: Binding = {
  keys: ['A'],
  label: 'A',
  hint: 'answer',
  help: "record the court's answer to an escalation",
  needs: 'an escalation waits for the court',
  footer: 16,
  when: (c) => {
    if (!c.selected) return 'no enquiry is selected';
    if (awaitingAnswer(c.selected).length > 0) return true;
    return c.selected.escalations.length === 0 ? 'it has not been escalated' : 'no escalation of it is waiting for the court';
  },
  run: (a) => {
    const e = a.selected();
    if (!e) return;
    const targets = awaitingAnswer(e).map((x) => ({ escalationId: x.id, courtName: x.courtName, subject: x.subject, sentAt: x.sentAt ?? null }));
    if (targets.length > 0) a.update({ dialog: { kind: 'answer', enquiryId: e.id, answer: answerStart(targets) }, notice: null });
  },
};

function answerStep(host: DialogHost, s: AnswerDialog, step: AnswerStep): void {
  if (step.cancel) return host.update({ dialog: null });
  if (!step.record) return host.update({ dialog: { ...s, answer: step.state } });
  const { escalationId, text } = step.record;
  const court = step.state.targets.find((t) => t.escalationId === escalationId)?.courtName ?? 'the court';
  host.update({ dialog: null, paneScroll: 0 });
  void host.ask({ type: 'answer-escalation', enquiryId: s.enquiryId, escalationId, text }).then((o) => {
    if (o.ok) return host.notify(`Recorded ${court}'s answer.`, 'info');
    // What the agent pasted is not thrown away: the editor comes back with it, unless another dialog is open.
    const back = host.state.dialog === null;
    if (back) host.update({ dialog: { ...s, answer: step.state } });
    host.notify(`Could not record ${court}'s answer: ${o.error.message}${back ? ' (your text is back in the editor)' : ''}`, 'error');
  });
}
