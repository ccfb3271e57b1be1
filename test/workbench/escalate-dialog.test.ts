// The escalation dialog's reducer, its screen and the escalation threads, without Ink or a broker.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { Escalation } from '../../src/domain/enquiry.js';
import { checkAnswer } from '../../src/protocol/answers.js';
import { escalateEvent, escalateKey, escalateStart, templatesFor } from '../../src/workbench/dialogs/escalate.js';
import { words } from '../../src/workbench/dialogs/escalate-fields.js';
import { escalateKeys } from '../../src/workbench/dialogs/escalate-keys.js';
import type { CourtChoice, EscalateKey, EscalateResult, EscalateState, TemplateChoice } from '../../src/workbench/dialogs/escalate-types.js';
import { escalateScreen, type EscalateViewOptions, type ScreenLine } from '../../src/workbench/dialogs/escalate-view.js';
import { answerField, answerPick, answerStart } from '../../src/workbench/dialogs/court-answer.js';
import { chaseTarget, shortDate, threadDetails, threadLine } from '../../src/workbench/escalation-threads.js';
import { segmentsWidth } from '../../src/workbench/format.js';
import { makeTheme } from '../../src/workbench/theme.js';
import { textWidth } from '../../src/workbench/text.js';
import { enquiry, minutesAgo, NOW } from './fixtures.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false,
  hyper: false, capsLock: false, numLock: false,
};
const key = (k: Partial<Key> = {}): Key => ({ ...NO_KEY, ...k });

const court = (name: string, slug: string, unanswered = 0, oldestSince: string | null = null): Omit<CourtChoice, 'usedHere'> => ({
  name, slug, email: `enquiries.${slug}@justice.gov.uk`, welsh: false, unanswered, oldestSince,
});
const BRISTOL = court('Bristol Civil and Family Justice Centre', 'bristol', 2, '2025-03-03T10:00:00Z');
const CARDIFF = { ...court('Cardiff Civil and Family Justice Centre', 'cardiff'), welsh: true };
const LEEDS = court('Leeds Combined Court Centre', 'leeds');

const tpl = (name: string, language: 'en' | 'cy', ask: string[] = [], description = `${name} in ${language}`): TemplateChoice => ({
  name, language, subject: `${name} subject`, description, ask, fields: [],
});
const TEMPLATES = [
  tpl('chase', 'en'), tpl('general', 'en'), tpl('hearing-date', 'en'), tpl('urgent-hearing', 'en', ['hearingDate']),
  tpl('documents-not-received', 'en', ['documentsDescription', 'sentByEmail']),
  tpl('chase', 'cy'), tpl('general', 'cy'), tpl('hearing-date', 'cy'),
];
const PREVIEW = { to: 'enquiries.bristol.countycourt@justice.gov.uk', courtName: BRISTOL.name, language: 'en' as const, subject: 'URGENT – hearing within 48 hours', text: 'Dear colleagues,\n\nline\n'.repeat(20) };

/** Runs keys (as Ink would deliver them) through the dialog, collecting effects. */
function press(r: EscalateResult, ...keys: [string, Partial<Key>?][]): EscalateResult {
  let state = r.state;
  const effects = [...r.effects];
  let close = r.close;
  for (const [input, k] of keys) {
    for (const ek of escalateKeys(state, input, key(k))) {
      const next = escalateKey(state, ek, { page: 5, maxScroll: 30 });
      state = next.state;
      effects.push(...next.effects);
      close = next.close ?? close;
    }
  }
  return { state, effects, ...(close ? { close } : {}) };
}
const type = (text: string): [string, Partial<Key>?] => [text];
const ENTER: [string, Partial<Key>] = ['', { return: true }];
const ESC: [string, Partial<Key>] = ['', { escape: true }];
const TAB: [string, Partial<Key>] = ['', { tab: true }];
const event = (r: EscalateResult, ...events: Parameters<typeof escalateEvent>[1][]): EscalateResult =>
  events.reduce<EscalateResult>((acc, ev) => {
    const next = escalateEvent(acc.state, ev);
    return { state: next.state, effects: [...acc.effects, ...next.effects], ...(next.close ? { close: next.close } : {}) };
  }, { state: r.state, effects: [] });
const fresh = (r: EscalateResult): EscalateResult => ({ state: r.state, effects: [] });

