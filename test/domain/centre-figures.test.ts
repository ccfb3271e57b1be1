// The wallboard's and `courtdesk stats`' figures against a journal whose answers are worked out
// by hand (test/fixtures/centre-day.ts): an enquiry that spans London midnight in summer time, and
// first replies on the 20-minute SLA exactly and a second past it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, londonMidnight, type KnownAgent } from '../../src/domain/centre-figures.js';
import { emptyState } from '../../src/domain/enquiry.js';
import { applyEvent } from '../../src/domain/reducer.js';
import { Wallboard } from '../../src/domain/wallboard.js';
import { wallboardLines } from '../../src/domain/wallboard-text.js';
import { CENTRE_DAY } from '../fixtures/centre-day.js';

const records = CENTRE_DAY.map(([at, event], i) => ({ seq: i + 1, at, actor: { kind: 'agent' as const, name: 'x' }, event }));

const NOW = new Date('2026-07-14T12:00:00.000Z');
const KNOWN: KnownAgent[] = [
  { name: 'alice', languages: ['en'], connected: true, heldCap: 3 },
  { name: 'bob', languages: ['en', 'cy'], connected: true, heldCap: 3 },
  { name: 'carol', languages: ['en'], connected: true, heldCap: 3 },
  { name: 'dave', languages: ['en'], connected: false, heldCap: 3 },
];

function folded() {
  const state = emptyState();
  for (const r of records) applyEvent(state, r);
  return state;
}

describe('centre figures', () => {
  it('London midnight is 23:00 UTC the day before in summer and 00:00 UTC in winter', () => {
    expect(londonMidnight('2026-07-14')).toBe('2026-07-13T23:00:00.000Z');
    expect(londonMidnight('2026-12-03')).toBe('2026-12-03T00:00:00.000Z');
  });

  it('match the hand-worked answers, whether made from the whole state or kept up event by event', () => {
    const whole = new Wallboard(folded(), DEFAULT_THRESHOLDS, NOW).figures(KNOWN, NOW);
    const state = emptyState();
    const live = new Wallboard(state, DEFAULT_THRESHOLDS, new Date('2026-07-13T22:00:00.000Z'));
    for (const r of records) {
      applyEvent(state, r);
      live.apply([r]);
    }
    // courtdesk stats --since walks every enquiry instead of the board's counts: the same answers.
    const walked = new Wallboard(folded(), DEFAULT_THRESHOLDS, NOW).figures(KNOWN, NOW, '2026-07-13T23:00:00.000Z');
    for (const f of [whole, live.figures(KNOWN, NOW), walked]) {
      expect(f.waiting).toEqual({
        total: 2,
        byLanguage: { en: 1, cy: 1 },
        byChannel: { whatsapp: 1, sms: 0, web: 1, email: 0, api: 0 },
        longestSince: '2026-07-14T10:00:00.000Z',
        medianSince: '2026-07-14T10:30:00.000Z',
      });
      // A was received on the 13th (London) and first answered on the 14th; B, C, D and E were received on the 14th.
      expect(f.period).toEqual({
        since: '2026-07-13T23:00:00.000Z',
        through: NOW.toISOString(),
        received: 4,
        answered: 3,
        answeredWithinSla: 1,
        medianFirstReplyMs: 20 * 60_000 + 1000,
        handled: 1,
      });
      // bob is away holding B: worst first. dave is offline and holds nothing: not shown.
      expect(f.agents).toEqual([
        { name: 'bob', presence: 'away', languages: ['en', 'cy'], held: 1, heldCap: 3, oldestHeld: { enquiryId: 'B', since: '2026-07-14T08:01:00.000Z' } },
        { name: 'alice', presence: 'available', languages: ['en'], held: 1, heldCap: 3, oldestHeld: { enquiryId: 'C', since: '2026-07-14T09:05:00.000Z' } },
        { name: 'carol', presence: 'available', languages: ['en'], held: 0, heldCap: 3, oldestHeld: null },
      ]);
      expect(f.courts).toEqual([
        { courtSlug: 'xtown', courtName: 'Xtown County Court', unanswered: 1, oldestSince: '2026-07-14T08:30:00.000Z', dueChase: 1 },
        { courtSlug: 'yton', courtName: 'Yton County Court', unanswered: 1, oldestSince: '2026-07-14T09:30:00.000Z', dueChase: 0 },
      ]);
    }
  });

  it('stop counting an enquiry as handled once it is reopened, on the board as in stats', () => {
    const state = folded();
    const live = new Wallboard(state, DEFAULT_THRESHOLDS, NOW);
    const reopened = { seq: records.length + 1, at: '2026-07-14T11:45:00.000Z', actor: { kind: 'agent' as const, name: 'x' }, event: { type: 'enquiry.reopened' as const, enquiryId: 'A' } };
    applyEvent(state, reopened);
    live.apply([reopened]);
    expect(live.figures(KNOWN, NOW).period.handled).toBe(0);
    expect(live.figures(KNOWN, NOW, '2026-07-13T23:00:00.000Z').period.handled).toBe(0);
  });

  it('start a new period at London midnight with no event to say so', () => {
    const board = new Wallboard(folded(), DEFAULT_THRESHOLDS, NOW);
    const tomorrow = new Date('2026-07-14T23:30:00.000Z'); // 00:30 London on the 15th
    const f = board.figures(KNOWN, tomorrow);
    expect(f.period).toMatchObject({ since: '2026-07-14T23:00:00.000Z', received: 0, answered: 0, handled: 0, medianFirstReplyMs: null });
    expect(f.waiting.total).toBe(2);
  });

  it('count from `since` instead of today when asked (courtdesk stats --since)', () => {
    const f = new Wallboard(folded(), DEFAULT_THRESHOLDS, NOW).figures(KNOWN, NOW, '2026-07-14T08:10:00.000Z');
    // B was received before 08:10 but first answered after; A's reply came before.
    expect(f.period).toMatchObject({ received: 3, answered: 2, answeredWithinSla: 1, medianFirstReplyMs: (20 * 60_000 + 20 * 60_000 + 1000) / 2, handled: 1 });
  });

  it('are marked where the thresholds call them bad, and fit 80 columns', () => {
    const f = new Wallboard(folded(), DEFAULT_THRESHOLDS, NOW).figures(KNOWN, NOW);
    const lines = wallboardLines(f, NOW, { width: 80, mark: '!', ellipsis: '…' });
    const text = lines.map((l) => l.text);
    expect(text.every((t) => t.length <= 80)).toBe(true);
    expect(text[1]).toBe('  longest wait 2h 00m !   median wait 1h 30m !');
    expect(text[3]).toBe('  first replies within 20 min: 33% ! (target 80%)   median first reply 20m');
    expect(lines.find((l) => l.text.includes('bob'))).toMatchObject({ bad: true });
    expect(lines.find((l) => l.text.includes('alice'))).toMatchObject({ bad: false });
    expect(lines.find((l) => l.text.includes('Xtown'))).toMatchObject({ bad: true });
    expect(lines.find((l) => l.text.includes('Yton'))).toMatchObject({ bad: false });
    // Cut to fit a screen, a list says how many it left out and whether any of those are marked.
    const short = wallboardLines(f, NOW, { width: 80, maxRows: 10, mark: '!', ellipsis: '…' });
    expect(short).toHaveLength(10);
    expect(short.map((l) => l.text).join('\n')).toContain('and 2 more agents');
  });
});
