// Between the keyboard, the keymap and the broker client. It holds what only the screen needs
// (selection, filter, open dialog, drafts, the last notice) and turns keys into client commands.
// The React tree only draws what it holds.
//
// All keys go through one `handleInput`, not a useInput per dialog: a freshly mounted useInput is
// not live until effects run, so "r" followed quickly by typing would lose the first letters, and
// Ink delivers keys that arrive together as one input ("rhello"). Here such a run is taken one
// key at a time until a text field opens, and the rest goes into the field.
import type { Key } from 'ink';
import type { Enquiry } from '../domain/enquiry.js';
import { chaseDueDate, courtBacklog, isDueForChase } from '../domain/escalations.js';
import type { Presence } from '../domain/events.js';
import { can, forbiddenMessage } from '../domain/permissions.js';
import { nextFor } from '../domain/queue.js';
import type { BrokerClient, CommandInput, CommandOutcome, CommandOutcomeReport } from '../client/types.js';
import { COMMAND_ACTIONS } from '../protocol/command-actions.js';
import { QUERY_COMMANDS } from '../protocol/frames.js';
import { knownValues } from './canned.js';
import type { CannedFlow } from './dialogs/canned-flow.js';
import { cannedAsk, cannedPick, cannedStart } from './dialogs/canned-flow.js';
import type { AnswerState, AnswerStep } from './dialogs/court-answer.js';
import { answerField, answerPick, answerStart } from './dialogs/court-answer.js';
import type { CourtChoice, EscalateEffect, EscalateEvent, EscalateKey, EscalateResult, EscalateState } from './dialogs/escalate.js';
import { escalateEvent, escalateKey, escalateKeys, escalateStart, parseCourts, parsePreview, parseTemplates } from './dialogs/escalate.js';
import { previewWindow } from './dialogs/escalate-view.js';
import { awaitingAnswer, chaseTarget, shortDate, times, usedCourts } from './escalation-threads.js';
import type { FieldKey, LineAction, LineState } from './dialogs/line-editor.js';
import { batchKeys, editLine, fieldKeys, lineOf } from './dialogs/line-editor.js';
import type { PickerState } from './dialogs/picker.js';
import { pick, pickerKey, pickerOf } from './dialogs/picker.js';
import type { TagState } from './dialogs/tag.js';
import { tagStart, tagStep } from './dialogs/tag.js';
import type { DraftStore } from './drafts.js';
import { memoryDraftStore } from './drafts.js';
import { displayName } from './format.js';
import type { Actions, KeyContext } from './keymap.js';
import { bindingFor, keyName } from './keymap.js';
import type { QueueView } from './queue-view.js';
import { buildQueueView, nearestRow, stepRow } from './queue-view.js';
import type { Settings } from './settings.js';
import { cleanLine } from './text.js';

export type Dialog =
  | { kind: 'help'; scroll: number }
  | { kind: 'reply'; enquiryId: string; line: LineState }
  | { kind: 'note'; enquiryId: string; line: LineState }
  | { kind: 'tag'; enquiryId: string; tag: TagState }
  | { kind: 'untag'; enquiryId: string; tags: string[]; picker: PickerState }
  | { kind: 'filter'; line: LineState; previous: string }
  | { kind: 'canned'; enquiryId: string; flow: CannedFlow }
  /** `id` tells this dialog's broker answers from those of one opened before. */
  | { kind: 'escalate'; id: number; flow: EscalateState }
  | { kind: 'chase'; enquiryId: string; escalationId: string; courtName: string; subject: string; detail: string }
  | { kind: 'answer'; enquiryId: string; answer: AnswerState }
  | { kind: 'quit'; drafts: number; unsent: number };

export interface Notice {
  text: string;
  tone: 'info' | 'error';
}

export interface UiState {
  /** The enquiry the agent chose; kept while the ranking moves under it or a filter hides it. */
  selectedId: string | null;
  /** Where the selection last was, so it lands nearby when its enquiry leaves the list. */
  selectedIndex: number;
  filter: string;
  dialog: Dialog | null;
  notice: Notice | null;
  zoomed: boolean;
  paneScroll: number;
  drafts: Readonly<Record<string, string>>;
}

export interface ControllerOptions {
  client: BrokerClient;
  settings: Settings;
  drafts?: DraftStore;
  /** Called when the agent has chosen to quit. */
  onQuit?: () => void;
}