/** The dialog at step 2 with Bristol chosen and the templates loaded. */
function atTemplates(language: 'en' | 'cy' = 'en'): EscalateResult {
  let r = escalateStart('E1', language, []);
  r = event(r, { type: 'courts', query: '', courts: [BRISTOL, CARDIFF, LEEDS] });
  r = press(r, ENTER);
  return fresh(event(r, { type: 'templates', templates: TEMPLATES }));
}

describe('escalation dialog: the court', () => {
  it('lists the directory at once, then searches as the agent types, dropping answers to older queries', () => {
    let r = escalateStart('E1', 'en', []);
    expect(r.state.step).toBe('court');
    expect(r.effects).toEqual([{ type: 'list-courts', query: '', now: true }]);
    r = press(fresh(r), type('bri'), type('s'));
    expect(r.effects).toEqual([
      { type: 'list-courts', query: 'bri', now: false },
      { type: 'list-courts', query: 'bris', now: false },
    ]);
    // The answer to "bri" comes after "bris" was typed: not shown.
    r = event(r, { type: 'courts', query: 'bri', courts: [BRISTOL, LEEDS] });
    expect(r.state.listedFor).toBeNull();
    r = event(r, { type: 'courts', query: 'bris', courts: [BRISTOL] });
    expect(r.state.courts.map((c) => c.slug)).toEqual(['bristol']);
    // Moving the cursor does not search again.
    expect(press(fresh(r), ['', { leftArrow: true }]).effects).toEqual([]);
  });

  it('lists the courts used for this enquiry first, even beyond the first page of the directory', () => {
    const used = { ...court('Swansea Civil Justice Centre', 'swansea', 1, minutesAgo(60)), usedHere: true };
    const usedLeeds = { ...LEEDS, usedHere: true };
    let r = escalateStart('E1', 'en', [used, usedLeeds]);
    r = event(r, { type: 'courts', query: '', courts: [BRISTOL, CARDIFF, { ...LEEDS, unanswered: 3, oldestSince: minutesAgo(90) }] });
    expect(r.state.courts.map((c) => [c.slug, c.usedHere])).toEqual([['swansea', true], ['leeds', true], ['bristol', false], ['cardiff', false]]);
    // The broker's counts win over what the dialog started with.
    expect(r.state.courts[1]!.unanswered).toBe(3);
    // A query that does not match a used court does not bring it back.
    r = press(fresh(r), type('card'));
    r = event(r, { type: 'courts', query: 'card', courts: [CARDIFF] });
    expect(r.state.courts.map((c) => c.slug)).toEqual(['cardiff']);
  });

  it('Enter typed before the search answers picks the first match when it comes', () => {
    let r = escalateStart('E1', 'en', []);
    r = event(r, { type: 'courts', query: '', courts: [BRISTOL, CARDIFF, LEEDS] });
    r = press(fresh(r), type('leeds'), ENTER);
    expect(r.state.step).toBe('court');
    expect(r.effects.at(-1)).toEqual({ type: 'list-courts', query: 'leeds', now: true });
    r = event(r, { type: 'courts', query: 'leeds', courts: [LEEDS] });
    expect(r.state.step).toBe('template');
    expect(r.state.court?.slug).toBe('leeds');
    expect(r.effects).toEqual([{ type: 'list-templates' }]);
    expect(r.state.waiting).toBe('templates');
  });

  it('moves with Up/Down and says plainly when nothing matches', () => {
    let r = escalateStart('E1', 'en', []);
    r = event(r, { type: 'courts', query: '', courts: [BRISTOL, CARDIFF, LEEDS] });
    r = press(fresh(r), ['', { downArrow: true }], ['', { downArrow: true }], ['', { downArrow: true }], ['', { upArrow: true }]);
    expect(r.state.courtIndex).toBe(1);
    r = press(r, ENTER);
    expect(r.state.court?.slug).toBe('cardiff');
    let none = press(fresh(escalateStart('E1', 'en', [])), type('zzz'), ENTER);
    none = event(none, { type: 'courts', query: 'zzz', courts: [] });
    expect(none.state.step).toBe('court');
    expect(none.state.problem).toBe('No court matches "zzz": try part of its name or town.');
  });

  it('Esc closes the dialog from the first step', () => {
    expect(press(escalateStart('E1', 'en', []), ESC).close).toBe('cancelled');
  });
});

