import { describe, expect, it } from 'vitest';
import type { Escalation } from '../../src/domain/enquiry.js';
import { chaseDueDate, courtBacklog, isDueForChase, isUnanswered } from '../../src/domain/escalations.js';

function escalation(over: Partial<Escalation>): Escalation {
  return {
    id: 'X1',
    courtSlug: 'cardiff',
    courtName: 'Cardiff',
    to: 'enquiries.cardiff.countycourt@justice.gov.uk',
    template: 'general',
    language: 'en',
    subject: 'Enquiry',
    text: '',
    html: '',
    status: 'sent',
    createdAt: '2026-11-02T09:00:00.000Z',
    createdBy: 'alice',
    attempts: 1,
    chases: 0,
    ...over,
  };
}

describe('escalation tracking', () => {
  it('is due a chase on the date the broker recorded when it was sent', () => {
    const x = escalation({ sentAt: '2026-11-02T09:00:00.000Z', chaseDueOn: '2026-11-04' });
    expect(chaseDueDate(x, [x])).toBe('2026-11-04');
    expect(isDueForChase(x, [x], new Date('2026-11-03T16:00:00Z'))).toBe(false);
    expect(isDueForChase(x, [x], new Date('2026-11-04T08:00:00Z'))).toBe(true);
  });

  it('falls back to five working days, skipping weekends, for emails sent before dates were recorded', () => {
    // Friday 6 November 2026: five working days later is Friday 13th.
    const x = escalation({ sentAt: '2026-11-06T10:00:00.000Z' });
    expect(chaseDueDate(x, [x])).toBe('2026-11-13');
    expect(isDueForChase(x, [x], new Date('2026-11-12T17:00:00Z'))).toBe(false);
    expect(isDueForChase(x, [x], new Date('2026-11-13T09:00:00Z'))).toBe(true);
  });

  it('runs the next chase from the latest chase sent, and stops once answered', () => {
    const first = escalation({ status: 'chased', sentAt: '2026-11-02T09:00:00.000Z', chaseDueOn: '2026-11-09', chases: 1 });
    const chase = escalation({ id: 'X2', chaseOf: 'X1', sentAt: '2026-11-10T09:00:00.000Z', chaseDueOn: '2026-11-17' });
    const all = [first, chase];
    expect(chaseDueDate(first, all)).toBe('2026-11-17');
    expect(isDueForChase(first, all, new Date('2026-11-16T09:00:00Z'))).toBe(false);
    expect(isUnanswered(chase)).toBe(false); // counted through its original
    const answered = { ...first, status: 'answered' as const };
    expect(isDueForChase(answered, [answered, chase], new Date('2026-12-25T09:00:00Z'))).toBe(false);
  });

  it('counts unanswered threads per court, most outstanding first, with the oldest', () => {
    const enquiry = (escalations: Escalation[]) => ({ escalations }) as never;
    const backlog = courtBacklog([
      enquiry([escalation({ id: 'A', courtSlug: 'leeds', courtName: 'Leeds', createdAt: '2026-11-05T09:00:00.000Z' })]),
      enquiry([
        escalation({ id: 'B', createdAt: '2026-11-03T09:00:00.000Z' }),
        escalation({ id: 'C', createdAt: '2026-11-01T09:00:00.000Z', status: 'queued' }),
        escalation({ id: 'D', status: 'answered' }),
        escalation({ id: 'E', chaseOf: 'B' }),
      ]),
    ]);
    expect(backlog).toEqual([
      { courtSlug: 'cardiff', courtName: 'Cardiff', unanswered: 2, oldestSince: '2026-11-01T09:00:00.000Z' },
      { courtSlug: 'leeds', courtName: 'Leeds', unanswered: 1, oldestSince: '2026-11-05T09:00:00.000Z' },
    ]);
  });
});