const TEXT_DIALOGS = new Set<Dialog['kind']>(['reply', 'note', 'tag', 'filter']);
/** Waits this long on a selection before asking the broker for its conversation, so scrolling does not. */
const OPEN_DELAY_MS = 150;
/** Waits this long after the last key before searching the court directory, so typing a name asks once. */
const COURT_SEARCH_DELAY_MS = 120;

export class Controller implements Actions {
  readonly client: BrokerClient;
  readonly settings: Settings;
  private ui: UiState;
  private listeners = new Set<() => void>();
  private changes = 0;
  private drafts: DraftStore;
  private onQuit: () => void;
  private cached: { clientVersion: number; filter: string; me: string; view: QueueView } | null = null;
  private opening = new Set<string>();
  private openTimer: NodeJS.Timeout | null = null;
  /** The enquiry `openTimer` will load. */
  private openFor: string | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private lastNotify = 0;
  private stopClient: () => void;
  private stopOutcomes: () => void;
  private dialogIds = 0;
  private courtTimer: NodeJS.Timeout | null = null;
  /** The terminal's size as last drawn: the preview scrolls by what fits. */
  viewport = { columns: 80, rows: 24 };

  constructor(options: ControllerOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.drafts = options.drafts ?? memoryDraftStore();
    this.onQuit = options.onQuit ?? (() => {});
    this.ui = {
      selectedId: null,
      selectedIndex: 0,
      filter: '',
      dialog: null,
      notice: null,
      zoomed: false,
      paneScroll: 0,
      drafts: this.drafts.load(),
    };
    this.stopClient = this.client.subscribe(() => this.clientChanged());
    this.stopOutcomes = this.client.onOutcome?.((report) => this.restoredOutcome(report)) ?? (() => {});
    this.scheduleOpen();
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

  /** The queue as listed, rebuilt only when the client's state or the filter changed. */
  queue(): QueueView {
    const version = this.client.version;
    const c = this.cached;
    if (c && c.clientVersion === version && c.filter === this.ui.filter && c.me === this.me) return c.view;
    const view = buildQueueView(this.client.state.enquiries.values(), this.me, this.ui.filter);
    this.cached = { clientVersion: version, filter: this.ui.filter, me: this.me, view };
    return view;
  }

  /** The selected item's index and enquiry; falls back to the nearest row when the chosen one is not listed. */
  selection(): { index: number; enquiry: Enquiry | null } {
    const view = this.queue();
    const id = this.ui.selectedId;
    const at = id === null ? undefined : view.indexOf.get(id);
    const index = at ?? nearestRow(view.items, this.ui.selectedIndex);
    if (index === null) return { index: 0, enquiry: null };
    const item = view.items[index]!;
    return { index, enquiry: item.kind === 'row' ? item.enquiry : null };
  }

  keyContext(): KeyContext {
    const me = this.me;
    const role = this.client.agent?.role;
    return {
      selected: this.selection().enquiry,
      me,
      // The keymap's "supervisor" keys are notes and escalations on enquiries others hold.
      supervisor: role !== undefined && can(role, 'note-others') && can(role, 'escalate-others'),
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
    if (this.openTimer) clearTimeout(this.openTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.courtTimer) clearTimeout(this.courtTimer);
    this.listeners.clear();
  }

  // --- input --------------------------------------------------------------------------------

  handleInput = (input: string, key: Key): void => {
    const single = [...input].length <= 1 || key.ctrl || key.meta || key.return || key.escape || key.tab || key.delete || key.backspace;
    if (single || input === '') {
      this.dispatch(input, key);
      return;
    }
    let rest = input;
    while (rest !== '') {
      if (this.ui.dialog && TEXT_DIALOGS.has(this.ui.dialog.kind)) {
        for (const f of batchKeys(rest)) this.fieldKey(f);
        return;
      }
      if (this.ui.dialog?.kind === 'canned' && this.ui.dialog.flow.stage === 'ask') {
        for (const f of batchKeys(rest)) this.cannedField(f);
        return;
      }
      if (this.ui.dialog?.kind === 'escalate' && (this.ui.dialog.flow.step === 'court' || this.ui.dialog.flow.step === 'fields')) {
        for (const f of batchKeys(rest)) this.escalateKeyed({ type: 'field', key: f });
        return;
      }
      if (this.ui.dialog?.kind === 'answer' && this.ui.dialog.answer.line !== null) {
        for (const f of batchKeys(rest)) this.answerStep(answerField(this.ui.dialog.answer, f));
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
    if (!dialog) return this.mainKey(input, key);
    switch (dialog.kind) {
      case 'reply':
      case 'note':
      case 'tag':
      case 'filter':
        if (key.ctrl && input === 'c') return this.fieldKey({ type: 'cancel' });
        for (const f of fieldKeys(input, key)) this.fieldKey(f);
        return;
      case 'canned':
        if (key.ctrl && input === 'c') return this.closeCanned();
        if (dialog.flow.stage === 'ask') {
          for (const f of fieldKeys(input, key)) this.cannedField(f);
          return;
        }
        return this.cannedPicker(input, key);
      case 'untag':
        return this.untagPicker(input, key);
      case 'escalate':
        if (key.ctrl && input === 'c') return this.escalateApply(dialog.id, { state: dialog.flow, effects: [], close: 'cancelled' });
        for (const k of escalateKeys(dialog.flow, input, key)) this.escalateKeyed(k);
        return;
      case 'chase':
        return this.chaseKey(input, key);
      case 'answer': {
        if (key.ctrl && input === 'c') return this.update({ dialog: null });
        if (dialog.answer.line !== null) {
          for (const f of fieldKeys(input, key)) if (this.ui.dialog?.kind === 'answer') this.answerStep(answerField(this.ui.dialog.answer, f));
          return;
        }
        const k = pickerKey(input, key, dialog.answer.targets.length);
        if (k) this.answerStep(answerPick(dialog.answer, k));
        return;
      }
      case 'help':
        return this.helpKey(input, key);
      case 'quit':
        return this.quitKey(input, key);
    }
  }

  private mainKey(input: string, key: Key): void {
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

  // --- Actions (the keymap calls these) ------------------------------------------------------

  move(by: number): void {
    const view = this.queue();
    const index = stepRow(view.items, this.selection().index, by);
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
    const e = this.selection().enquiry;
    if (e && !e.messagesLoaded) this.loadConversation(e.id);
    this.update({ zoomed: !this.ui.zoomed, paneScroll: 0 });
  }

  scrollPane(by: number): void {
    this.update({ paneScroll: Math.max(0, this.ui.paneScroll + by) });
  }

  takeNext(): void {
    const agent = this.client.agent;
    if (!agent) return this.notify('Not connected yet: wait for the broker.', 'error');
    const next = nextFor(this.client.state, agent);
    if (!next) {
      const langs = agent.languages.map((l) => l.toUpperCase()).join(', ');
      return this.notify(`Nothing is waiting unclaimed in your languages (${langs}).`, 'info');
    }
    this.select(next.id);
    const name = displayName(next);
    this.notify(`Taking ${name}'s enquiry.`, 'info');
    void this.command({ type: 'claim', enquiryId: next.id }, (o) =>
      o.ok
        ? `You hold ${name}'s enquiry. r to reply.`
        : o.error.code === 'ALREADY_CLAIMED'
          ? `Someone took ${name}'s enquiry first (${o.error.message}). Press n for the next one.`
          : `Could not take ${name}'s enquiry: ${o.error.message}`,
    );
  }

  claim(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const name = displayName(e);
    void this.command({ type: 'claim', enquiryId: e.id }, (o) =>
      o.ok ? `You hold ${name}'s enquiry.` : `Could not claim ${name}'s enquiry: ${o.error.message}`,
    );
  }

  release(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const name = displayName(e);
    void this.command({ type: 'release', enquiryId: e.id }, (o) =>
      o.ok ? `Released ${name}'s enquiry to the queue.` : `Could not release ${name}'s enquiry: ${o.error.message}`,
    );
  }

  reply(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    if (!e.messagesLoaded) this.loadConversation(e.id);
    this.update({ dialog: { kind: 'reply', enquiryId: e.id, line: lineOf(this.ui.drafts[e.id] ?? '') }, notice: null });
  }

  tag(): void {
    const e = this.selection().enquiry;
    if (e) this.update({ dialog: { kind: 'tag', enquiryId: e.id, tag: tagStart() }, notice: null });
  }

  untag(): void {
    const e = this.selection().enquiry;
    if (e && e.caseNumbers.length > 0) {
      this.update({ dialog: { kind: 'untag', enquiryId: e.id, tags: [...e.caseNumbers], picker: pickerOf(e.caseNumbers.length) }, notice: null });
    }
  }

  escalate(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    // The directory and the templates live with the broker: a dialog that cannot ask it would only hang.
    if (this.client.connection.state !== 'connected') return this.notify('Escalating needs the broker (the court directory and templates are there): wait until connected.', 'error');
    const backlog = new Map(courtBacklog(this.client.state.enquiries.values()).map((b) => [b.courtSlug, b]));
    const used: CourtChoice[] = usedCourts(e).map((x) => ({
      name: x.courtName,
      slug: x.courtSlug,
      email: x.to,
      welsh: false,
      unanswered: backlog.get(x.courtSlug)?.unanswered ?? 0,
      oldestSince: backlog.get(x.courtSlug)?.oldestSince ?? null,
      usedHere: true,
    }));
    const id = ++this.dialogIds;
    const start = escalateStart(e.id, e.language, used);
    this.update({ dialog: { kind: 'escalate', id, flow: start.state }, notice: null });
    for (const effect of start.effects) this.escalateEffect(id, effect);
  }

  chase(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const target = chaseTarget(e);
    // The keymap offers C only when there is something to chase.
    if (!target.ok) return;
    const x = target.escalation;
    const now = Date.now();
    const due = isDueForChase(x, e.escalations, new Date(now)) ? 'it is due a chase' : `a chase is due ${shortDate(chaseDueDate(x, e.escalations) ?? '', now)}`;
    const chased = x.chases === 0 ? 'not chased yet' : `chased ${times(x.chases)} already`;
    const detail = `Sent ${x.sentAt ? shortDate(x.sentAt, now) : '?'}, ${chased}; ${due}.`;
    this.update({ dialog: { kind: 'chase', enquiryId: e.id, escalationId: x.id, courtName: x.courtName, subject: x.subject, detail }, notice: null });
  }

  recordAnswer(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const targets = awaitingAnswer(e).map((x) => ({ escalationId: x.id, courtName: x.courtName, subject: x.subject, sentAt: x.sentAt ?? null }));
    if (targets.length > 0) this.update({ dialog: { kind: 'answer', enquiryId: e.id, answer: answerStart(targets) }, notice: null });
  }

  note(): void {
    const e = this.selection().enquiry;
    if (e) this.update({ dialog: { kind: 'note', enquiryId: e.id, line: lineOf('') }, notice: null });
  }

  close(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const name = displayName(e);
    void this.command({ type: 'close', enquiryId: e.id }, (o) =>
      o.ok ? `Closed ${name}'s enquiry (o reopens it).` : `Could not close ${name}'s enquiry: ${o.error.message}`,
    );
  }

  reopen(): void {
    const e = this.selection().enquiry;
    if (!e) return;
    const name = displayName(e);
    void this.command({ type: 'reopen', enquiryId: e.id }, (o) =>
      o.ok ? `Reopened ${name}'s enquiry.` : `Could not reopen ${name}'s enquiry: ${o.error.message}`,
    );
  }

  filter(): void {
    this.update({ dialog: { kind: 'filter', line: lineOf(this.ui.filter), previous: this.ui.filter }, notice: null });
  }

  togglePresence(): void {
    const next: Presence = this.presence() === 'available' ? 'away' : 'available';
    void this.command({ type: 'presence', state: next }, (o) => (o.ok ? `You are ${next}.` : `Could not change presence: ${o.error.message}`));
  }

  help(): void {
    this.update({ dialog: { kind: 'help', scroll: 0 } });
  }

  quit(): void {
    const drafts = Object.keys(this.ui.drafts).length;
    const unsent = this.unsent();
    if (drafts === 0 && unsent === 0) return this.onQuit();
    this.update({ dialog: { kind: 'quit', drafts, unsent } });
  }

  back(): void {
    this.update({ filter: '', zoomed: false, paneScroll: 0, notice: null });
  }

  // --- dialogs ------------------------------------------------------------------------------

  private fieldKey(f: FieldKey): void {
    const dialog = this.ui.dialog;
    if (!dialog) return;
    switch (dialog.kind) {
      case 'reply':
        return this.replyKey(dialog, f);
      case 'note':
        if (f.type === 'cancel') return this.update({ dialog: null });
        if (f.type === 'submit') return this.submitNote(dialog);
        if (isEdit(f)) this.update({ dialog: { ...dialog, line: editLine(dialog.line, f) } });
        return;
      case 'tag': {
        const e = this.client.state.enquiries.get(dialog.enquiryId);
        const step = tagStep(dialog.tag, f, e?.caseNumbers ?? []);
        if (step.cancel) return this.update({ dialog: null });
        if (step.add) {
          const caseNumber = step.add;
          this.update({ dialog: null });
          void this.command({ type: 'tag', enquiryId: dialog.enquiryId, caseNumber }, (o) =>
            o.ok ? `Tagged ${caseNumber}.` : `Could not tag ${caseNumber}: ${o.error.message}`,
          );
          return;
        }
        return this.update({ dialog: { ...dialog, tag: step.state } });
      }
      case 'filter':
        if (f.type === 'cancel') return this.update({ dialog: null, filter: dialog.previous });
        if (f.type === 'submit') return this.update({ dialog: null });
        if (isEdit(f)) {
          const line = editLine(dialog.line, f);
          // The queue filters as the agent types.
          this.update({ dialog: { ...dialog, line }, filter: line.text.trim() });
        }
        return;
      default:
        return;
    }
  }

  private replyKey(dialog: Extract<Dialog, { kind: 'reply' }>, f: FieldKey): void {
    switch (f.type) {
      case 'cancel':
        return this.update({ dialog: null, notice: this.ui.drafts[dialog.enquiryId] ? { text: 'Draft kept. r to carry on.', tone: 'info' } : null });
      case 'submit':
        return this.submitReply(dialog);
      case 'tab': {
        const e = this.client.state.enquiries.get(dialog.enquiryId);
        return this.update({ dialog: { kind: 'canned', enquiryId: dialog.enquiryId, flow: cannedStart(e?.language ?? 'en') } });
      }
      case 'up':
      case 'down':
        return;
      default:
        return this.setReplyLine(dialog.enquiryId, editLine(dialog.line, f));
    }
  }

  private setReplyLine(enquiryId: string, line: LineState): void {
    const drafts = { ...this.ui.drafts };
    if (line.text.trim() === '') delete drafts[enquiryId];
    else drafts[enquiryId] = line.text;
    this.drafts.save(drafts);
    this.update({ dialog: { kind: 'reply', enquiryId, line }, drafts });
  }

  private submitReply(dialog: Extract<Dialog, { kind: 'reply' }>): void {
    const text = dialog.line.text.trim();
    if (text === '') return this.notify('The reply is empty: type a message, or Esc to go back.', 'error');
    const drafts = { ...this.ui.drafts };
    delete drafts[dialog.enquiryId];
    this.drafts.save(drafts);
    const e = this.client.state.enquiries.get(dialog.enquiryId);
    const name = e ? displayName(e) : dialog.enquiryId;
    const offline = this.client.connection.state !== 'connected';
    this.update({
      dialog: null,
      drafts,
      paneScroll: 0,
      notice: offline ? { text: `Reply to ${name} queued: it goes when the connection is back.`, tone: 'info' } : null,
    });
    void this.command({ type: 'reply', enquiryId: dialog.enquiryId, text }, (o) => {
      if (o.ok) return `Reply to ${name} sent.`;
      // Never lose what was typed: a refused reply goes back into the draft.
      if (!this.ui.drafts[dialog.enquiryId]) {
        const back = { ...this.ui.drafts, [dialog.enquiryId]: text };
        this.drafts.save(back);
        this.update({ drafts: back });
      }
      return `Reply to ${name} not sent: ${o.error.message} (kept as a draft).`;
    });
  }

  private submitNote(dialog: Extract<Dialog, { kind: 'note' }>): void {
    const text = dialog.line.text.trim();
    if (text === '') return this.notify('The note is empty: type it, or Esc to go back.', 'error');
    this.update({ dialog: null, paneScroll: 0 });
    void this.command({ type: 'note', enquiryId: dialog.enquiryId, text }, (o) => (o.ok ? 'Note added.' : `Note not added: ${o.error.message}`));
  }

  private cannedPicker(input: string, key: Key): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'canned') return;
    const k = pickerKey(input, key, dialog.flow.stage === 'pick' ? dialog.flow.replies.length : 0);
    if (!k) return;
    const e = this.client.state.enquiries.get(dialog.enquiryId);
    const known = e ? knownValues(e, this.me) : { agent: this.me };
    this.cannedStep(dialog.enquiryId, cannedPick(dialog.flow, k, known));
  }

  private cannedField(f: FieldKey): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'canned') return;
    this.cannedStep(dialog.enquiryId, cannedAsk(dialog.flow, f));
  }

  private cannedStep(enquiryId: string, step: ReturnType<typeof cannedAsk>): void {
    if (step.cancel) return this.closeCanned();
    if (step.text !== undefined) {
      const draft = this.ui.drafts[enquiryId] ?? '';
      const text = draft.trim() === '' ? step.text : `${draft.replace(/\s+$/, '')} ${step.text}`;
      return this.setReplyLine(enquiryId, lineOf(text));
    }
    this.update({ dialog: { kind: 'canned', enquiryId, flow: step.flow } });
  }

  private closeCanned(): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'canned') return;
    this.update({ dialog: { kind: 'reply', enquiryId: dialog.enquiryId, line: lineOf(this.ui.drafts[dialog.enquiryId] ?? '') } });
  }

  private untagPicker(input: string, key: Key): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'untag') return;
    if (key.ctrl && input === 'c') return this.update({ dialog: null });
    const k = pickerKey(input, key, dialog.tags.length);
    if (!k) return;
    if (k.type === 'cancel') return this.update({ dialog: null });
    const picker = pick(dialog.picker, k);
    if (k.type !== 'choose') return this.update({ dialog: { ...dialog, picker } });
    const caseNumber = dialog.tags[picker.index]!;
    this.update({ dialog: null });
    void this.command({ type: 'untag', enquiryId: dialog.enquiryId, caseNumber }, (o) =>
      o.ok ? `Removed tag ${caseNumber}.` : `Could not remove ${caseNumber}: ${o.error.message}`,
    );
  }

  // --- escalation -----------------------------------------------------------------------------

  private escalateKeyed(k: EscalateKey): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'escalate') return;
    const view = previewWindow(dialog.flow, this.viewport.columns, this.viewport.rows - 1);
    this.escalateApply(dialog.id, escalateKey(dialog.flow, k, view));
  }

  private escalateApply(id: number, result: EscalateResult): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'escalate' || dialog.id !== id) return;
    if (result.close) {
      if (this.courtTimer) clearTimeout(this.courtTimer);
      this.courtTimer = null;
      const court = dialog.flow.court?.name ?? 'the court';
      if (result.close === 'escalated') {
        this.update({ dialog: null, paneScroll: 0 });
        return this.notify(`Escalated to ${court}: the email shows as queued, then sent once it has gone.`, 'info');
      }
      const sending = dialog.flow.waiting === 'send';
      this.update({ dialog: null, notice: sending ? { text: `Still sending the escalation to ${court}: what becomes of it will show here.`, tone: 'info' } : null });
      return;
    }
    this.update({ dialog: { ...dialog, flow: result.state } });
    for (const effect of result.effects) this.escalateEffect(id, effect);
  }

  /** Hands a broker answer to the dialog that asked, if it is still open. */
  private escalateAnswer(id: number, event: EscalateEvent): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind === 'escalate' && dialog.id === id) this.escalateApply(id, escalateEvent(dialog.flow, event));
  }

  private escalateEffect(id: number, effect: EscalateEffect): void {
    const enquiryId = this.ui.dialog?.kind === 'escalate' ? this.ui.dialog.flow.enquiryId : '';
    const refused = (request: number | null, o: CommandOutcome): EscalateEvent =>
      o.ok ? { type: 'refused', request, message: 'The broker gave an answer the workbench cannot read: try again.' } : { type: 'refused', request, message: o.error.message, ...(o.error.missing ? { missing: o.error.missing } : {}) };
    switch (effect.type) {
      case 'list-courts': {
        if (this.courtTimer) clearTimeout(this.courtTimer);
        this.courtTimer = null;
        const search = () => {
          this.courtTimer = null;
          void this.ask({ type: 'list-courts', ...(effect.query ? { query: effect.query } : {}) }).then((o) => {
            const courts = o.ok ? parseCourts(o.data) : null;
            this.escalateAnswer(id, courts ? { type: 'courts', query: effect.query, courts } : refused(null, o));
          });
        };
        if (effect.now) return search();
        this.courtTimer = setTimeout(search, COURT_SEARCH_DELAY_MS);
        this.courtTimer.unref?.();
        return;
      }
      case 'list-templates':
        void this.ask({ type: 'list-templates' }).then((o) => {
          const templates = o.ok ? parseTemplates(o.data) : null;
          this.escalateAnswer(id, templates ? { type: 'templates', templates } : refused(null, o));
        });
        return;
      case 'preview': {
        const { request, type: _type, ...rest } = effect;
        void this.ask({ type: 'preview-escalation', enquiryId, ...rest }).then((o) => {
          const preview = o.ok ? parsePreview(o.data) : null;
          this.escalateAnswer(id, preview ? { type: 'previewed', request, ...preview } : refused(request, o));
        });
        return;
      }
      case 'tag':
        void this.ask({ type: 'tag', enquiryId, caseNumber: effect.caseNumber }).then((o) =>
          this.escalateAnswer(id, o.ok ? { type: 'tagged', request: effect.request } : refused(effect.request, o)),
        );
        return;
      case 'escalate': {
        const { request, type: _type, ...rest } = effect;
        const court = this.ui.dialog?.kind === 'escalate' ? this.ui.dialog.flow.court?.name ?? rest.courtSlug : rest.courtSlug;
        void this.ask({ type: 'escalate', enquiryId, ...rest }).then((o) => {
          const dialog = this.ui.dialog;
          if (dialog?.kind === 'escalate' && dialog.id === id) return this.escalateAnswer(id, o.ok ? { type: 'escalated', request } : refused(request, o));
          // The agent stopped waiting: the outcome still reaches them.
          this.notify(o.ok ? `Escalated to ${court}.` : `The escalation to ${court} was refused: ${o.error.message}`, o.ok ? 'info' : 'error');
        });
        return;
      }
    }
  }

  /** Sends a command and returns the broker's answer (a refusal rather than a throw). */
  private async ask(input: CommandInput): Promise<CommandOutcome> {
    // What the role may never do is said at once (an auditor reads, and changes nothing), not sent to fail.
    const role = this.client.agent?.role;
    const action = COMMAND_ACTIONS[input.type];
    if (role && !can(role, action)) return { ok: false, error: { code: 'FORBIDDEN', message: forbiddenMessage(role, action) } };
    try {
      return await this.client.send(input);
    } catch (err) {
      return { ok: false, error: { code: 'CLIENT_ERROR', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  private chaseKey(input: string, key: Key): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'chase') return;
    if (input === 'y' || input === 'Y' || key.return) {
      this.update({ dialog: null });
      void this.command({ type: 'chase', enquiryId: dialog.enquiryId, escalationId: dialog.escalationId }, (o) =>
        o.ok ? `Chase sent to ${dialog.courtName}.` : `Could not chase ${dialog.courtName}: ${o.error.message}`,
      );
      return;
    }
    if (input === 'n' || input === 'N' || input === 'q' || key.escape || (key.ctrl && input === 'c')) this.update({ dialog: null });
  }

  private answerStep(step: AnswerStep): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'answer') return;
    if (step.cancel) return this.update({ dialog: null });
    if (!step.record) return this.update({ dialog: { ...dialog, answer: step.state } });
    const { escalationId, text } = step.record;
    const court = step.state.targets.find((t) => t.escalationId === escalationId)?.courtName ?? 'the court';
    this.update({ dialog: null, paneScroll: 0 });
    void this.ask({ type: 'answer-escalation', enquiryId: dialog.enquiryId, escalationId, text }).then((o) => {
      if (o.ok) return this.notify(`Recorded ${court}'s answer.`, 'info');
      // What the agent pasted is not thrown away: the editor comes back with it, unless another dialog is open.
      const back = this.ui.dialog === null;
      if (back) this.update({ dialog: { ...dialog, answer: step.state } });
      this.notify(`Could not record ${court}'s answer: ${o.error.message}${back ? ' (your text is back in the editor)' : ''}`, 'error');
    });
  }

  private helpKey(input: string, key: Key): void {
    const dialog = this.ui.dialog;
    if (dialog?.kind !== 'help') return;
    if (key.escape || input === '?' || input === 'q' || key.return || (key.ctrl && input === 'c')) return this.update({ dialog: null });
    if (key.downArrow || input === 'j') return this.update({ dialog: { kind: 'help', scroll: dialog.scroll + 1 } });
    if (key.upArrow || input === 'k') return this.update({ dialog: { kind: 'help', scroll: Math.max(0, dialog.scroll - 1) } });
  }

  private quitKey(input: string, key: Key): void {
    if (input === 'y' || input === 'Y' || input === 'q' || key.return || (key.ctrl && input === 'c')) {
      this.update({ dialog: null });
      return this.onQuit();
    }
    if (input === 'n' || input === 'N' || key.escape) this.update({ dialog: null });
  }

  // --- effects ------------------------------------------------------------------------------

  private async command(input: CommandInput, describe: (o: CommandOutcome) => string): Promise<void> {
    const outcome = await this.ask(input);
    this.notify(describe(outcome), outcome.ok ? 'info' : 'error');
  }

  /** Commands restored from an earlier run's outbox have no one waiting on them: say what became of them. */
  private restoredOutcome(report: CommandOutcomeReport): void {
    if (!report.restored || QUERY_COMMANDS.has(report.command.type)) return;
    const c = report.command;
    const what = c.type === 'reply' ? 'A reply left unsent last time' : `A ${c.type} left unsent last time`;
    this.notify(report.outcome.ok ? `${what} has now been sent.` : `${what} was refused: ${report.outcome.error.message}`, report.outcome.ok ? 'info' : 'error');
  }

  private loadConversation(id: string): void {
    if (this.opening.has(id)) return;
    this.opening.add(id);
    this.client.open(id).then(
      () => this.opening.delete(id),
      (err: unknown) => {
        this.opening.delete(id);
        this.notify(`Could not load the conversation: ${err instanceof Error ? err.message : String(err)}`, 'error');
      },
    );
  }

  /** Loads the selected enquiry's conversation once the selection has rested a moment. */
  private scheduleOpen(): void {
    const e = this.selection().enquiry;
    const id = e && !e.messagesLoaded && !this.opening.has(e.id) && this.client.connection.state === 'connected' ? e.id : null;
    // Already counting down for this enquiry: events arriving meanwhile must not restart the wait,
    // or a busy queue (several events a second) would keep the conversation from ever loading.
    if (id !== null && id === this.openFor && this.openTimer) return;
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = null;
    this.openFor = id;
    if (id === null) return;
    this.openTimer = setTimeout(() => {
      this.openTimer = null;
      this.openFor = null;
      if (this.selection().enquiry?.id === id) this.loadConversation(id);
    }, OPEN_DELAY_MS);
    this.openTimer.unref?.();
  }

  private clientChanged(): void {
    this.scheduleOpen();
    // Events can arrive by the hundred per second; redraw at most at the frame rate.
    const gap = 1000 / Math.max(1, this.settings.fps);
    const wait = this.lastNotify + gap - Date.now();
    if (wait <= 0) {
      this.lastNotify = Date.now();
      this.emit();
    } else if (!this.notifyTimer) {
      this.notifyTimer = setTimeout(() => {
        this.notifyTimer = null;
        this.lastNotify = Date.now();
        this.emit();
      }, wait);
      this.notifyTimer.unref?.();
    }
  }

  private select(id: string): void {
    const index = this.queue().indexOf.get(id) ?? this.ui.selectedIndex;
    this.update({ selectedId: id, selectedIndex: index, paneScroll: 0 });
    this.scheduleOpen();
  }

  private selectIndex(index: number): void {
    const item = this.queue().items[index];
    if (item?.kind !== 'row') return;
    this.update({ selectedId: item.enquiry.id, selectedIndex: index, paneScroll: 0 });
    this.scheduleOpen();
  }

  private notify(text: string, tone: Notice['tone']): void {
    this.update({ notice: { text: cleanLine(text), tone } });
  }

  private update(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    this.emit();
  }

  private emit(): void {
    this.changes++;
    for (const l of this.listeners) l();
  }
}

function isEdit(f: FieldKey): f is LineAction {
  return f.type !== 'submit' && f.type !== 'cancel' && f.type !== 'tab' && f.type !== 'up' && f.type !== 'down';
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a run that arrived together, as useInput would have described it alone. */
export function charKey(ch: string): [string, Key] {
  const code = ch.codePointAt(0)!;
  if (ch === '\r' || ch === '\n') return ['', { ...NO_KEY, return: true }];
  if (ch === '\t') return ['', { ...NO_KEY, tab: true }];
  if (ch === '\x7f' || ch === '\b') return ['', { ...NO_KEY, delete: true }];
  if (code < 0x20) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [ch, { ...NO_KEY, shift: /^[A-Z]$/.test(ch) }];
}