describe('escalation dialog: the template', () => {
  it('offers the enquiry\'s language without the chase template; Tab switches language', () => {
    let r = atTemplates('cy');
    expect(r.state.step).toBe('template');
    expect(r.state.waiting).toBeNull();
    expect(templatesFor(r.state).map((t) => `${t.name}/${t.language}`)).toEqual(['general/cy', 'hearing-date/cy']);
    r = press(r, TAB);
    expect(templatesFor(r.state).map((t) => t.name)).toEqual(['general', 'hearing-date', 'urgent-hearing', 'documents-not-received']);
    expect(templatesFor(atTemplates('en').state)[0]!.language).toBe('en');
  });

  it('choosing one asks the broker what it needs; keys typed meanwhile do nothing; Esc stops the check', () => {
    let r = press(atTemplates(), ['j'], ['j'], ENTER);
    expect(r.state.template?.name).toBe('urgent-hearing');
    expect(r.state.waiting).toBe('check');
    expect(r.effects).toEqual([{ type: 'preview', request: r.state.request, courtSlug: 'bristol', template: 'urgent-hearing', language: 'en', fields: {} }]);
    expect(press(fresh(r), ['k']).state.templateIndex).toBe(2);
    const request = r.state.request;
    r = press(fresh(r), ESC);
    expect(r.state.step).toBe('template');
    expect(r.state.waiting).toBeNull();
    // The answer to the check backed out of is ignored.
    expect(event(r, { type: 'previewed', request, missing: ['hearingDate'] }).state.step).toBe('template');
    // Digits choose directly.
    expect(press(atTemplates(), ['2']).state.template?.name).toBe('hearing-date');
  });

  it('Esc goes back to the court, keeping what was typed there', () => {
    let r = escalateStart('E1', 'en', []);
    r = press(r, type('bris'));
    r = event(r, { type: 'courts', query: 'bris', courts: [BRISTOL] });
    r = press(r, ENTER, ESC);
    expect(r.state.step).toBe('court');
    expect(r.state.query.text).toBe('bris');
    expect(r.state.court).toBeNull();
  });

  it('a template needing a value nobody can type here is refused with the reason', () => {
    let r = press(atTemplates(), ENTER);
    r = event(r, { type: 'previewed', request: r.state.request, missing: ['messageSummary'] });
    expect(r.state.step).toBe('template');
    expect(r.state.problem).toBe('The "general" template needs message summary, which comes from the enquiry; choose another template.');
  });
});

