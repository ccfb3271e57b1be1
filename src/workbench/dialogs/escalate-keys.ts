// The escalation dialog's keys, one table per step (and while it waits on the broker): the
// dispatcher, its footer, the `?` help and the docs all read them.
import type { Key } from 'ink';
import { dialogActions, dialogHints, type Keyed } from './dialog.js';
import { templatesFor } from './escalate.js';
import type { EscalateAction, EscalateDialog, EscalateKey, EscalateState } from './escalate-types.js';
import type { FieldKey } from './line-editor.js';
import { pickerRows } from './picker.js';
import { editRow } from './field-keys.js';

const field = (key: FieldKey): EscalateAction => ({ type: 'field', key });
const back = (): EscalateAction => ({ type: 'back' });
const CLOSE = { keys: ['ctrl-c'], label: '^C', hint: null, help: 'close the dialog, from any step', act: (): EscalateAction => ({ type: 'close' }) };

export const ESCALATE_KEYS: Keyed<EscalateDialog, EscalateAction> = {
  modes: {
    court: {
      title: 'Escalating, step 1: the court',
      typing: field,
      keys: [
        { keys: [], label: 'type', hint: 'to search', help: 'search the court directory: part of its name, town or slug', act: () => null },
        { keys: ['up', 'down'], label: 'Up/Down', hint: 'choose', help: 'choose a court in the list', act: (_s, name) => field({ type: name === 'up' ? 'up' : 'down' }) },
        { keys: ['enter'], label: 'Enter', hint: 'pick', help: 'pick it (pressed before the search answers: its first match)', act: () => field({ type: 'submit' }) },
        { keys: ['esc'], label: 'Esc', hint: 'close', help: 'close the dialog', act: back },
        CLOSE,
      ],
    },
    template: {
      title: 'Escalating, step 2: the template',
      keys: [
        ...pickerRows<EscalateDialog, EscalateAction>((s) => templatesFor(s.flow).length, (key) => (key.type === 'cancel' ? back() : { type: 'pick', key }), {
          choose: 'choose',
          cancel: 'back to the court',
          item: 'template',
        })
          .map((row) => ({ ...row, keys: row.keys.filter((k) => k !== 'tab' && k !== 'ctrl-c') }))
          .flatMap((row) =>
            row.keys.includes('esc')
              ? [{ keys: ['tab'], label: 'Tab', hint: (s: EscalateDialog) => (s.flow.language === 'cy' ? 'English' : 'Welsh'), help: 'the templates in the other language', act: (): EscalateAction => ({ type: 'language' }) }, row]
              : [row],
          ),
        CLOSE,
      ],
    },
    fields: {
      title: 'Escalating, step 3: the details',
      typing: field,
      keys: [
        { keys: ['enter'], label: 'Enter', hint: 'next', help: 'on to the next detail; after the last, the preview', act: () => field({ type: 'submit' }) },
        { keys: ['up'], label: 'Up', hint: 'previous field', help: 'back to the previous detail', act: () => field({ type: 'up' }) },
        editRow(['ctrl-u'], '^U', 'clear', 'clear the field', field),
        { keys: ['esc'], label: 'Esc', hint: 'back to the templates', help: 'back to the templates', act: back },
        CLOSE,
      ],
    },
    preview: {
      title: 'Escalating, step 4: the email',
      keys: [
        { keys: ['enter', 'y', 'Y'], label: 'Enter/y', hint: 'send', help: 'send it to the court', act: () => ({ type: 'confirm' }) },
        { keys: ['j', 'down'], label: 'j/k PgUp/PgDn', hint: 'scroll', help: 'scroll a line (k or Up: back), a page (PgUp, PgDn or space)', act: () => ({ type: 'scroll', by: 1 }) },
        { keys: ['k', 'up'], label: 'k', hint: null, help: 'scroll a line back', act: () => ({ type: 'scroll', by: -1 }) },
        { keys: ['pagedown', ' '], label: 'PgDn', hint: null, help: 'scroll a page on', act: () => ({ type: 'scroll', by: Infinity }) },
        { keys: ['pageup'], label: 'PgUp', hint: null, help: 'scroll a page back', act: () => ({ type: 'scroll', by: -Infinity }) },
        { keys: ['g', 'home'], label: 'g', hint: null, help: 'the top of the email', act: () => ({ type: 'scroll-to', end: false }) },
        { keys: ['G', 'end'], label: 'G', hint: null, help: 'the end of the email', act: () => ({ type: 'scroll-to', end: true }) },
        { keys: ['esc', 'n'], label: 'Esc', hint: 'back', help: 'back to the details (or the templates)', act: back },
        CLOSE,
      ],
    },
    waiting: {
      title: 'Escalating, waiting for the broker',
      keys: [{ keys: ['esc'], label: 'Esc', hint: 'cancel', help: 'stop the request and stay at this step', act: back }, CLOSE],
    },
    sending: {
      title: 'Escalating, while the email is sent',
      keys: [{ keys: ['esc'], label: 'Esc', hint: 'stop waiting', help: 'stop waiting (what becomes of it still shows on the notice line)', act: back }, CLOSE],
    },
  },
  mode: (s) => (s.flow.waiting === 'send' ? 'sending' : s.flow.waiting ? 'waiting' : s.flow.step),
};

/** One useInput call as the reducer's keys (Ctrl-C, which closes the whole dialog, is not one). */
export function escalateKeys(flow: EscalateState, input: string, key: Key): EscalateKey[] {
  return dialogActions(ESCALATE_KEYS, { kind: 'escalate', id: 0, flow }, input, key).filter((a): a is EscalateKey => a.type !== 'close');
}

export function escalateHints(flow: EscalateState): string {
  return dialogHints(ESCALATE_KEYS, { kind: 'escalate', id: 0, flow });
}

