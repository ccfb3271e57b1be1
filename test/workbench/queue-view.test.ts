import { describe, expect, it } from 'vitest';
import type { Enquiry } from '../../src/domain/enquiry.js';
import { QueueGroups, QueueListing } from '../../src/workbench/queue-groups.js';
import { nearestRow, stepRow, waitingStats, windowTop, type QueueView } from '../../src/workbench/queue-view.js';
import { enquiry, minutesAgo, NOW } from './fixtures.js';

/** The queue view of these enquiries built from scratch: what an updated QueueGroups must match. */
function layOutQueue(enquiries: Iterable<Enquiry>, me: string, filterText: string): QueueView {
  return new QueueGroups(me, filterText).update(new Map([...enquiries].map((e) => [e.id, e])));
}

describe('the queue view built from scratch', () => {
  const a = enquiry({ id: 'A', waitingSince: minutesAgo(5) });
  const b = enquiry({ id: 'B', waitingSince: minutesAgo(30) });
  const c = enquiry({ id: 'C', waitingSince: minutesAgo(50), claimedBy: 'bob' });
  const d = enquiry({ id: 'D', status: 'awaiting-customer', waitingSince: null });
  const e = enquiry({ id: 'E', status: 'closed', waitingSince: null });
  const f = enquiry({ id: 'F', waitingSince: minutesAgo(70), claimedBy: 'alice', language: 'cy' });

  it('lists longest wait first and sets apart held-by-others, awaiting and closed under headings', () => {
    const view = layOutQueue([a, b, c, d, e, f], 'alice', '');
    const shape = view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : `# ${i.label}`));
    expect(shape).toEqual(['F', 'B', 'A', '# held by others (1)', 'C', '# awaiting the customer (1)', 'D', '# closed (1)', 'E']);
    expect(view.rowCount).toBe(6);
    expect(view.indexOf('C')).toBe(4);
    expect(view.indexOf('nobody')).toBeUndefined();
  });

  it('filters rows but counts every waiting enquiry for the status line', () => {
    const view = layOutQueue([a, b, c, d, e, f], 'alice', 'cy');
    expect(view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : i.label))).toEqual(['F']);
    expect(view.waitingSinceMs).toHaveLength(4);
  });

  it('puts urgent enquiries first, and closed ones latest activity first', () => {
    const old = enquiry({ id: 'OLD', waitingSince: minutesAgo(90) });
    const urgent = enquiry({ id: 'URG', waitingSince: minutesAgo(1), urgent: { reason: 'hearing tomorrow', by: 'alice', at: minutesAgo(1) } });
    const closedEarly = enquiry({ id: 'X1', status: 'closed', waitingSince: null, lastActivityAt: minutesAgo(40) });
    const closedLate = enquiry({ id: 'X2', status: 'closed', waitingSince: null, lastActivityAt: minutesAgo(2) });
    const view = layOutQueue([old, closedEarly, urgent, closedLate], 'alice', '');
    expect(view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : `# ${i.label}`))).toEqual(['URG', 'OLD', '# closed (2)', 'X2', 'X1']);
  });
});

/** A view as plain data: its items and figures, and the rows whose index it gives wrongly (none, when right). */
function plain(view: QueueView) {
  const misplaced = view.items.flatMap((item, i) => (item.kind === 'row' && view.indexOf(item.enquiry.id) !== i ? [item.enquiry.id] : []));
  return { items: view.items, rowCount: view.rowCount, waitingSinceMs: view.waitingSinceMs, misplaced };
}