describe('escalation dialog: fields and preview', () => {
  function atFields(): EscalateResult {
    let r = press(atTemplates(), ['4']);
    expect(r.state.template?.name).toBe('documents-not-received');
    return fresh(event(r, { type: 'previewed', request: r.state.request, missing: ['caseNumbers', 'documentsDescription'] }));
  }

  it('asks for each missing field, then the optional ones, then shows the preview', () => {
    let r = atFields();
    expect(r.state.step).toBe('fields');
    expect(r.state.fields).toEqual([
      { name: 'caseNumbers', optional: false, kind: 'case-number' },
      { name: 'documentsDescription', optional: false, kind: 'text' },
      { name: 'sentByEmail', optional: true, kind: 'text' },
    ]);
    // A case number is checked, then tagged on the enquiry (where the template reads it).
    r = press(r, type('305je12'), ENTER);
    expect(r.state.problem).toMatch(/^"305JE12" has 7 characters/);
    expect(r.effects).toEqual([]);
    r = press(r, type('6'), ENTER);
    expect(r.effects).toEqual([{ type: 'tag', request: r.state.request, caseNumber: '305JE126' }]);
    expect(r.state.waiting).toBe('tag');
    r = event(fresh(r), { type: 'tagged', request: r.state.request });
    expect(r.state.fieldIndex).toBe(1);
    // A required field cannot be left empty.
    r = press(r, ENTER);
    expect(r.state.problem).toBe('The email needs documents description: type it, or Esc to choose another template.');
    r = press(r, type('N244 application form'), ENTER);
    expect(r.state.fieldIndex).toBe(2);
    // Optional: Enter on nothing leaves it out, and the email is written.
    r = press(r, ENTER);
    expect(r.state.waiting).toBe('preview');
    expect(r.effects.at(-1)).toEqual({
      type: 'preview', request: r.state.request, courtSlug: 'bristol', template: 'documents-not-received', language: 'en',
      fields: { caseNumbers: '305JE126', documentsDescription: 'N244 application form' },
    });
    r = event(fresh(r), { type: 'previewed', request: r.state.request, missing: [], preview: PREVIEW });
    expect(r.state.step).toBe('preview');
    expect(r.state.preview?.subject).toBe(PREVIEW.subject);
  });

  it('scrolls the preview within bounds, Esc returns to the last field, Enter sends, and the answer closes it', () => {
    let r = atFields();
    r = press(r, type('305JE126'), ENTER);
    r = event(r, { type: 'tagged', request: r.state.request });
    r = press(r, type('form'), ENTER, ENTER);
    r = fresh(event(r, { type: 'previewed', request: r.state.request, missing: [], preview: PREVIEW }));
    r = press(r, ['j'], ['j']);
    expect(r.state.scroll).toBe(2);
    r = press(r, ['', { pageDown: true }]);
    expect(r.state.scroll).toBe(7);
    r = press(r, ['G']);
    expect(r.state.scroll).toBe(30);
    r = press(r, ['j'], ['', { pageDown: true }]);
    expect(r.state.scroll).toBe(30);
    r = press(r, ['', { pageUp: true }], ['k']);
    expect(r.state.scroll).toBe(24);
    r = press(r, ['g'], ['k']);
    expect(r.state.scroll).toBe(0);
    // Esc: back to the last field, with its value.
    const back = press(r, ESC);
    expect(back.state.step).toBe('fields');
    expect(back.state.fieldIndex).toBe(2);
    // Esc at the first field goes back to the templates.
    expect(press(back, ESC).state.step).toBe('template');
    // Confirm.
    r = press(r, ['y']);
    expect(r.state.waiting).toBe('send');
    expect(r.effects).toEqual([
      { type: 'escalate', request: r.state.request, courtSlug: 'bristol', template: 'documents-not-received', language: 'en', fields: { caseNumbers: '305JE126', documentsDescription: 'form' } },
    ]);
    expect(event(r, { type: 'escalated', request: r.state.request - 1 }).close).toBeUndefined();
    expect(event(r, { type: 'escalated', request: r.state.request }).close).toBe('escalated');
  });

  it('shows a refusal of the escalation plainly and stays on the preview; Esc while sending only stops waiting', () => {
    let r = press(atTemplates(), ['1']);
    r = fresh(event(r, { type: 'previewed', request: r.state.request, missing: [], preview: PREVIEW }));
    expect(r.state.step).toBe('preview');
    r = press(r, ENTER);
    const refused = event(r, { type: 'refused', request: r.state.request, message: 'Claim enquiry E1 before escalating it (it is held by bob).' });
    expect(refused.state.step).toBe('preview');
    expect(refused.state.waiting).toBeNull();
    expect(refused.state.problem).toBe('Claim enquiry E1 before escalating it (it is held by bob).');
    expect(press(r, ESC).close).toBe('cancelled');
    // Fields the broker says are missing at sending are asked for.
    const missing = event(r, { type: 'refused', request: r.state.request, message: 'needs hearingDate', missing: ['hearingDate'] });
    expect(missing.state.step).toBe('template');
  });

  it('Esc while the email is being written stays on the fields', () => {
    let r = press(atTemplates(), ['3']);
    r = event(r, { type: 'previewed', request: r.state.request, missing: ['hearingDate'] });
    r = press(r, type('14 May 10am'), ENTER);
    expect(r.state.waiting).toBe('preview');
    r = press(r, ESC);
    expect(r.state.step).toBe('fields');
    expect(r.state.waiting).toBeNull();
    expect(r.state.values).toEqual({ hearingDate: '14 May 10am' });
  });
});

