// `t`: tag a case number, checked as it is typed; Enter adds only a valid one.
import { displayName, type Segment } from '../format.js';
import { Field, Title } from '../components/dialog-parts.js';
import { heldByMe, type Binding } from '../keys/context.js';
import type { DialogSpec } from './dialog.js';
import type { LineAction } from './line-editor.js';
import { editRow } from './rows.js';
import { checkTag, tagStart, tagStep, type TagState } from './tag.js';

export interface TagDialog {
  kind: 'tag';
  enquiryId: string;
  tag: TagState;
}

type TagAction = { type: 'add' } | { type: 'cancel' } | { type: 'edit'; edit: LineAction };

const edit = (e: LineAction): TagAction => ({ type: 'edit', edit: e });

export const tagDialog: DialogSpec<TagDialog, TagAction> = {
  kind: 'tag',
  modes: {
    edit: {
      title: 'Tagging a case number',
      typing: edit,
      keys: [
        { keys: ['enter'], label: 'Enter', hint: 'add tag', help: 'add the number, if it is valid (if not, the reason shows prominently)', act: () => ({ type: 'add' }) },
        editRow(['ctrl-u'], '^U', 'clear', 'clear the field', edit),
        { keys: ['esc', 'ctrl-c'], label: 'Esc', hint: 'cancel', help: 'close without tagging', act: () => ({ type: 'cancel' }) },
      ],
    },
  },
  mode: () => 'edit',
  step(host, s, a) {
    const step = tagStep(s.tag, a.type === 'edit' ? a.edit : { type: a.type === 'add' ? 'submit' : 'cancel' }, host.enquiry(s.enquiryId)?.caseNumbers ?? []);
    if (step.cancel) return host.update({ dialog: null });
    if (!step.add) return host.update({ dialog: { ...s, tag: step.state } });
    const caseNumber = step.add;
    host.update({ dialog: null });
    void host.command({ type: 'tag', enquiryId: s.enquiryId, caseNumber }, (o) => (o.ok ? `Tagged ${caseNumber}.` : `Could not tag ${caseNumber}: ${o.error.message}`));
  },
  height: () => 3,
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    const check = checkTag(dialog.tag.line.text, e?.caseNumbers ?? []);
    const role: Segment['role'] = check.ok ? 'ok' : dialog.tag.insisted ? 'error' : 'dim';
    const mark = check.ok ? 'valid: ' : dialog.tag.insisted ? 'cannot add: ' : '';
    return (
      <>
        <Title text={`Tag a case number on ${e ? displayName(e) : 'this enquiry'}'s enquiry:`} theme={theme} columns={columns} />
        <Field line={dialog.tag.line} prompt="# " theme={theme} columns={columns} />
        <Title text={`${mark}${check.message}`} role={role} theme={theme} columns={columns} />
      </>
    );
  },
};

export const tagOpener: Binding = {
  keys: ['t'],
  label: 't',
  hint: 'tag',
  help: 'tag a County Court case number',
  needs: 'you hold it',
  footer: 4,
  when: heldByMe,
  run: (a) => {
    const e = a.selected();
    if (e) a.update({ dialog: { kind: 'tag', enquiryId: e.id, tag: tagStart() }, notice: null });
  },
};
