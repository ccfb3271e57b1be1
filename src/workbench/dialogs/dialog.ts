// What a dialog is: one module holding its state's reducer, its key table (one per mode), its
// footer hints, its height and its view, like a lazygit controller returning its own bindings.
// The controller keeps the one input handler and routes keys to the open dialog through here;
// a dialog reaches the broker and the rest of the screen only through its host.
import type { Key } from 'ink';
import type { ReactNode } from 'react';
import type { Enquiry } from '../../domain/enquiry.js';
import type { BrokerClient, CommandInput, CommandOutcome, OutcomeOf } from '../../client/types.js';
import type { KeyContext } from '../keys/context.js';
import { keyName } from '../keys/decode.js';
import { rowFor, footerOf, type KeyTable } from '../keys/table.js';
import type { QueueView } from '../queue-view.js';
import type { Theme } from '../theme.js';
import type { Ticker } from '../ticker.js';
import type { Notice, UiState } from '../ui-state.js';
import { fieldKeys, type FieldKey, type LineAction } from './line-editor.js';

/** What dialogs may do; the controller is the host. */
export interface DialogHost {
  readonly client: BrokerClient;
  readonly me: string;
  readonly state: UiState;
  /** The terminal's size as last drawn. */
  readonly viewport: { columns: number; rows: number };
  queue(): QueueView;
  selected(): Enquiry | null;
  enquiry(id: string): Enquiry | undefined;
  /** Changes what the screen holds; `dialog: null` closes the dialog. */
  update(patch: Partial<UiState>): void;
  notify(text: string, tone: Notice['tone']): void;
  /** Sends a command and says on the notice line what became of it. */
  command(input: CommandInput, describe: (o: CommandOutcome) => string): Promise<void>;
  /** Sends a command and returns the broker's answer (a refusal rather than a throw). */
  ask<C extends CommandInput>(input: C): Promise<OutcomeOf<C['type']>>;
  /** Saves the reply draft for an enquiry (empty text removes it) and returns every draft. */
  saveDraft(enquiryId: string, text: string): Readonly<Record<string, string>>;
  /** Runs `run` after `ms` under `name`, replacing what ran under it; null `ms` only cancels. */
  timer(name: string, ms: number | null, run?: () => void): void;
  loadConversation(id: string): void;
  /** What decides which of the queue's keys act now (the help says). */
  keyContext(): KeyContext;
  /** Unsent commands, other than queries. */
  unsent(): number;
  quitNow(): void;
}

export interface DialogMode<S, A> {
  /** What the agent is doing in this mode, for the help and the docs. */
  title: string;
  keys: KeyTable<S, A>;
  /** A text field has focus: characters and editing keys not in `keys` become this action, and a run of keys that arrived together is typed. */
  typing?: (edit: LineAction) => A;
  /** Words after the keys in the footer. */
  note?: string;
}

export interface DialogViewProps<S> {
  dialog: S;
  host: DialogHost;
  theme: Theme;
  ticker: Ticker;
  columns: number;
  rows: number;
}

/** A dialog's keys: a table per mode, and which mode it is in. */
export interface Keyed<S, A> {
  modes: Readonly<Record<string, DialogMode<S, A>>>;
  mode(s: S): string;
}

export interface DialogSpec<S extends { kind: string }, A> extends Keyed<S, A> {
  kind: S['kind'];
  /** Carries an action out: the dialog's reducer, and what it asks of the host. */
  step(host: DialogHost, s: S, action: A): void;
  /** Lines it takes under the conversation at this width; 'full' for a dialog that takes the whole frame. */
  height(s: S, host: DialogHost, columns: number): number | 'full';
  View(props: DialogViewProps<S>): ReactNode;
}

export function modeOf<S, A>(spec: Keyed<S, A>, s: S): DialogMode<S, A> {
  return spec.modes[spec.mode(s)]!;
}

/** What one useInput call means to the dialog now: its key table first, then, in a text field, editing. */
export function dialogActions<S, A>(spec: Keyed<S, A>, s: S, input: string, key: Key): A[] {
  const mode = modeOf(spec, s);
  const name = keyName(input, key);
  const row = name === null ? undefined : rowFor(mode.keys, name);
  if (row) {
    const action = row.act(s, name!);
    return action === null ? [] : [action];
  }
  if (!mode.typing) return [];
  return fieldKeys(input, key).filter(isEdit).map(mode.typing);
}

/** The footer while the dialog is open: the keys of its mode. */
export function dialogHints<S, A>(spec: Keyed<S, A>, s: S): string {
  const mode = modeOf(spec, s);
  return footerOf(mode.keys, s, mode.note);
}

export function isEdit(f: FieldKey): f is LineAction {
  return f.type !== 'submit' && f.type !== 'cancel' && f.type !== 'tab' && f.type !== 'up' && f.type !== 'down';
}