describe('reading the broker\'s answers', () => {
  it('accepts the documented shapes and rejects others', () => {
    // The client checks these on arrival now (src/protocol/answers.ts); the dialog takes them as typed.
    const value = (r: ReturnType<typeof checkAnswer>) => (r.ok ? r.value : null);
    expect(value(checkAnswer('list-courts', [{ ...BRISTOL }]))).toEqual([BRISTOL]);
    expect(value(checkAnswer('list-courts', [{ name: 'x' }]))).toBeNull();
    expect(value(checkAnswer('list-courts', {}))).toBeNull();
    expect(value(checkAnswer('list-templates', [{ name: 'general', language: 'cy', subject: 's', description: 'd', ask: ['a'], fields: ['a'] }]))).toEqual([
      { name: 'general', language: 'cy', subject: 's', description: 'd', ask: ['a'], fields: ['a'] },
    ]);
    expect(value(checkAnswer('list-templates', [{ name: 'general', language: 'fr', subject: 's' }]))).toBeNull();
    expect(value(checkAnswer('preview-escalation', { missing: ['hearingDate'], message: 'm' }))).toEqual({ missing: ['hearingDate'], message: 'm' });
    expect(value(checkAnswer('preview-escalation', { missing: [], ...PREVIEW, html: '<p>' }))).toEqual({ missing: [], ...PREVIEW });
    expect(value(checkAnswer('preview-escalation', { missing: [] }))).toBeNull();
    expect(words('hearingDate')).toBe('hearing date');
    expect(words('documents_sent-on')).toBe('documents sent on');
  });
});

const symbols = makeTheme({ theme: 'auto', ascii: false }, {}).symbols;
const textOf = (l: ScreenLine) => ('field' in l ? `${l.prompt}${l.field.text}` : l.segments.map((s) => s.text).join(''));
const widthOf = (l: ScreenLine) => ('field' in l ? textWidth(l.prompt) + 1 : segmentsWidth(l.segments));

describe('the dialog screen', () => {
  const sent: Escalation = {
    id: 'x1', courtSlug: 'bristol', courtName: BRISTOL.name, to: BRISTOL.email, template: 'general', language: 'en', subject: 's', text: '', html: '',
    status: 'sent', createdAt: '2025-03-03T10:00:00Z', createdBy: 'alice', attempts: 1, sentAt: '2025-03-03T10:00:00Z', chases: 0,
  };
  const e = enquiry({ name: 'Jane Smith', escalations: [sent] });
  const opts = (height: number, width = 80): EscalateViewOptions => ({ width, height, nowMs: NOW, symbols, enquiry: e });

  function every(): EscalateState[] {
    let r = escalateStart(e.id, 'en', [{ ...BRISTOL, usedHere: true }]);
    const states: EscalateState[] = [r.state];
    const many = Array.from({ length: 40 }, (_, i) => court(`Court number ${i} with a rather long name for the row`, `c${i}`, i % 3, minutesAgo(i)));
    r = event(r, { type: 'courts', query: '', courts: [BRISTOL, ...many] });
    states.push(r.state);
    r = press(r, ENTER);
    states.push(r.state);
    r = event(r, { type: 'templates', templates: TEMPLATES });
    states.push(r.state);
    r = press(r, ['4']);
    states.push(r.state);
    r = event(r, { type: 'previewed', request: r.state.request, missing: ['caseNumbers', 'documentsDescription'] });
    states.push(r.state);
    states.push({ ...r.state, problem: 'word '.repeat(80) });
    r = event(r, { type: 'previewed', request: r.state.request, missing: [], preview: { ...PREVIEW, subject: 'long subject '.repeat(20) } });
    states.push(r.state, { ...r.state, scroll: 100 });
    return states;
  }

  it('never draws more lines than the frame has, nor wider than the terminal, at any step or size', () => {
    for (const [w, h] of [[80, 23], [40, 9], [120, 39], [60, 15]] as const) {
      for (const s of every()) {
        const { lines } = escalateScreen(s, opts(h, w));
        expect(lines.length, `${s.step} at ${w}x${h}`).toBeLessThanOrEqual(h);
        for (const l of lines) expect(widthOf(l), `${s.step}: ${textOf(l)}`).toBeLessThanOrEqual(w);
      }
    }
  });

  it('shows each court\'s unanswered count and oldest, the used court marked, and what was emailed already', () => {
    let r = escalateStart(e.id, 'en', [{ ...BRISTOL, usedHere: true }]);
    r = event(r, { type: 'courts', query: '', courts: [LEEDS, BRISTOL] });
    const lines = escalateScreen(r.state, opts(23)).lines.map(textOf);
    expect(lines[0]).toBe("Escalate Jane Smith's enquiry to a court │ 1 of 4: choose the court");
    expect(lines[1]).toBe('Already emailed about this enquiry once:');
    expect(lines[2]).toMatch(/^ {2}↗ \[sent\] Bristol Civil and Family Justice Centre, sent 7d ago, due a chase \(C\)$/);
    expect(lines[3]).toBe('Court: ');
    expect(lines[4]).toMatch(/^› Bristol Civil and Family Justice Centre +used here │ 2 unanswered, oldest 3 Mar$/);
    expect(lines[5]).toMatch(/^ {2}Leeds Combined Court Centre +none unanswered$/);
    expect(lines).toHaveLength(23);
    expect(lines[22]).toBe('type to search  Up/Down choose  Enter pick  Esc close');
  });

  it('shows the whole email in the preview, a window at a time, saying where the reader is', () => {
    let r = press(atTemplates(), ['1']);
    r = event(r, { type: 'previewed', request: r.state.request, missing: [], preview: PREVIEW });
    const first = escalateScreen(r.state, opts(23));
    const text = first.lines.map(textOf);
    // The address is not cut: a name and address too long for one line take two.
    expect(text[1]).toBe(`To: ${BRISTOL.name}`);
    expect(text[2]).toBe('    <enquiries.bristol.countycourt@justice.gov.uk>');
    expect(text[3]).toBe('Subject: URGENT – hearing within 48 hours');
    expect(text[5]).toBe('Dear colleagues,');
    expect(text[21]).toMatch(/^Lines 1-16 of 61: j\/k or PgUp\/PgDn/);
    expect(first.window).toEqual({ room: 16, page: 15, maxScroll: 45 });
    const end = escalateScreen({ ...r.state, scroll: 45 }, opts(23)).lines.map(textOf);
    expect(end[21]).toMatch(/^Lines 46-61 of 61/);
    expect(end[20]).toBe('');
  });
});

