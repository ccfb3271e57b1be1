import { describe, expect, it } from 'vitest';
import { arrivalPositions, nextFor, queuePosition, rankQueue, waitSeconds } from '../../src/domain/queue.js';
import { DEFAULT_ROUTING } from '../../src/domain/routing.js';
import { at, Journal, T0 } from './journal.js';

/** Within the first minutes: an enquiry in Welsh is still offered only to Welsh speakers. */
const SOON = T0 + 4 * 60_000;

function ids(list: { id: string }[]): string[] {
  return list.map((e) => e.id);
}

describe('rankQueue', () => {
  it('puts waiting enquiries first, the longest-waiting at the top', () => {
    const j = new Journal().receive('E1', at(5)).receive('E2', at(1)).receive('E3', at(3));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E2', 'E3', 'E1']);
  });

  it('ranks by the oldest unanswered customer message, not by arrival', () => {
    // E1 arrived first but was answered; its customer wrote again at minute 10, after E2 (minute 4).
    const j = new Journal().receive('E1', at(0)).receive('E2', at(4)).reply('E1', 'alice', at(2)).customer('E1', at(10));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E2', 'E1']);
  });

  it('keeps the wait from the first of several unanswered messages', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).customer('E1', at(5)).customer('E1', at(6));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E1', 'E2']);
  });

  it('breaks ties by arrival order', () => {
    const j = new Journal().receive('B', at(1)).receive('A', at(1)).receive('C', at(1));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['B', 'A', 'C']);
  });

  it('lists enquiries awaiting the customer after the waiting ones, latest activity first', () => {
    const j = new Journal()
      .receive('E1', at(0))
      .receive('E2', at(1))
      .receive('E3', at(2))
      .receive('E4', at(3))
      .reply('E1', 'alice', at(4))
      .reply('E2', 'alice', at(6))
      .reply('E3', 'bob', at(5));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E4', 'E2', 'E3', 'E1']);
  });

  it('leaves closed enquiries out', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).reply('E3', 'a', at(3)).close('E1', at(4)).close('E3', at(5));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E2']);
  });

  it('includes claimed waiting enquiries in their place', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).claim('E1', 'alice', at(2));
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E1', 'E2']);
  });

  it('accepts any iterable and does not change it', () => {
    const j = new Journal().receive('E1', at(2)).receive('E2', at(1));
    const list = [...j.state.enquiries.values()];
    expect(ids(rankQueue(list))).toEqual(['E2', 'E1']);
    expect(ids(list)).toEqual(['E1', 'E2']);
    expect(rankQueue([])).toEqual([]);
  });

  it('compares times, not strings, so differently written timestamps still rank right', () => {
    // As strings "…05.001Z" sorts before "…05Z"; as times it is a millisecond later.
    const j = new Journal().receive('E2', '2025-03-10T09:00:05.001Z').receive('E1', '2025-03-10T09:00:05Z');
    expect(ids(rankQueue(j.state.enquiries.values()))).toEqual(['E1', 'E2']);
  });
});

describe('nextFor', () => {
  const english = { name: 'alice', languages: ['en' as const] };
  const welsh = { name: 'bethan', languages: ['cy' as const] };
  const both = { name: 'dafydd', languages: ['en' as const, 'cy' as const] };

  it('offers the longest-waiting unclaimed enquiry in the agent’s language', () => {
    const j = new Journal().receive('E1', at(3)).receive('C1', at(1), { language: 'cy' }).receive('E2', at(2));
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)?.id).toBe('E2');
    expect(nextFor(j.state, welsh, DEFAULT_ROUTING, SOON)?.id).toBe('C1');
    expect(nextFor(j.state, both, DEFAULT_ROUTING, SOON)?.id).toBe('C1');
  });

  it('skips claimed, answered and closed enquiries', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).receive('E4', at(3));
    j.claim('E1', 'bob', at(4)).reply('E2', 'bob', at(5)).close('E3', at(6));
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)?.id).toBe('E4');
  });

  it('returns null when nothing suits the agent', () => {
    const j = new Journal().receive('C1', at(0), { language: 'cy' });
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)).toBeNull();
    expect(nextFor(new Journal().state, both)).toBeNull();
    expect(nextFor(j.state, { name: 'nobody', languages: [] }, DEFAULT_ROUTING, SOON)).toBeNull();
  });

  it('agrees with rankQueue, ties included', () => {
    const j = new Journal().receive('B', at(1)).receive('A', at(1)).receive('C', at(0)).claim('C', 'bob', at(2));
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)?.id).toBe('B');
  });

  it('offers an enquiry again once its customer writes after a reply', () => {
    const j = new Journal().receive('E1', at(0)).reply('E1', 'bob', at(1));
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)).toBeNull();
    j.customer('E1', at(2));
    expect(nextFor(j.state, english, DEFAULT_ROUTING, SOON)?.id).toBe('E1');
  });
});

describe('queuePosition', () => {
  it('counts from 1 among waiting, unclaimed enquiries in rank order', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).receive('E4', at(3));
    expect([1, 2, 3, 4].map((n) => queuePosition(j.state, `E${n}`))).toEqual([1, 2, 3, 4]);
    j.claim('E1', 'alice', at(4));
    expect(queuePosition(j.state, 'E2')).toBe(1);
    expect(queuePosition(j.state, 'E4')).toBe(3);
  });

  it('counts every language: one line, shared by all agents', () => {
    const j = new Journal().receive('C1', at(0), { language: 'cy' }).receive('E1', at(1));
    expect(queuePosition(j.state, 'E1')).toBe(2);
  });

  it('breaks ties by arrival', () => {
    const j = new Journal().receive('B', at(1)).receive('A', at(1));
    expect(queuePosition(j.state, 'B')).toBe(1);
    expect(queuePosition(j.state, 'A')).toBe(2);
  });

  it('is null for enquiries not in the line', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).claim('E1', 'a', at(3)).reply('E2', 'a', at(4)).close('E3', at(5));
    expect(queuePosition(j.state, 'E1')).toBeNull();
    expect(queuePosition(j.state, 'E2')).toBeNull();
    expect(queuePosition(j.state, 'E3')).toBeNull();
    expect(queuePosition(j.state, 'nope')).toBeNull();
  });
});

describe('waitSeconds', () => {
  it('counts whole seconds since the oldest unanswered message', () => {
    expect(waitSeconds({ waitingSince: at(0) }, T0 + 90_500)).toBe(90);
  });

  it('is 0 when nothing waits, the clock is behind, or the time is unreadable', () => {
    expect(waitSeconds({ waitingSince: null }, T0)).toBe(0);
    expect(waitSeconds({ waitingSince: at(5) }, T0)).toBe(0);
    expect(waitSeconds({ waitingSince: 'yesterday' }, T0)).toBe(0);
  });

  it('restarts from the customer’s next message after a reply', () => {
    const j = new Journal().receive('E1', at(0)).reply('E1', 'bob', at(10)).customer('E1', at(20));
    const e = j.state.enquiries.get('E1')!;
    expect(waitSeconds(e, T0 + 25 * 60_000)).toBe(300);
  });
});

describe('arrivalPositions', () => {
  it('puts new enquiries at the end, and urgent ones behind the urgent already waiting', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1));
    j.record({ type: 'enquiry.marked-urgent', enquiryId: 'E2', agent: 'bob', reason: 'hearing today' }, at(2));
    expect(arrivalPositions(j.state, [{ urgent: false }, { urgent: true }, { urgent: false }, { urgent: true }])).toEqual([3, 2, 5, 3]);
  });
});
