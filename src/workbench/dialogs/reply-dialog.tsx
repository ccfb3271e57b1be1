// `r`: the reply editor. Each enquiry keeps its own draft, saved as it is typed; Enter sends,
// Esc keeps the draft, Tab opens the canned replies. A refused reply goes back into the draft.
import { channelName, displayName } from '../format.js';
import { TitledField } from '../components/dialog-parts.js';
import { heldByMe, type Binding } from '../keys/context.js';
import { cannedStart } from './canned-flow.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { oneFieldKeys, type FieldAction } from './field-keys.js';
import { editLine, lineOf, type LineState } from './line-editor.js';

export interface ReplyDialog {
  kind: 'reply';
  enquiryId: string;
  line: LineState;
}

export const replyDialog: DialogSpec<ReplyDialog, FieldAction<'canned'>> = {
  kind: 'reply',
  ...oneFieldKeys<ReplyDialog, 'canned'>({
    title: 'In the reply editor',
    enter: { hint: 'send', help: 'send the reply' },
    own: [{ keys: ['tab'], label: 'Tab', hint: 'canned replies', help: "canned replies in the enquiry's language", type: 'canned' }],
    editing: [
      { keys: ['ctrl-u', 'ctrl-w'], label: '^U ^W', hint: 'delete', help: 'delete to the start of the line, or the word before the cursor' },
      { keys: ['home', 'end'], label: 'Home/End', hint: '', help: 'to the start or the end of the line' },
    ],
    cancel: { hint: 'keep draft and close', help: 'close, keeping what you typed as the draft' },
  }),
  step(host, s, a) {
    switch (a.type) {
      case 'cancel':
        return host.update({ dialog: null, notice: host.state.drafts[s.enquiryId] ? { text: 'Draft kept. r to carry on.', tone: 'info' } : null });
      case 'enter':
        return send(host, s);
      case 'canned': {
        const e = host.enquiry(s.enquiryId);
        return host.update({ dialog: { kind: 'canned', enquiryId: s.enquiryId, flow: cannedStart(e?.language ?? 'en') } });
      }
      case 'edit':
        return showReply(host, s.enquiryId, editLine(s.line, a.edit));
    }
  },
  height: () => 2,
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    const about = e ? ` (${e.language === 'cy' ? 'Welsh' : 'English'}, ${channelName(e.channel)})` : '';
    return <TitledField title={`Reply to ${e ? displayName(e) : 'this enquiry'}${about}:`} line={dialog.line} prompt="> " theme={theme} columns={columns} />;
  },
};

export const replyOpener: Binding = {
  keys: ['r'],
  label: 'r',
  hint: 'reply',
  help: 'reply to the customer (Tab in the editor: canned replies)',
  needs: 'you hold it',
  footer: 2,
  when: heldByMe,
  run: (a) => {
    const e = a.selected();
    if (!e) return;
    if (!e.messagesLoaded) a.loadConversation(e.id);
    a.update({ dialog: { kind: 'reply', enquiryId: e.id, line: lineOf(a.state.drafts[e.id] ?? '') }, notice: null });
  },
};

/** Opens (or keeps open) the reply editor on `line`, saving it as the enquiry's draft. */
export function showReply(host: DialogHost, enquiryId: string, line: LineState): void {
  const drafts = host.saveDraft(enquiryId, line.text);
  host.update({ dialog: { kind: 'reply', enquiryId, line }, drafts });
}

function send(host: DialogHost, s: ReplyDialog): void {
  const text = s.line.text.trim();
  if (text === '') return host.notify('The reply is empty: type a message, or Esc to go back.', 'error');
  const drafts = host.saveDraft(s.enquiryId, '');
  const e = host.enquiry(s.enquiryId);
  const name = e ? displayName(e) : s.enquiryId;
  const offline = host.client.connection.state !== 'connected';
  host.update({
    dialog: null,
    drafts,
    paneScroll: 0,
    notice: offline ? { text: `Reply to ${name} queued: it goes when the connection is back.`, tone: 'info' } : null,
  });
  void host.command({ type: 'reply', enquiryId: s.enquiryId, text }, (o) => {
    if (o.ok) return `Reply to ${name} sent.`;
    // Never lose what was typed: a refused reply goes back into the draft.
    if (!host.state.drafts[s.enquiryId]) host.update({ drafts: host.saveDraft(s.enquiryId, text) });
    return `Reply to ${name} not sent: ${o.error.message} (kept as a draft).`;
  });
}
