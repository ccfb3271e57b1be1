// Tab in the reply editor: the canned replies in the enquiry's language, then a field for each
// placeholder nothing can fill (the reducer is canned-flow.ts). Esc goes back to the reply.
import { knownValues } from '../canned.js';
import { Choice, Field, Title } from '../components/dialog-parts.js';
import { cannedAsk, cannedPick, type CannedFlow, type CannedStep } from './canned-flow.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { lineOf, type FieldKey } from './line-editor.js';
import { pickerRows, type PickerKey } from './picker.js';
import { showReply } from './reply-dialog.js';

export interface CannedDialog {
  kind: 'canned';
  enquiryId: string;
  flow: CannedFlow;
}

type CannedAction = { type: 'pick'; key: PickerKey } | { type: 'field'; key: FieldKey };

const field = (key: FieldKey): CannedAction => ({ type: 'field', key });

export const cannedDialog: DialogSpec<CannedDialog, CannedAction> = {
  kind: 'canned',
  modes: {
    pick: {
      title: 'Choosing a canned reply',
      keys: pickerRows(
        (s) => (s.flow.stage === 'pick' ? s.flow.replies.length : 0),
        (key) => ({ type: 'pick', key }),
        { choose: 'choose', cancel: 'back to the reply', item: 'reply' },
      ),
    },
    ask: {
      title: 'Filling in a canned reply',
      typing: field,
      keys: [
        { keys: ['enter'], label: 'Enter', hint: 'use this value', help: 'use the value typed for the placeholder', act: () => field({ type: 'submit' }) },
        { keys: ['esc', 'ctrl-c'], label: 'Esc', hint: 'back to the reply', help: 'back to the reply, unchanged', act: () => field({ type: 'cancel' }) },
      ],
    },
  },
  mode: (s) => s.flow.stage,
  step(host, s, a) {
    if (a.type === 'field') return cannedStep(host, s.enquiryId, cannedAsk(s.flow, a.key));
    const e = host.enquiry(s.enquiryId);
    cannedStep(host, s.enquiryId, cannedPick(s.flow, a.key, e ? knownValues(e, host.me) : { agent: host.me }));
  },
  height: (s) => (s.flow.stage === 'pick' ? 1 + s.flow.replies.length : 3),
  View({ dialog, theme, columns }) {
    const flow = dialog.flow;
    if (flow.stage === 'pick') {
      return (
        <>
          <Title text={`Canned replies in ${flow.language === 'cy' ? 'Welsh' : 'English'}:`} theme={theme} columns={columns} />
          {flow.replies.map((r, i) => (
            <Choice key={r.title} index={i} text={`${r.title}: ${r.text}`} selected={i === flow.picker.index} theme={theme} columns={columns} />
          ))}
        </>
      );
    }
    const name = flow.missing[0] ?? '';
    const status = flow.problem ?? (flow.insisted ? `A value for ((${name})) is needed, or Esc to go back.` : `${flow.missing.length} to fill.`);
    return (
      <>
        <Title text={`The reply needs ((${name})): type it and press Enter.`} theme={theme} columns={columns} />
        <Field line={flow.line} prompt={`${name}: `} theme={theme} columns={columns} />
        <Title text={status} role={flow.insisted ? 'error' : 'dim'} theme={theme} columns={columns} />
      </>
    );
  },
};

function cannedStep(host: DialogHost, enquiryId: string, step: CannedStep): void {
  const draft = host.state.drafts[enquiryId] ?? '';
  if (step.cancel) return host.update({ dialog: { kind: 'reply', enquiryId, line: lineOf(draft) } });
  if (step.text === undefined) return host.update({ dialog: { kind: 'canned', enquiryId, flow: step.flow } });
  // The filled reply joins the draft, to be edited before it goes.
  showReply(host, enquiryId, lineOf(draft.trim() === '' ? step.text : `${draft.replace(/\s+$/, '')} ${step.text}`));
}