describe('escalation threads', () => {
  const base: Escalation = {
    id: 'x1', courtSlug: 'bristol', courtName: 'Bristol Civil and Family Justice Centre', to: 'b@example.org', template: 'general', language: 'en',
    subject: 's', text: '', html: '', status: 'sent', createdAt: '2025-03-06T10:00:00Z', createdBy: 'alice', attempts: 1, sentAt: '2025-03-06T10:00:00Z', chases: 0,
  };
  const details = (x: Escalation, all: Escalation[] = [x]) => threadDetails(x, all, NOW).map((s) => s.text).join('');

  it('says when a thread went, when it is due a chase, and how often it was chased', () => {
    // Sent Thursday 6 March; five working days later is Thursday 13 March.
    expect(details(base)).toBe(', sent 4d ago, chase due 13 Mar');
    const old = { ...base, sentAt: '2025-02-27T10:00:00Z', createdAt: '2025-02-27T10:00:00Z', status: 'chased' as const, chases: 1 };
    const chase = { ...base, id: 'x2', chaseOf: 'x1', sentAt: '2025-03-07T09:00:00Z', createdAt: '2025-03-07T09:00:00Z' };
    expect(details(old, [old, chase])).toBe(', sent 11d ago, chased once 3d ago, chase due 14 Mar');
    const again = { ...chase, id: 'x4', sentAt: '2025-03-10T09:00:00Z', createdAt: '2025-03-10T09:00:00Z' };
    expect(details({ ...old, chases: 2 }, [old, chase, again])).toBe(', sent 11d ago, chased twice, last 3h ago, chase due 17 Mar');
    expect(details({ ...base, sentAt: '2025-02-27T10:00:00Z' })).toBe(', sent 11d ago, due a chase (C)');
  });

  it('says why delivery is failing, and when the court answered', () => {
    const { sentAt: _s, ...unsent } = base;
    expect(details({ ...unsent, status: 'failed', attempts: 5, lastError: '550 mailbox unavailable' })).toBe(', not sent after 5 attempts: 550 mailbox unavailable');
    expect(details({ ...unsent, status: 'queued', attempts: 2, lastError: 'connect ECONNREFUSED' })).toBe(', retrying (2 attempts): connect ECONNREFUSED');
    expect(details({ ...unsent, status: 'queued', attempts: 0 })).toBe(', waiting to be sent');
    expect(details({ ...base, status: 'answered', answeredAt: minutesAgo(120) })).toBe(', answered 2h ago');
  });

  it('cuts the court\'s name before the details at 80 columns', () => {
    const line = threadLine({ ...base, courtName: 'A very long court name '.repeat(4), sentAt: '2025-02-27T10:00:00Z' }, [], NOW, 60, symbols);
    const text = line.map((s) => s.text).join('');
    expect(textWidth(text)).toBeLessThanOrEqual(60);
    expect(text).toMatch(/^↗ \[sent\] A very long.*…, sent 11d ago, due a chase \(C\)$/);
  });

  it('chases the oldest unanswered thread that has gone out', () => {
    const { sentAt: _s, ...unsent } = base;
    expect(chaseTarget({ escalations: [] })).toEqual({ ok: false, reason: 'it has not been escalated (e escalates)' });
    expect(chaseTarget({ escalations: [{ ...unsent, status: 'queued' }] })).toEqual({ ok: false, reason: 'its escalation has not been sent yet' });
    expect(chaseTarget({ escalations: [{ ...base, status: 'answered' }] })).toEqual({ ok: false, reason: 'no escalation of it is waiting for the court' });
    const newer = { ...base, id: 'x3', createdAt: '2025-03-08T10:00:00Z' };
    const chase = { ...base, id: 'x2', chaseOf: 'x1', createdAt: '2025-03-01T10:00:00Z' };
    const target = chaseTarget({ escalations: [newer, chase, base] });
    expect(target.ok && target.escalation.id).toBe('x1');
  });

  it('writes dates short, with the year only when it is not this one', () => {
    expect(shortDate('2025-11-03', NOW)).toBe('3 Nov');
    expect(shortDate('2024-11-03T12:00:00Z', NOW)).toBe('3 Nov 2024');
  });
});

