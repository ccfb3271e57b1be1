// The escalation dialog's state, what it asks of the broker (effects) and what comes back (events).
import type { Language } from '../../domain/events.js';
import type { CourtListing, TemplateSummary } from '../../protocol/answers.js';
import type { FieldKey, LineState } from './line-editor.js';
import type { PickerKey } from './picker.js';

/** A court as the dialog lists it: the directory's listing, and whether this enquiry was emailed to it before. */
export interface CourtChoice extends CourtListing {
  usedHere: boolean;
}

export type TemplateChoice = TemplateSummary;

export interface EmailPreview {
  to: string;
  courtName: string;
  language: Language;
  subject: string;
  text: string;
}

/** One value the dialog asks for. A case number is checked and tagged on the enquiry, where the template reads it from. */
export interface AskedField {
  name: string;
  optional: boolean;
  kind: 'text' | 'case-number';
}

export type EscalateStep = 'court' | 'template' | 'fields' | 'preview';

/** What the dialog waits on the broker for; only Esc acts meanwhile. */
export type Waiting = 'templates' | 'check' | 'tag' | 'preview' | 'send';

export interface EscalateState {
  enquiryId: string;
  /** The enquiry's own language: templates are offered in it first. */
  enquiryLanguage: Language;
  /** The templates' language (Tab switches it in step 2). */
  language: Language;
  step: EscalateStep;
  /** Courts emailed about this enquiry before, most recent first: listed first. */
  used: CourtChoice[];
  query: LineState;
  /** The query the listed courts answer; null until the first answer. */
  listedFor: string | null;
  courts: CourtChoice[];
  courtIndex: number;
  /** Enter came before the courts for the typed query: pick the first of them when they come. */
  pickWhenListed: boolean;
  court: CourtChoice | null;
  /** Every template, both languages; null until loaded. */
  templates: TemplateChoice[] | null;
  templateIndex: number;
  template: TemplateChoice | null;
  values: Record<string, string>;
  fields: AskedField[];
  fieldIndex: number;
  field: LineState;
  preview: EmailPreview | null;
  scroll: number;
  waiting: Waiting | null;
  /** Numbers requests so an answer to one backed out of is ignored. */
  request: number;
  problem: string | null;
}

export type EscalateEffect =
  | { type: 'list-courts'; query: string; now: boolean }
  | { type: 'list-templates' }
  | { type: 'preview'; request: number; courtSlug: string; template: string; language: Language; fields: Record<string, string> }
  | { type: 'tag'; request: number; caseNumber: string }
  | { type: 'escalate'; request: number; courtSlug: string; template: string; language: Language; fields: Record<string, string> };

export type EscalateEvent =
  | { type: 'courts'; query: string; courts: CourtListing[] }
  | { type: 'templates'; templates: TemplateChoice[] }
  | { type: 'previewed'; request: number; missing: string[]; preview?: EmailPreview }
  | { type: 'tagged'; request: number }
  | { type: 'escalated'; request: number }
  /** A refused request; `request` null for the directory and template lists. */
  | { type: 'refused'; request: number | null; message: string; missing?: string[] };

export type EscalateKey =
  | { type: 'field'; key: FieldKey }
  | { type: 'pick'; key: PickerKey }
  | { type: 'language' }
  | { type: 'scroll'; by: number }
  | { type: 'scroll-to'; end: boolean }
  | { type: 'confirm' }
  | { type: 'back' };

export interface EscalateResult {
  state: EscalateState;
  effects: EscalateEffect[];
  /** The dialog is over: closed by the agent, or the escalation recorded. */
  close?: 'cancelled' | 'escalated';
}

/** How much of the preview the screen shows, for scrolling. */
export interface PreviewWindow {
  page: number;
  maxScroll: number;
}


/** The escalation dialog as it is open: `id` tells its broker answers from those of one opened before. */
export interface EscalateDialog {
  kind: 'escalate';
  id: number;
  flow: EscalateState;
}

/** What its keys mean: a step of the reducer, or closing the dialog from any step (Ctrl-C). */
export type EscalateAction = EscalateKey | { type: 'close' };
