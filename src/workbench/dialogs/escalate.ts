// The escalation dialog (`e`) as a pure reducer: pick a court (searching the broker's directory as
// the agent types), pick a template in the enquiry's language, fill what the template still needs,
// read the rendered email, confirm. Esc backs out one step at every step.
//
// The reducer never talks to the broker: it returns effects (search the directory, preview, tag,
// escalate) for the controller to carry out, and takes the answers back as events. Every answer
// says what it answers (the query, a request number), so one the agent has moved past is dropped.
// Its types are in escalate-types.ts, the fields step in escalate-fields.ts, its keys and effects
// in escalate-dialog.ts.
import { CHASE_TEMPLATE } from '../../domain/decide-escalation.js';
import type { Language } from '../../domain/events.js';
import type { CourtListing } from '../../protocol/answers.js';
import type { CourtChoice, EscalateEvent, EscalateKey, EscalateResult, EscalateState, PreviewWindow, TemplateChoice } from './escalate-types.js';
import { askFor, fieldsKey, nextField, optionalAsks, startFields, words } from './escalate-fields.js';
import type { FieldKey } from './line-editor.js';
import { editLine, lineOf } from './line-editor.js';
import type { PickerKey } from './picker.js';

export function escalateStart(enquiryId: string, language: Language, used: CourtChoice[]): EscalateResult {
  const state: EscalateState = {
    enquiryId,
    enquiryLanguage: language,
    language,
    step: 'court',
    used: used.map((c) => ({ ...c, usedHere: true })),
    query: lineOf(''),
    listedFor: null,
    courts: [],
    courtIndex: 0,
    pickWhenListed: false,
    court: null,
    templates: null,
    templateIndex: 0,
    template: null,
    values: {},
    fields: [],
    fieldIndex: 0,
    field: lineOf(''),
    preview: null,
    scroll: 0,
    waiting: null,
    request: 0,
    problem: null,
  };
  return { state, effects: [{ type: 'list-courts', query: '', now: true }] };
}

export const queryOf = (s: EscalateState): string => s.query.text.trim();

/** The templates step 2 offers: the chosen language's, without the chase template (C sends that). */
export function templatesFor(s: EscalateState): TemplateChoice[] {
  return (s.templates ?? []).filter((t) => t.language === s.language && t.name !== CHASE_TEMPLATE);
}

export function escalateKey(s: EscalateState, k: EscalateKey, view: PreviewWindow = { page: 1, maxScroll: 0 }): EscalateResult {
  if (k.type === 'back') return back(s);
  // A request in flight: only Esc acts, so a key typed ahead never lands in the wrong step.
  if (s.waiting !== null) return { state: s, effects: [] };
  switch (s.step) {
    case 'court':
      return k.type === 'field' ? courtKey(s, k.key) : same(s);
    case 'template':
      if (k.type === 'language') return same({ ...s, language: s.language === 'cy' ? 'en' : 'cy', templateIndex: 0, problem: null });
      return k.type === 'pick' ? templateKey(s, k.key) : same(s);
    case 'fields':
      return k.type === 'field' ? fieldsKey(s, k.key) : same(s);
    case 'preview':
      return previewKey(s, k, view);
  }
}

export function escalateEvent(s: EscalateState, ev: EscalateEvent): EscalateResult {
  switch (ev.type) {
    case 'courts': {
      if (ev.query !== queryOf(s)) return same(s);
      const courts = orderCourts(s, ev.courts, ev.query);
      const next = { ...s, courts, listedFor: ev.query, courtIndex: 0 };
      if (!s.pickWhenListed || s.step !== 'court') return same(next);
      if (courts.length === 0) return same({ ...next, pickWhenListed: false, problem: `No court matches "${ev.query}": try part of its name or town.` });
      return chooseCourt({ ...next, pickWhenListed: false }, courts[0]!);
    }
    case 'templates': {
      const next = { ...s, templates: ev.templates };
      return same(s.waiting === 'templates' ? { ...next, waiting: null } : next);
    }
    case 'refused': {
      if (ev.request !== null && ev.request !== s.request) return same(s);
      if (ev.request === null && s.waiting !== 'templates') return same({ ...s, problem: ev.message, pickWhenListed: false });
      if (ev.missing && ev.missing.length > 0 && s.template) return askFor({ ...s, waiting: null }, ev.missing, `${ev.message}`);
      return same({ ...s, waiting: null, problem: ev.message });
    }
    case 'previewed': {
      if (ev.request !== s.request || s.template === null) return same(s);
      const first = s.waiting === 'check';
      if (ev.missing.length > 0) return askFor({ ...s, waiting: null }, ev.missing, first ? null : `Still needed: ${ev.missing.map(words).join(', ')}.`);
      if (first) {
        // Nothing is required, but the template may take optional values (its conditional text).
        const optional = optionalAsks(s.template, []);
        if (optional.length > 0) return same(startFields({ ...s, waiting: null }, optional));
      }
      if (!ev.preview) return same({ ...s, waiting: null, problem: 'The broker sent no preview: try again.' });
      return same({ ...s, waiting: null, step: 'preview', preview: ev.preview, scroll: 0, problem: null });
    }
    case 'tagged':
      if (ev.request !== s.request || s.waiting !== 'tag') return same(s);
      return nextField({ ...s, waiting: null });
    case 'escalated':
      if (ev.request !== s.request) return same(s);
      return { state: { ...s, waiting: null }, effects: [], close: 'escalated' };
  }
}

// --- steps ----------------------------------------------------------------------------------

