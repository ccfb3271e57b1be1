// What each dialog draws above the footer, how many lines it takes (the layout needs to know
// before drawing), and the key hints the footer shows while it is open.
import { Text } from 'ink';
import type { Controller, Dialog } from '../controller.js';
import { channelName, displayName, type Segment } from '../format.js';
import type { Theme } from '../theme.js';
import { cleanLine, fit, truncate } from '../text.js';
import { Line } from '../components/line.js';
import { checkTag } from './tag.js';
import type { AnswerTarget } from './court-answer.js';
import { hints } from './escalate-view.js';
import { shortDate } from '../escalation-threads.js';
import { windowTop } from '../queue-view.js';

/** Rows a pick list shows at most under the conversation. */
const MAX_CHOICES = 6;
import { visibleField, type LineState } from './line-editor.js';

export function dialogHeight(dialog: Dialog | null, controller: Controller): number {
  if (!dialog) return 0;
  switch (dialog.kind) {
    case 'help':
    case 'escalate':
      // Full-frame overlays: they take the whole screen, not lines under the conversation.
      return 0;
    case 'chase':
      return 3;
    case 'answer':
      return dialog.answer.line === null ? 1 + Math.min(dialog.answer.targets.length, MAX_CHOICES) : 3;
    case 'reply':
    case 'note':
    case 'filter':
    case 'quit':
      return 2;
    case 'tag':
      return 3;
    case 'untag':
      return 1 + dialog.tags.length;
    case 'canned':
      return dialog.flow.stage === 'pick' ? 1 + dialog.flow.replies.length : 3;
    default:
      return dialogHeightUnknown(dialog, controller);
  }
}

function dialogHeightUnknown(_dialog: never, _controller: Controller): number {
  return 0;
}

/** The footer while a dialog is open: that dialog's own keys. */
export function dialogHints(dialog: Dialog): string {
  switch (dialog.kind) {
    case 'reply':
      return 'Enter send  Tab canned replies  ^U ^W delete  Home/End  Esc keep draft and close';
    case 'note':
      return 'Enter add note  ^U ^W delete  Esc cancel';
    case 'tag':
      return 'Enter add tag  ^U clear  Esc cancel';
    case 'filter':
      return 'Enter keep filter  Esc cancel  words, case number, wa/sms/web, cy/en, mine, free';
    case 'untag':
      return 'j/k move  Enter or 1-9 remove  Esc cancel';
    case 'canned':
      return dialog.flow.stage === 'pick' ? 'j/k move  Enter or 1-9 choose  Esc back to the reply' : 'Enter use this value  Esc back to the reply';
    case 'quit':
      return 'y quit  n stay';
    case 'help':
      return 'j/k scroll  Esc close';
    case 'escalate':
      return hints(dialog.flow);
    case 'chase':
      return 'y send the chase  n cancel';
    case 'answer':
      return dialog.answer.line === null ? 'j/k move  Enter or 1-9 choose  Esc cancel' : `Enter record the answer  ^U clear  Esc ${dialog.answer.targets.length > 1 ? 'back to the list' : 'cancel'}`;
  }
}

