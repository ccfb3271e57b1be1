import { describe, expect, it } from 'vitest';
import { buildQueueView, layOutQueue, nearestRow, stepRow, waitingStats, windowTop } from '../../src/workbench/queue-view.js';
import { enquiry, minutesAgo, NOW } from './fixtures.js';

describe('buildQueueView', () => {
  const a = enquiry({ id: 'A', waitingSince: minutesAgo(5) });
  const b = enquiry({ id: 'B', waitingSince: minutesAgo(30) });
  const c = enquiry({ id: 'C', waitingSince: minutesAgo(50), claimedBy: 'bob' });
  const d = enquiry({ id: 'D', status: 'awaiting-customer', waitingSince: null });
  const e = enquiry({ id: 'E', status: 'closed', waitingSince: null });
  const f = enquiry({ id: 'F', waitingSince: minutesAgo(70), claimedBy: 'alice', language: 'cy' });

  it('lists longest wait first and sets apart held-by-others, awaiting and closed under headings', () => {
    const view = buildQueueView([a, b, c, d, e, f], 'alice', '');
    const shape = view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : `# ${i.label}`));
    expect(shape).toEqual(['F', 'B', 'A', '# held by others (1)', 'C', '# awaiting the customer (1)', 'D', '# closed (1)', 'E']);
    expect(view.rowCount).toBe(6);
    expect(view.indexOf.get('C')).toBe(4);
  });

  it('filters rows but counts every waiting enquiry for the status line', () => {
    const view = buildQueueView([a, b, c, d, e, f], 'alice', 'cy');
    expect(view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : i.label))).toEqual(['F']);
    expect(view.waitingSinceMs).toHaveLength(4);
  });
});

describe('buildQueueView after a change', () => {
  const queue = Array.from({ length: 40 }, (_, i) =>
    enquiry({ id: `Q${i}`, waitingSince: minutesAgo(i * 3), claimedBy: i % 7 === 0 ? 'bob' : null, language: i % 3 === 0 ? 'cy' : 'en' }),
  );
  const changes: Array<[string, (e: ReturnType<typeof enquiry>) => ReturnType<typeof enquiry>]> = [
    ['a conversation loaded', (e) => ({ ...e, messagesLoaded: true })],
    ['a tag added', (e) => ({ ...e, caseNumbers: ['305JE126'] })],
    ['a claim', (e) => ({ ...e, claimedBy: 'alice' })],
    ['a reply that leaves it awaiting the customer', (e) => ({ ...e, status: 'awaiting-customer', waitingSince: null, lastActivityAt: minutesAgo(0) })],
    ['a close', (e) => ({ ...e, status: 'closed', waitingSince: null })],
  ];
  for (const filter of ['', 'cy', '305JE126']) {
    for (const [what, change] of changes) {
      it(`is what a build from scratch gives after ${what}${filter ? ` (filter ${JSON.stringify(filter)})` : ''}`, () => {
        buildQueueView(queue, 'alice', filter);
        const changed = queue.map((e, i) => (i === 9 || i === 21 ? change(e) : e));
        const view = buildQueueView(changed, 'alice', filter);
        expect(view).toEqual(layOutQueue(changed, 'alice', filter));
        const row = view.items[view.indexOf.get('Q9')!];
        if (row) expect(row).toEqual({ kind: 'row', enquiry: changed[9] });
      });
    }
  }

  it('is rebuilt when an enquiry arrives or another agent is signed in', () => {
    buildQueueView(queue, 'alice', '');
    const more = [...queue, enquiry({ id: 'NEW', waitingSince: minutesAgo(500) })];
    expect(buildQueueView(more, 'alice', '')).toEqual(layOutQueue(more, 'alice', ''));
    expect(buildQueueView(more, 'bob', '')).toEqual(layOutQueue(more, 'bob', ''));
  });
});

describe('waitingStats', () => {
  it('gives the longest wait and how many are past red', () => {
    const since = [NOW - 90 * 60_000, NOW - 61 * 60_000, NOW - 60 * 60_000, NOW - 5 * 60_000].sort((x, y) => x - y);
    expect(waitingStats(since, NOW, 60)).toEqual({ longestSeconds: 90 * 60, pastRed: 3 });
    expect(waitingStats([], NOW, 60)).toEqual({ longestSeconds: null, pastRed: 0 });
  });
});

describe('row stepping', () => {
  const items = buildQueueView(
    [enquiry({ id: 'A' }), enquiry({ id: 'C', claimedBy: 'bob' })],
    'alice',
    '',
  ).items;
  it('skips headings', () => {
    expect(items.map((i) => i.kind)).toEqual(['row', 'heading', 'row']);
    expect(stepRow(items, 0, 1)).toBe(2);
    expect(stepRow(items, 2, -1)).toBe(0);
    expect(stepRow(items, 2, 5)).toBe(2);
    expect(nearestRow(items, 1)).toBe(2);
    expect(nearestRow([], 0)).toBeNull();
  });
});

describe('windowTop', () => {
  it('keeps the selection in view, moving as little as possible', () => {
    expect(windowTop(100, 0, 10, 0)).toBe(0);
    expect(windowTop(100, 9, 10, 0)).toBe(0);
    expect(windowTop(100, 10, 10, 0)).toBe(1);
    expect(windowTop(100, 50, 10, 45)).toBe(45);
    expect(windowTop(100, 40, 10, 45)).toBe(40);
    expect(windowTop(100, 99, 10, 0)).toBe(90);
    expect(windowTop(5, 4, 10, 3)).toBe(0);
    expect(windowTop(100, 95, 10, 95)).toBe(90);
  });
});
