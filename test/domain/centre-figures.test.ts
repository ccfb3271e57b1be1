// The wallboard's and `courtdesk stats`' figures against a journal whose answers are worked out
// by hand. The day is 14 July 2026, in British Summer Time: London's midnight is 23:00 UTC on the
// 13th, so an enquiry received at 23:50 London time on the 13th and answered at 00:12 on the 14th
// spans midnight. The SLA is 20 minutes: one first reply lands on it exactly, one a second past.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, londonMidnight, type KnownAgent } from '../../src/domain/centre-figures.js';
import { emptyState } from '../../src/domain/enquiry.js';
import type { CourtdeskEvent } from '../../src/domain/events.js';
import { applyEvent } from '../../src/domain/reducer.js';
import { Wallboard } from '../../src/domain/wallboard.js';
import { wallboardLines } from '../../src/domain/wallboard-text.js';

const received = (enquiryId: string, channel: 'whatsapp' | 'sms' | 'web', language: 'en' | 'cy'): CourtdeskEvent => ({
  type: 'enquiry.received', enquiryId, messageId: `${enquiryId}-m1`, channel, from: `${enquiryId}@example.org`, name: null, text: 'When is my hearing?', language, callbackUrl: null,
});
const replied = (enquiryId: string, agent: string): CourtdeskEvent => ({ type: 'enquiry.replied', enquiryId, messageId: `${enquiryId}-r1`, agent, text: 'It is listed.' });
const escalated = (enquiryId: string, escalationId: string, court: string): CourtdeskEvent => ({
  type: 'escalation.created', enquiryId, escalationId, courtSlug: court.toLowerCase(), courtName: `${court} County Court`, to: 'x@justice.gov.uk', template: 'general', language: 'en', subject: 's', text: 't', html: 'h',
});
const sent = (enquiryId: string, escalationId: string, chaseDueOn: string): CourtdeskEvent => ({ type: 'escalation.delivery', enquiryId, escalationId, state: 'sent', attempts: 1, chaseDueOn });

const JOURNAL: Array<[string, CourtdeskEvent]> = [
  ['2026-07-13T22:50:00.000Z', received('A', 'whatsapp', 'en')], // 23:50 London, the 13th
  ['2026-07-13T23:11:00.000Z', { type: 'enquiry.claimed', enquiryId: 'A', agent: 'alice' }],
  ['2026-07-13T23:12:00.000Z', replied('A', 'alice')], // 00:12 London, the 14th: 22 min, outside the SLA
  ['2026-07-14T08:00:00.000Z', received('B', 'sms', 'cy')],
  ['2026-07-14T08:01:00.000Z', { type: 'enquiry.claimed', enquiryId: 'B', agent: 'bob' }],
  ['2026-07-14T08:20:00.000Z', replied('B', 'bob')], // exactly 20 min: within
  ['2026-07-14T08:30:00.000Z', escalated('B', 'X1', 'Xtown')],
  ['2026-07-14T08:31:00.000Z', sent('B', 'X1', '2026-07-14')], // due a chase today
  ['2026-07-14T09:00:00.000Z', received('C', 'web', 'en')],
  ['2026-07-14T09:05:00.000Z', { type: 'enquiry.claimed', enquiryId: 'C', agent: 'alice' }],
  ['2026-07-14T09:20:01.000Z', replied('C', 'alice')], // 20 min 1 s: outside
  ['2026-07-14T09:30:00.000Z', escalated('C', 'Y1', 'Yton')],
  ['2026-07-14T09:31:00.000Z', sent('C', 'Y1', '2026-07-21')],
  ['2026-07-14T10:00:00.000Z', received('D', 'whatsapp', 'cy')],
  // The automatic acknowledgement is no answer: D still waits, and is not "answered".
  ['2026-07-14T10:00:01.000Z', { type: 'enquiry.acknowledged', enquiryId: 'D', messageId: 'D-ack', text: 'We have it.', position: 1, estimatedWaitSeconds: null }],
  ['2026-07-14T10:30:00.000Z', received('E', 'web', 'en')],
  ['2026-07-14T11:00:00.000Z', { type: 'enquiry.closed', enquiryId: 'A' }],
  ['2026-07-14T11:30:00.000Z', { type: 'agent.presence', agent: 'bob', state: 'away' }],
];
const records = JOURNAL.map(([at, event], i) => ({ seq: i + 1, at, actor: { kind: 'agent' as const, name: 'x' }, event }));

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
    for (const f of [whole, live.figures(KNOWN, NOW)]) {
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