export function DialogView({ dialog, controller, theme, columns }: { dialog: Dialog | null; controller: Controller; theme: Theme; columns: number }) {
  if (!dialog) return null;
  const enquiry = 'enquiryId' in dialog ? controller.client.state.enquiries.get(dialog.enquiryId) : undefined;
  const who = enquiry ? displayName(enquiry) : 'this enquiry';
  const title = (text: string, role: Segment['role'] = 'strong') => <Line segments={[{ text: fit(text, columns, theme.symbols.ellipsis), role }]} theme={theme} />;
  switch (dialog.kind) {
    case 'reply':
      return (
        <>
          {title(`Reply to ${who}${enquiry ? ` (${enquiry.language === 'cy' ? 'Welsh' : 'English'}, ${channelName(enquiry.channel)})` : ''}:`)}
          <Field line={dialog.line} prompt="> " theme={theme} columns={columns} />
        </>
      );
    case 'note':
      return (
        <>
          {title(`Internal note on ${who}'s enquiry (never sent to the customer):`, 'note')}
          <Field line={dialog.line} prompt="> " theme={theme} columns={columns} />
        </>
      );
    case 'tag': {
      const check = checkTag(dialog.tag.line.text, enquiry?.caseNumbers ?? []);
      const role: Segment['role'] = check.ok ? 'ok' : dialog.tag.insisted ? 'error' : 'dim';
      const mark = check.ok ? 'valid: ' : dialog.tag.insisted ? 'cannot add: ' : '';
      return (
        <>
          {title(`Tag a case number on ${who}'s enquiry:`)}
          <Field line={dialog.tag.line} prompt="# " theme={theme} columns={columns} />
          {title(`${mark}${check.message}`, role)}
        </>
      );
    }
    case 'filter': {
      const view = controller.queue();
      return (
        <>
          <Field line={dialog.line} prompt="/ " theme={theme} columns={columns} />
          {title(`${view.rowCount} shown`, 'dim')}
        </>
      );
    }
    case 'untag':
      return (
        <>
          {title(`Remove which case number from ${who}'s enquiry?`)}
          {dialog.tags.map((tag, i) => (
            <Choice key={tag} index={i} text={tag} selected={i === dialog.picker.index} theme={theme} columns={columns} />
          ))}
        </>
      );
    case 'canned': {
      const flow = dialog.flow;
      if (flow.stage === 'pick') {
        return (
          <>
            {title(`Canned replies in ${flow.language === 'cy' ? 'Welsh' : 'English'}:`)}
            {flow.replies.map((r, i) => (
              <Choice key={r.title} index={i} text={`${r.title}: ${r.text}`} selected={i === flow.picker.index} theme={theme} columns={columns} />
            ))}
          </>
        );
      }
      const name = flow.missing[0] ?? '';
      return (
        <>
          {title(`The reply needs ((${name})): type it and press Enter.`)}
          <Field line={flow.line} prompt={`${name}: `} theme={theme} columns={columns} />
          {title(flow.problem ?? (flow.insisted ? `A value for ((${name})) is needed, or Esc to go back.` : `${flow.missing.length} to fill.`), flow.insisted ? 'error' : 'dim')}
        </>
      );
    }
    case 'quit': {
      const parts = [
        dialog.drafts > 0 ? `${dialog.drafts} draft${dialog.drafts === 1 ? '' : 's'} (kept for next time)` : '',
        dialog.unsent > 0 ? `${dialog.unsent} unsent command${dialog.unsent === 1 ? '' : 's'} (sent when you next connect)` : '',
      ].filter(Boolean);
      return (
        <>
          {title(`You have ${parts.join(' and ')}.`, 'warning')}
          {title('Quit now? y / n')}
        </>
      );
    }
    case 'chase':
      return (
        <>
          {title(`Chase ${dialog.courtName} about "${cleanLine(dialog.subject)}"?`, 'warning')}
          {title(dialog.detail)}
          {title('y sends the chase template (quoting the first email and when it went); n cancels.', 'dim')}
        </>
      );
    case 'answer': {
      const a = dialog.answer;
      const sent = (t: AnswerTarget) => (t.sentAt ? `sent ${shortDate(t.sentAt, Date.now())}` : 'not sent yet');
      if (a.line === null) {
        const top = windowTop(a.targets.length, a.picker.index, MAX_CHOICES, 0);
        return (
          <>
            {title(`Which escalation did the court answer?`)}
            {a.targets.slice(top, top + MAX_CHOICES).map((t, i) => (
              <Choice key={t.escalationId} index={top + i} text={`${cleanLine(t.courtName)}, ${sent(t)}: ${cleanLine(t.subject)}`} selected={top + i === a.picker.index} theme={theme} columns={columns} />
            ))}
          </>
        );
      }
      const target = a.targets[a.picker.index]!;
      return (
        <>
          {title(`The court's answer to ${cleanLine(target.courtName)} (${sent(target)}), as the court gave it:`)}
          <Field line={a.line} prompt="> " theme={theme} columns={columns} />
          {a.insisted
            ? title("The answer is empty: paste what the court said, or Esc.", 'error')
            : title(`It joins ${who}'s conversation as the court's message; the customer sees only what you reply.`, 'dim')}
        </>
      );
    }
    case 'help':
    case 'escalate':
      return null;
  }
}

export function Choice({ index, text, selected, theme, columns }: { index: number; text: string; selected: boolean; theme: Theme; columns: number }) {
  const marker = selected ? `${theme.symbols.selected} ` : '  ';
  return (
    <Line
      segments={[
        { text: marker, role: selected ? 'selected' : undefined },
        { text: truncate(`${index + 1}. ${text}`, columns - 2, theme.symbols.ellipsis), role: selected ? 'strong' : undefined },
      ]}
      theme={theme}
      inverse={selected}
    />
  );
}

/** A text field with a visible cursor: inverse video with colour, a bar without. */
export function Field({ line, prompt, theme, columns }: { line: LineState; prompt: string; theme: Theme; columns: number }) {
  const room = Math.max(4, columns - prompt.length - 1);
  const { before, at, after } = visibleField(line, room);
  return (
    <Text wrap="truncate">
      {theme.color ? <Text color="cyan">{prompt}</Text> : prompt}
      {before}
      {theme.color ? <Text inverse>{at}</Text> : `|${at === ' ' ? '' : at}`}
      {after}
    </Text>
  );
}
