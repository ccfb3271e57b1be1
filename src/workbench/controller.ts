// Between the keyboard, the key tables and the broker client. It holds what only the screen needs
// (selection, filter, open dialog, drafts, the last notice), routes keys to the queue's table or
// to the open dialog's, and is the host dialogs reach the broker through. The React tree only
// draws what it holds.
//
// All keys go through one `handleInput`, not a useInput per dialog: a freshly mounted useInput is
// not live until effects run, so "r" followed quickly by typing would lose the first letters, and
// Ink delivers keys that arrive together as one input ("rhello"). Here such a run is taken one
// key at a time until a text field opens, and the rest goes into the field.
import type { Key } from 'ink';
import type { Enquiry } from '../domain/enquiry.js';
import type { Presence } from '../domain/events.js';
import { can } from '../domain/permissions.js';
import type { BrokerClient, CommandInput, CommandOutcome, OutcomeOf } from '../client/types.js';
import { QUERY_COMMANDS } from '../protocol/frames.js';
import { askBroker, restoredNotice } from './broker-asks.js';
import { ConversationLoader } from './conversation-loader.js';
import { dialogActions, isEdit, modeOf } from './dialogs/dialog.js';
import { batchKeys, type FieldKey } from './dialogs/line-editor.js';
import { specOf } from './dialogs/registry.js';
import type { DraftStore } from './drafts.js';
import { memoryDraftStore } from './drafts.js';
import type { Actions, KeyContext } from './keys/context.js';
import { charKey, isSingleKey, keyName } from './keys/decode.js';
import { bindingFor } from './keymap.js';
import { NamedTimers } from './named-timers.js';
import { RedrawGate } from './redraw-gate.js';
import type { QueueView } from './queue-view.js';
import { QueueListing } from './queue-groups.js';
import { nearestRow, stepRow } from './queue-view.js';
import type { Settings } from './settings.js';
import { cleanLine } from './text.js';
import type { Notice, UiState } from './ui-state.js';

export type { Dialog } from './dialogs/registry.js';
export type { Notice, UiState } from './ui-state.js';

export interface ControllerOptions {
  client: BrokerClient;
  settings: Settings;
  drafts?: DraftStore;
  /** Called when the agent has chosen to quit. */
  onQuit?: () => void;
}

export class Controller implements Actions {
  readonly client: BrokerClient;
  readonly settings: Settings;
  private ui: UiState;
  private listeners = new Set<() => void>();
  private changes = 0;
  private drafts: DraftStore;
  private onQuit: () => void;
  private listing = new QueueListing();
  private loader: ConversationLoader;
  private redraw: RedrawGate;
  private timers = new NamedTimers();
  private stopClient: () => void;
  private stopOutcomes: () => void;
  /** The terminal's size as last drawn: the preview scrolls by what fits. */
  viewport = { columns: 80, rows: 24 };

  constructor(options: ControllerOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.drafts = options.drafts ?? memoryDraftStore();
    this.onQuit = options.onQuit ?? (() => {});
    this.ui = { selectedId: null, selectedIndex: 0, filter: '', dialog: null, notice: null, zoomed: false, paneScroll: 0, drafts: this.drafts.load() };
    this.loader = new ConversationLoader(this.client, () => this.selected(), (message) => this.notify(message, 'error'));
    // The loader looks at the selection once a frame rather than once an event: finding the
    // selection brings the queue view up to date, and events can come by the hundred a second.
    this.redraw = new RedrawGate(this.settings.fps, () => {
      this.loader.schedule();
      this.emit();
    });
    this.stopClient = this.client.subscribe(() => this.redraw.request());
    // Commands restored from an earlier run's outbox have no one waiting on them: say what became of them.
    this.stopOutcomes =
      this.client.onOutcome?.((report) => {
        const notice = restoredNotice(report);
        if (notice) this.notify(notice.text, notice.tone);
      }) ?? (() => {});
    this.loader.schedule();
  }

  // --- what views read ----------------------------------------------------------------------

  get state(): UiState {
    return this.ui;
  }