describe('recording the court\'s answer', () => {
  const targets = [
    { escalationId: 'x1', courtName: 'Leeds Combined Court Centre', subject: 'a', sentAt: '2025-03-03T10:00:00Z' },
    { escalationId: 'x2', courtName: 'Bristol Civil and Family Justice Centre', subject: 'b', sentAt: null },
  ];

  it('goes straight to the editor when one escalation waits, and will not record an empty answer', () => {
    let s = answerStart(targets.slice(0, 1));
    expect(s.line).not.toBeNull();
    s = answerField(s, { type: 'submit' }).state;
    expect(s.insisted).toBe(true);
    s = answerField(s, { type: 'insert', text: ' Listed for 14 May. ' }).state;
    expect(s.insisted).toBe(false);
    expect(answerField(s, { type: 'submit' }).record).toEqual({ escalationId: 'x1', text: 'Listed for 14 May.' });
    expect(answerField(s, { type: 'cancel' }).cancel).toBe(true);
  });

  it('asks which one when several wait; Esc in the editor goes back to the list', () => {
    let s = answerStart(targets);
    expect(s.line).toBeNull();
    s = answerPick(s, { type: 'move', by: 1 }).state;
    s = answerPick(s, { type: 'choose' }).state;
    expect(s.line).not.toBeNull();
    s = answerField(s, { type: 'cancel' }).state;
    expect(s.line).toBeNull();
    s = answerPick(s, { type: 'choose', index: 1 }).state;
    s = answerField(s, { type: 'insert', text: 'ok' }).state;
    expect(answerField(s, { type: 'submit' }).record).toEqual({ escalationId: 'x2', text: 'ok' });
    expect(answerPick(answerStart(targets), { type: 'cancel' }).cancel).toBe(true);
  });
});

describe('the template step at 80 columns (issue 12, item 9)', () => {
  it("shows the selected template's description whole, wrapped, not cut at the row's end", () => {
    const description = 'For a hearing listed within the next two working days when the court user has had no notice of the time or the courtroom';
    const s = { ...atTemplates().state, templates: [tpl('urgent-hearing', 'en', ['hearingDate'], description)] };
    const symbols = makeTheme({ theme: 'auto', ascii: true }, {}).symbols;
    const shown = escalateScreen(s, { width: 80, height: 23, nowMs: NOW, symbols, enquiry: undefined }).lines.map(textOf);
    for (const l of shown) expect(textWidth(l)).toBeLessThanOrEqual(80);
    const text = shown.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain(`${description} urgent-hearing asks you for: hearing date.`);
  });
});
