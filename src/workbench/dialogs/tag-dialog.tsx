// `#`: tag a case number, checked as it is typed; Enter adds only a valid one.
import { displayName, type Segment } from '../format.js';
import { Title, TitledField } from '../components/dialog-parts.js';
import { heldByMe, type Binding } from '../keys/context.js';
import { wrap } from '../text.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { oneFieldKeys, type FieldAction } from './field-keys.js';
import { checkTag, tagStart, tagStep, type TagState } from './tag.js';

export interface TagDialog {
  kind: 'tag';
  enquiryId: string;
  tag: TagState;
}

export const tagDialog: DialogSpec<TagDialog, FieldAction> = {
  kind: 'tag',
  ...oneFieldKeys({
    title: 'Tagging a case number',
    enter: { hint: 'add tag', help: 'add the number, if it is valid (if not, the reason shows prominently)' },
    editing: [{ keys: ['ctrl-u'], label: '^U', hint: 'clear', help: 'clear the field' }],
    cancel: { hint: 'cancel', help: 'close without tagging' },
  }),
  step(host, s, a) {
    const step = tagStep(s.tag, a.type === 'edit' ? a.edit : { type: a.type === 'enter' ? 'submit' : 'cancel' }, host.enquiry(s.enquiryId)?.caseNumbers ?? []);
    if (step.cancel) return host.update({ dialog: null });
    if (!step.add) return host.update({ dialog: { ...s, tag: step.state } });
    const caseNumber = step.add;
    host.update({ dialog: null });
    void host.command({ type: 'tag', enquiryId: s.enquiryId, caseNumber }, (o) => (o.ok ? `Tagged ${caseNumber}.` : `Could not tag ${caseNumber}: ${o.error.message}`));
  },
  height: (s, host, columns) => 2 + checkLines(s, host, columns).length,
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    const check = checkTag(dialog.tag.line.text, e?.caseNumbers ?? []);
    const role: Segment['role'] = check.ok ? 'ok' : dialog.tag.insisted ? 'error' : 'dim';
    return (
      <>
        <TitledField title={`Tag a case number on ${e ? displayName(e) : 'this enquiry'}'s enquiry:`} line={dialog.tag.line} prompt="# " theme={theme} columns={columns} />
        {checkLines(dialog, host, columns).map((line, i) => (
          <Title key={i} text={line} role={role} theme={theme} columns={columns} />
        ))}
      </>
    );
  },
};

/** Lines the check of the field takes, wrapped: why a number cannot be added must be read whole. */
const MAX_CHECK_LINES = 3;

function checkLines(s: TagDialog, host: DialogHost, columns: number): string[] {
  const check = checkTag(s.tag.line.text, host.enquiry(s.enquiryId)?.caseNumbers ?? []);
  const mark = check.ok ? 'valid: ' : s.tag.insisted ? 'cannot add: ' : '';
  return wrap(`${mark}${check.message}`, Math.max(1, columns)).slice(0, MAX_CHECK_LINES);
}

export const tagOpener: Binding = {
  keys: ['#'],
  label: '#',
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
