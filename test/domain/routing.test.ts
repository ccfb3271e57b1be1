import { describe, expect, it } from 'vitest';
import { queuePosition, rankQueue } from '../../src/domain/queue.js';
import { decideReturns, decideTakeNext, placementOf, type RoutingPolicy } from '../../src/domain/routing.js';
import { at, Journal, T0 } from './journal.js';

const POLICY: RoutingPolicy = { languageFirstMs: 5 * 60_000, heldCap: 2, returnAfterMs: 10 * 60_000 };
const alice = { name: 'alice', languages: ['en' as const] };
const carys = { name: 'carys', languages: ['en' as const, 'cy' as const] };
const min = (m: number) => T0 + m * 60_000;

function urgent(j: Journal, id: string, when: string, reason = 'hearing tomorrow'): Journal {
  return j.record({ type: 'enquiry.marked-urgent', enquiryId: id, agent: 'bob', reason }, when, { kind: 'agent', name: 'bob' });
}

describe('take-next by language', () => {
  it('offers a Welsh enquiry only to Welsh speakers until the wait is over, then to anyone, and says which rule', () => {
    const j = new Journal().receive('C1', at(0), { language: 'cy' }).receive('E1', at(1));
    const early = decideTakeNext(j.state, alice, POLICY, min(4));
    expect(early.ok && early.enquiry.id).toBe('E1');
    expect(placementOf(j.state.enquiries.get('C1')!, POLICY, min(4))).toEqual({ rule: 'language-first', reason: 'Welsh speakers first (anyone in 1 min)' });
    const forCarys = decideTakeNext(j.state, carys, POLICY, min(4));
    expect(forCarys.ok && forCarys.enquiry.id).toBe('C1');
    const late = decideTakeNext(j.state, alice, POLICY, min(5));
    expect(late.ok && [late.enquiry.id, late.placement.rule]).toEqual(['C1', 'language-open']);
    expect(late.ok && late.placement.reason).toBe('Welsh, open to anyone: no Welsh speaker took it in 5 min');
  });

  it('says when nothing suits and something waits for another language', () => {
    const j = new Journal().receive('C1', at(0), { language: 'cy' });
    expect(decideTakeNext(j.state, alice, POLICY, min(1))).toEqual({
      ok: false,
      error: { code: 'NOTHING_WAITING', message: 'Nothing waiting for you now; 1 enquiry waits for speakers of another language first.' },
    });
  });
});

describe('take-next by load and presence', () => {
  it('refuses at the cap, counting open enquiries held, and a token may set its own cap', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).claim('E1', 'alice', at(3)).claim('E2', 'alice', at(3));
    const refused = decideTakeNext(j.state, alice, POLICY, min(4));
    expect(refused.ok ? null : refused.error.code).toBe('AT_CAP');
    expect(refused.ok ? '' : refused.error.message).toContain('You hold 2 open enquiries, the most one agent may hold at once (cap 2)');
    expect(decideTakeNext(j.state, { ...alice, heldCap: 3 }, POLICY, min(4)).ok).toBe(true);
    j.close('E1', at(5));
    expect(decideTakeNext(j.state, alice, POLICY, min(6)).ok).toBe(true);
  });

  it('refuses an agent who is away', () => {
    const j = new Journal().receive('E1', at(0)).record({ type: 'agent.presence', agent: 'alice', state: 'away' }, at(1));
    const refused = decideTakeNext(j.state, alice, POLICY, min(2));
    expect(refused.ok ? null : refused.error.code).toBe('AWAY');
  });
});

describe('urgency', () => {
  it('ranks urgent enquiries ahead of the rest, oldest first, in the queue, take-next and positions', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).receive('E3', at(2)).receive('E4', at(3));
    urgent(j, 'E3', at(4));
    urgent(j, 'E4', at(4));
    expect(rankQueue(j.state.enquiries.values()).map((e) => e.id)).toEqual(['E3', 'E4', 'E1', 'E2']);
    const next = decideTakeNext(j.state, alice, POLICY, min(5));
    expect(next.ok && [next.enquiry.id, next.placement.reason]).toEqual(['E3', 'urgent: hearing tomorrow']);
    expect(['E1', 'E2', 'E3', 'E4'].map((id) => queuePosition(j.state, id))).toEqual([3, 4, 1, 2]);
  });

  it('takes urgency from intake', () => {
    const j = new Journal().receive('E1', at(0));
    j.record(
      { type: 'enquiry.received', enquiryId: 'E2', messageId: 'M9', channel: 'web', from: 'x@example.org', name: null, text: 'Hearing today', language: 'en', callbackUrl: null, priority: 'urgent' },
      at(1),
      { kind: 'intake', name: 'web-form' },
    );
    expect(j.state.enquiries.get('E2')!.urgent).toEqual({ reason: 'sent as urgent', by: 'web-form', at: at(1) });
    expect(queuePosition(j.state, 'E2')).toBe(1);
  });
});

describe('returns after away or disconnected', () => {
  it('returns the waiting enquiries of an agent away too long, saying why, and keeps those awaiting the customer', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).claim('E1', 'alice', at(2)).claim('E2', 'alice', at(2)).reply('E2', 'alice', at(3));
    j.record({ type: 'agent.presence', agent: 'alice', state: 'away' }, at(4));
    const connected = () => null;
    expect(decideReturns(j.state, POLICY, min(13), connected)).toEqual([]);
    expect(decideReturns(j.state, POLICY, min(14), connected)).toEqual([{ type: 'enquiry.returned', enquiryId: 'E1', agent: 'alice', reason: 'away', since: at(4) }]);
  });

  it('returns those of an agent disconnected too long, and the queue keeps their original wait', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(1)).claim('E1', 'alice', at(2));
    const gone = (agent: string) => (agent === 'alice' ? min(3) : null);
    const events = decideReturns(j.state, POLICY, min(13), gone);
    expect(events).toEqual([{ type: 'enquiry.returned', enquiryId: 'E1', agent: 'alice', reason: 'disconnected', since: at(3) }]);
    for (const event of events) j.record(event, at(13));
    expect(j.state.enquiries.get('E1')!.claimedBy).toBeNull();
    expect(queuePosition(j.state, 'E1')).toBe(1);
  });
});