function back(s: EscalateState): EscalateResult {
  const cleared = { ...s, waiting: null, problem: null, request: s.request + 1 };
  // The escalation has gone to the broker: Esc only stops watching it (the controller says how it ends).
  if (s.waiting === 'send') return { state: cleared, effects: [], close: 'cancelled' };
  switch (s.step) {
    case 'court':
      return { state: cleared, effects: [], close: 'cancelled' };
    case 'template':
      // Esc while the template is checked stops the check, and stays.
      if (s.waiting === 'check') return same(cleared);
      return same({ ...cleared, step: 'court', court: null, pickWhenListed: false });
    case 'fields':
      if (s.waiting === 'preview' || s.waiting === 'tag') return same(cleared);
      return same({ ...cleared, step: 'template' });
    case 'preview':
      if (s.fields.length > 0) return same({ ...cleared, step: 'fields', fieldIndex: s.fields.length - 1, field: lineOf(s.values[s.fields.at(-1)!.name] ?? '') });
      return same({ ...cleared, step: 'template' });
  }
}

function courtKey(s: EscalateState, f: FieldKey): EscalateResult {
  switch (f.type) {
    case 'up':
    case 'down': {
      const by = f.type === 'up' ? -1 : 1;
      return same({ ...s, courtIndex: Math.min(Math.max(0, s.courtIndex + by), Math.max(0, s.courts.length - 1)) });
    }
    case 'submit': {
      const q = queryOf(s);
      // The list on screen answers an older query: pick once the typed one is answered.
      if (s.listedFor !== q) return { state: { ...s, pickWhenListed: true, problem: null }, effects: [{ type: 'list-courts', query: q, now: true }] };
      const court = s.courts[s.courtIndex];
      if (!court) return same({ ...s, problem: q === '' ? 'The court directory is empty: import one (courtdesk courts import FILE).' : `No court matches "${q}": try part of its name or town.` });
      return chooseCourt(s, court);
    }
    case 'cancel':
    case 'tab':
      return same(s);
    default: {
      const query = editLine(s.query, f);
      const next = { ...s, query, problem: null, pickWhenListed: false };
      return query.text.trim() === queryOf(s) ? same(next) : { state: next, effects: [{ type: 'list-courts', query: query.text.trim(), now: false }] };
    }
  }
}

function chooseCourt(s: EscalateState, court: CourtChoice): EscalateResult {
  const next: EscalateState = { ...s, step: 'template', court, templateIndex: 0, problem: null };
  if (s.templates !== null) return same(next);
  return { state: { ...next, waiting: 'templates' }, effects: [{ type: 'list-templates' }] };
}

function templateKey(s: EscalateState, k: PickerKey): EscalateResult {
  const list = templatesFor(s);
  if (list.length === 0) return same(s);
  if (k.type === 'move') return same({ ...s, templateIndex: clamp(s.templateIndex + k.by, list.length) });
  if (k.type === 'first') return same({ ...s, templateIndex: 0 });
  if (k.type === 'last') return same({ ...s, templateIndex: list.length - 1 });
  if (k.type !== 'choose') return same(s);
  const index = k.index === undefined ? s.templateIndex : clamp(k.index, list.length);
  const template = list[index]!;
  const request = s.request + 1;
  // Checked with no values typed, so every required field is reported: what is left of `ask:` is optional.
  return {
    state: { ...s, templateIndex: index, template, values: {}, fields: [], fieldIndex: 0, waiting: 'check', request, problem: null },
    effects: [{ type: 'preview', request, courtSlug: s.court!.slug, template: template.name, language: template.language, fields: {} }],
  };
}

function previewKey(s: EscalateState, k: EscalateKey, view: PreviewWindow): EscalateResult {
  const page = Math.max(1, view.page);
  switch (k.type) {
    case 'scroll': {
      const by = k.by === Infinity ? page : k.by === -Infinity ? -page : k.by;
      return same({ ...s, scroll: Math.min(Math.max(0, s.scroll + by), view.maxScroll) });
    }
    case 'scroll-to':
      return same({ ...s, scroll: k.end ? view.maxScroll : 0 });
    case 'confirm': {
      const t = s.template!;
      const request = s.request + 1;
      return {
        state: { ...s, waiting: 'send', request, problem: null },
        effects: [{ type: 'escalate', request, courtSlug: s.court!.slug, template: t.name, language: t.language, fields: s.values }],
      };
    }
    default:
      return same(s);
  }
}

// --- courts ---------------------------------------------------------------------------------

/** Courts used for this enquiry first (most recent first), then the directory's order. */
function orderCourts(s: EscalateState, rows: CourtListing[], query: string): CourtChoice[] {
  const used = new Map(s.used.map((c, i) => [c.slug, i]));
  const listed = rows.map((c) => ({ ...c, usedHere: used.has(c.slug) }));
  const first = listed.filter((c) => c.usedHere).sort((a, b) => used.get(a.slug)! - used.get(b.slug)!);
  // An empty query lists the directory's first page only: a used court beyond it is still shown.
  if (query === '') for (const c of s.used) if (!first.some((f) => f.slug === c.slug)) first.push(c);
  return [...first.sort((a, b) => used.get(a.slug)! - used.get(b.slug)!), ...listed.filter((c) => !c.usedHere)];
}

// --- small helpers --------------------------------------------------------------------------

function same(state: EscalateState): EscalateResult {
  return { state, effects: [] };
}

function clamp(index: number, count: number): number {
  return Math.min(Math.max(0, index), Math.max(0, count - 1));
}