  get version(): number {
    return this.changes;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.changes;

  get me(): string {
    return this.client.agent?.name ?? '';
  }

  /** The queue as listed, brought up to date only when the client's state, the filter or the agent changed. */
  queue(): QueueView {
    return this.listing.view(this.client.state.enquiries, this.client.version, this.me, this.ui.filter);
  }

  /** The selected item's index and enquiry; falls back to the nearest row when the chosen one is not listed. */
  selection(): { index: number; enquiry: Enquiry | null } {
    const view = this.queue();
    const id = this.ui.selectedId;
    const at = id === null ? undefined : view.indexOf(id);
    const index = at ?? nearestRow(view.items, this.ui.selectedIndex);
    if (index === null) return { index: 0, enquiry: null };
    const item = view.items[index]!;
    return { index, enquiry: item.kind === 'row' ? item.enquiry : null };
  }

  selected(): Enquiry | null {
    return this.selection().enquiry;
  }

  enquiry(id: string): Enquiry | undefined {
    return this.client.state.enquiries.get(id);
  }

  keyContext(): KeyContext {
    const role = this.client.agent?.role;
    return {
      selected: this.selected(),
      me: this.me,
      // The keymap's "supervisor" keys are notes and escalations on enquiries others hold.
      supervisor: role !== undefined && can(role, 'note-others') && can(role, 'escalate-others'),
      wallboard: role !== undefined && can(role, 'read-wallboard'),
      presence: this.presence(),
      filter: this.ui.filter,
      zoomed: this.ui.zoomed,
    };
  }

  /** An agent who never said otherwise is available: the broker counts them so for wait estimates. */
  presence(): Presence | null {
    if (!this.client.agent) return null;
    return this.client.state.agents.get(this.me)?.presence ?? 'available';
  }

  /** Commands the broker has not acknowledged, other than loads and questions. */
  unsent(): number {
    return this.client.pending.filter((p) => !QUERY_COMMANDS.has(p.command.type)).length;
  }

  dispose(): void {
    this.stopClient();
    this.stopOutcomes();
    this.loader.stop();
    this.redraw.stop();
    this.timers.clear();
    this.listeners.clear();
  }

  // --- input --------------------------------------------------------------------------------

  handleInput = (input: string, key: Key): void => {
    if (isSingleKey(input, key)) return this.dispatch(input, key);
    let rest = input;
    while (rest !== '') {
      const dialog = this.ui.dialog;
      if (dialog && modeOf(specOf(dialog), dialog).typing) {
        // A text field has opened: the rest of the run is typed (or pasted) into it.
        for (const edit of batchKeys(rest)) this.dispatchEdit(edit);
        return;
      }
      const ch = String.fromCodePoint(rest.codePointAt(0)!);
      rest = rest.slice(ch.length);
      const [one, k] = charKey(ch);
      this.dispatch(one, k);
    }
  };

  private dispatch(input: string, key: Key): void {
    const dialog = this.ui.dialog;
    if (!dialog) return this.queueKey(input, key);
    const spec = specOf(dialog);
    const actions = dialogActions(spec, dialog, input, key);
    for (const action of actions) {
      // Each action acts on the dialog as the one before it left it.
      const now = this.ui.dialog;
      if (now?.kind !== dialog.kind) return;
      spec.step(this, now, action);
    }
  }

  private dispatchEdit(edit: FieldKey): void {
    const dialog = this.ui.dialog;
    if (!dialog) return;
    const spec = specOf(dialog);
    const typing = modeOf(spec, dialog).typing;
    if (typing && isEdit(edit)) spec.step(this, dialog, typing(edit));
  }

  private queueKey(input: string, key: Key): void {
    const name = keyName(input, key);
    if (name === null) return;
    const binding = bindingFor(name);
    if (!binding) return;
    const ready = binding.when(this.keyContext());
    if (ready !== true) {
      // Esc with nothing to back out of still clears a notice.
      if (name === 'esc') return this.update({ notice: null });
      return this.notify(`${binding.label} (${binding.hint}): ${ready}.`, 'error');
    }
    binding.run(this);
  }

  // --- the queue's actions -------------------------------------------------------------------

  move(by: number): void {
    const index = stepRow(this.queue().items, this.selection().index, by);
    if (index !== null) this.selectIndex(index);
  }

  top(): void {
    const index = nearestRow(this.queue().items, 0);
    if (index !== null) this.selectIndex(index);
  }

  bottom(): void {
    const view = this.queue();
    const index = nearestRow(view.items, view.items.length - 1);
    if (index !== null) this.selectIndex(index);
  }

  toggleZoom(): void {
    const e = this.selected();
    if (e && !e.messagesLoaded) this.loadConversation(e.id);
    this.update({ zoomed: !this.ui.zoomed, paneScroll: 0 });
  }

  scrollPane(by: number): void {
    this.update({ paneScroll: Math.max(0, this.ui.paneScroll + by) });
  }

  back(): void {
    this.update({ filter: '', zoomed: false, paneScroll: 0, notice: null });
  }

  // --- the host dialogs act through ------------------------------------------------------------

  async command(input: CommandInput, describe: (o: CommandOutcome) => string): Promise<void> {
    const outcome = await this.ask(input);
    this.notify(describe(outcome), outcome.ok ? 'info' : 'error');
  }

  ask<C extends CommandInput>(input: C): Promise<OutcomeOf<C['type']>> {
    return askBroker(this.client, input);
  }

  saveDraft(enquiryId: string, text: string): Readonly<Record<string, string>> {
    const drafts = { ...this.ui.drafts };
    if (text.trim() === '') delete drafts[enquiryId];
    else drafts[enquiryId] = text;
    this.drafts.save(drafts);
    return drafts;
  }

  timer(name: string, ms: number | null, run?: () => void): void {
    this.timers.set(name, ms, run);
  }

  loadConversation(id: string): void {
    this.loader.load(id);
  }

  quitNow(): void {
    this.onQuit();
  }

  notify(text: string, tone: Notice['tone']): void {
    this.update({ notice: { text: cleanLine(text), tone } });
  }

  update(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    // A filter can move the selection to another enquiry: its conversation must load without waiting for an event.
    if ('filter' in patch) this.loader.schedule();
    this.emit();
  }

  // --- inside ---------------------------------------------------------------------------------

  select(id: string): void {
    const index = this.queue().indexOf(id) ?? this.ui.selectedIndex;
    this.update({ selectedId: id, selectedIndex: index, paneScroll: 0 });
    this.loader.schedule();
  }

  private selectIndex(index: number): void {
    const item = this.queue().items[index];
    if (item?.kind !== 'row') return;
    this.update({ selectedId: item.enquiry.id, selectedIndex: index, paneScroll: 0 });
    this.loader.schedule();
  }

  private emit(): void {
    this.changes++;
    for (const l of this.listeners) l();
  }
}
