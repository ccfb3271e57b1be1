// `T`: pick a case-number tag to remove (j/k and Enter, or its digit).
import { displayName } from '../format.js';
import { Choice, Title } from '../components/dialog-parts.js';
import { heldByMe, type Binding } from '../keys/context.js';
import type { DialogSpec } from './dialog.js';
import { pick, pickerOf, pickerRows, type PickerKey, type PickerState } from './picker.js';

export interface UntagDialog {
  kind: 'untag';
  enquiryId: string;
  tags: string[];
  picker: PickerState;
}

export const untagDialog: DialogSpec<UntagDialog, PickerKey> = {
  kind: 'untag',
  modes: {
    pick: { title: 'Removing a tag', keys: pickerRows((s) => s.tags.length, (k) => k, { choose: 'remove', cancel: 'cancel', item: 'tag' }) },
  },
  mode: () => 'pick',
  step(host, s, k) {
    if (k.type === 'cancel') return host.update({ dialog: null });
    const picker = pick(s.picker, k);
    if (k.type !== 'choose') return host.update({ dialog: { ...s, picker } });
    const caseNumber = s.tags[picker.index]!;
    host.update({ dialog: null });
    void host.command({ type: 'untag', enquiryId: s.enquiryId, caseNumber }, (o) => (o.ok ? `Removed tag ${caseNumber}.` : `Could not remove ${caseNumber}: ${o.error.message}`));
  },
  height: (s) => 1 + s.tags.length,
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    return (
      <>
        <Title text={`Remove which case number from ${e ? displayName(e) : 'this enquiry'}'s enquiry?`} theme={theme} columns={columns} />
        {dialog.tags.map((tag, i) => (
          <Choice key={tag} index={i} text={tag} selected={i === dialog.picker.index} theme={theme} columns={columns} />
        ))}
      </>
    );
  },
};

export const untagOpener: Binding = {
  keys: ['T'],
  label: 'T',
  hint: 'untag',
  help: 'remove a case-number tag',
  needs: 'you hold it and it has tags',
  footer: 14,
  when: (c) => {
    const ready = heldByMe(c);
    if (ready !== true) return ready;
    return c.selected!.caseNumbers.length > 0 ? true : 'it has no case numbers';
  },
  run: (a) => {
    const e = a.selected();
    if (e && e.caseNumbers.length > 0) a.update({ dialog: { kind: 'untag', enquiryId: e.id, tags: [...e.caseNumbers], picker: pickerOf(e.caseNumbers.length) }, notice: null });
  },
};