describe('QueueGroups after changes', () => {
  const byId = (list: readonly Enquiry[]) => new Map(list.map((e) => [e.id, e]));
  const queue = Array.from({ length: 40 }, (_, i) =>
    enquiry({ id: `Q${i}`, waitingSince: minutesAgo(i * 3), claimedBy: i % 7 === 0 ? 'bob' : null, language: i % 3 === 0 ? 'cy' : 'en' }),
  );
  const changes: Array<[string, (e: Enquiry) => Enquiry]> = [
    ['a conversation loaded', (e) => ({ ...e, messagesLoaded: true })],
    ['a tag added', (e) => ({ ...e, caseNumbers: ['305JE126'] })],
    ['a claim', (e) => ({ ...e, claimedBy: 'alice' })],
    ['a reply that leaves it awaiting the customer', (e) => ({ ...e, status: 'awaiting-customer', waitingSince: null, lastActivityAt: minutesAgo(0) })],
    ['a close', (e) => ({ ...e, status: 'closed', waitingSince: null })],
  ];
  for (const filter of ['', 'cy', '305JE126']) {
    for (const [what, change] of changes) {
      it(`is what a build from scratch gives after ${what}${filter ? ` (filter ${JSON.stringify(filter)})` : ''}`, () => {
        const groups = new QueueGroups('alice', filter);
        groups.update(byId(queue));
        const changed = queue.map((e, i) => (i === 9 || i === 21 ? change(e) : e));
        const view = groups.update(byId(changed));
        expect(plain(view)).toEqual(plain(layOutQueue(changed, 'alice', filter)));
        const row = view.items[view.indexOf('Q9')!];
        if (row) expect(row).toEqual({ kind: 'row', enquiry: changed[9] });
      });
    }
  }

  it('keeps an older view\'s indexes its own after a change moves rows', () => {
    const groups = new QueueGroups('alice', '');
    const before = groups.update(byId(queue));
    const at = before.indexOf('Q30');
    groups.update(byId(queue.map((e) => (e.id === 'Q39' ? { ...e, waitingSince: minutesAgo(0) } : e))));
    expect(at).toBeDefined();
    expect(before.indexOf('Q30')).toBe(at);
    expect(before.items[at!]).toEqual({ kind: 'row', enquiry: queue[30] });
  });

  it('gives back the same view when nothing changed', () => {
    const groups = new QueueGroups('alice', '');
    const first = groups.update(byId(queue));
    expect(groups.update(byId(queue))).toBe(first);
  });

  // Events in any order, a few at a time or many at once (which sorts from scratch), must leave
  // the groups where a build from scratch puts them.
  for (const filter of ['', 'cy', 'mine', 'free wa']) {
    it(`follows 400 random changes as a build from scratch would${filter ? ` (filter ${JSON.stringify(filter)})` : ''}`, () => {
      let random = 7;
      const roll = (n: number) => {
        random = (Math.imul(random, 1103515245) + 12345) >>> 0;
        return (random >>> 8) % n;
      };
      const agents = [null, 'alice', 'bob'];
      const state = byId(Array.from({ length: 120 }, (_, i) => enquiry({ id: `R${i}`, waitingSince: minutesAgo(roll(600)), language: i % 3 === 0 ? 'cy' : 'en' })));
      const step = (e: Enquiry): Enquiry | null => {
        switch (roll(8)) {
          case 0: return { ...e, claimedBy: agents[roll(3)]! };
          case 1: return { ...e, status: 'awaiting-customer', waitingSince: null, lastActivityAt: minutesAgo(roll(60)) };
          case 2: return { ...e, status: 'waiting', waitingSince: minutesAgo(roll(600)), lastActivityAt: minutesAgo(roll(60)) };
          case 3: return { ...e, status: 'closed', waitingSince: null, claimedBy: null, lastActivityAt: minutesAgo(roll(60)) };
          case 4: return { ...e, urgent: e.urgent ? undefined : { reason: 'hearing tomorrow', by: 'alice', at: minutesAgo(1) } };
          case 5: return { ...e, channel: e.channel === 'web' ? 'whatsapp' : 'web' };
          case 6: return { ...e, waitingSince: e.status === 'waiting' ? 'not a time' : e.waitingSince };
          default: return null;
        }
      };
      const groups = new QueueGroups('alice', filter);
      let next = 1000;
      for (let round = 0; round < 400; round++) {
        const many = round % 50 === 49 ? 40 : 1 + roll(3);
        for (let k = 0; k < many; k++) {
          const ids = [...state.keys()];
          const pick = state.get(ids[roll(ids.length)]!)!;
          const what = roll(20);
          if (what === 0) state.delete(pick.id);
          else if (what === 1) state.set(`N${next}`, enquiry({ id: `N${next++}`, waitingSince: minutesAgo(roll(600)) }));
          else state.set(pick.id, step(pick) ?? { ...pick, messagesLoaded: !pick.messagesLoaded });
        }
        expect(plain(groups.update(state))).toEqual(plain(layOutQueue(state.values(), 'alice', filter)));
      }
    });
  }

  it('is rebuilt for another agent', () => {
    const more = [...queue, enquiry({ id: 'NEW', waitingSince: minutesAgo(500) })];
    expect(plain(new QueueGroups('bob', '').update(byId(more)))).toEqual(plain(layOutQueue(more, 'bob', '')));
  });
});

describe('QueueListing', () => {
  const a = enquiry({ id: 'LA', waitingSince: minutesAgo(5) });
  const b = enquiry({ id: 'LB', waitingSince: minutesAgo(9), language: 'cy' });
  const ids = (view: QueueView) => view.items.map((i) => (i.kind === 'row' ? i.enquiry.id : i.label));

  it('gives the kept view while the client version, agent and filter stay, and a new one when any changes', () => {
    const listing = new QueueListing();
    const state = new Map([a, b].map((e) => [e.id, e]));
    const first = listing.view(state, 1, 'alice', '');
    expect(ids(first)).toEqual(['LB', 'LA']);
    state.set('LA', { ...a, waitingSince: minutesAgo(20) });
    expect(listing.view(state, 1, 'alice', '')).toBe(first);
    expect(ids(listing.view(state, 2, 'alice', ''))).toEqual(['LA', 'LB']);
    expect(ids(listing.view(state, 2, 'alice', 'cy'))).toEqual(['LB']);
    expect(ids(listing.view(state, 2, 'bob', 'cy'))).toEqual(['LB']);
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
  const items = layOutQueue(
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
