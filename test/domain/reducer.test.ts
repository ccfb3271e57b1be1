import { describe, expect, it } from 'vitest';
import { emptyState, REMEMBERED_REFS } from '../../src/domain/enquiry.js';
import type { Enquiry, State } from '../../src/domain/enquiry.js';
import type { CourtdeskEvent } from '../../src/domain/events.js';
import { applyEvent, type AppliedRecord, previewOf, senderKey } from '../../src/domain/reducer.js';
import { at, Journal } from './journal.js';

function enquiry(j: Journal, id = 'E1'): Enquiry {
  const e = j.state.enquiries.get(id);
  if (!e) throw new Error(`no enquiry ${id}`);
  return e;
}

describe('applyEvent: enquiry.received', () => {
  it('creates a waiting enquiry with its first customer message', () => {
    const j = new Journal().receive('E1', at(0), { from: '+447700900123', text: 'When is my hearing?', channel: 'sms' });
    expect(enquiry(j)).toEqual({
      id: 'E1',
      status: 'waiting',
      channel: 'sms',
      from: '+447700900123',
      name: null,
      language: 'en',
      callbackUrl: null,
      claimedBy: null,
      caseNumbers: [],
      messages: [{ id: 'M1', author: 'customer', text: 'When is my hearing?', at: at(0) }],
      escalations: [],
      receivedAt: at(0),
      receivedSeq: 1,
      waitingSince: at(0),
      lastCustomerAt: at(0),
      lastActivityAt: at(0),
      messageCount: 1,
      preview: 'When is my hearing?',
      messagesLoaded: true,
    });
    expect(j.state.seq).toBe(1);
    expect(j.state.openBySender.get('sms\u0000+447700900123')).toBe('E1');
  });

  it('records the journal seq of arrival for tie-breaking', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(0));
    expect(enquiry(j, 'E2').receivedSeq).toBe(2);
  });
});

describe('applyEvent: waiting and answering', () => {
  it('moves to awaiting-customer on an agent reply, with nothing waiting', () => {
    const j = new Journal().receive('E1', at(0)).claim('E1', 'alice', at(1)).reply('E1', 'alice', at(2), 'Your hearing is on Monday.');
    const e = enquiry(j);
    expect(e.status).toBe('awaiting-customer');
    expect(e.waitingSince).toBeNull();
    expect(e.lastCustomerAt).toBe(at(0));
    expect(e.lastActivityAt).toBe(at(2));
    expect(e.messageCount).toBe(2);
    expect(e.preview).toBe('Your hearing is on Monday.');
    expect(e.messages[1]).toEqual({ id: 'M2', author: 'agent', agent: 'alice', text: 'Your hearing is on Monday.', at: at(2) });
  });

  it('waits again from the customer’s follow-up', () => {
    const j = new Journal().receive('E1', at(0)).reply('E1', 'alice', at(2)).customer('E1', at(5), 'Thanks, and the time?');
    const e = enquiry(j);
    expect(e.status).toBe('waiting');
    expect(e.waitingSince).toBe(at(5));
    expect(e.lastCustomerAt).toBe(at(5));
    expect(e.preview).toBe('Thanks, and the time?');
    expect(e.messages.map((m) => m.author)).toEqual(['customer', 'agent', 'customer']);
  });

  it('keeps waiting from the first unanswered message when the customer writes twice', () => {
    const j = new Journal().receive('E1', at(0)).customer('E1', at(3));
    expect(enquiry(j).waitingSince).toBe(at(0));
    expect(enquiry(j).lastCustomerAt).toBe(at(3));
  });

  it('leaves the wait, status and preview alone for a note', () => {
    const j = new Journal().receive('E1', at(0), { text: 'Help please' });
    j.record({ type: 'enquiry.noted', enquiryId: 'E1', messageId: 'N1', agent: 'alice', text: 'Rang the court' }, at(4));
    const e = enquiry(j);
    expect(e.status).toBe('waiting');
    expect(e.waitingSince).toBe(at(0));
    expect(e.preview).toBe('Help please');
    expect(e.messageCount).toBe(2);
    expect(e.lastActivityAt).toBe(at(4));
    expect(e.messages[1]).toEqual({ id: 'N1', author: 'note', agent: 'alice', text: 'Rang the court', at: at(4) });

    const answered = new Journal().receive('E1', at(0)).reply('E1', 'alice', at(1));
    answered.record({ type: 'enquiry.noted', enquiryId: 'E1', messageId: 'N1', agent: 'alice', text: 'Done' }, at(2));
    expect(enquiry(answered).status).toBe('awaiting-customer');
    expect(enquiry(answered).waitingSince).toBeNull();
  });

  it('marks replies pending delivery only where a channel will carry them', () => {
    const j = new Journal()
      .receive('W', at(0), { channel: 'whatsapp' })
      .receive('S', at(0), { channel: 'sms' })
      .receive('C', at(0), { channel: 'api', callbackUrl: 'https://channel.example.org/r' })
      .receive('F', at(0), { channel: 'web' });
    for (const id of ['W', 'S', 'C', 'F']) j.reply(id, 'alice', at(1));
    for (const id of ['W', 'S', 'C']) expect(enquiry(j, id).messages[1]?.delivery).toEqual({ state: 'pending', attempts: 0 });
    expect(enquiry(j, 'F').messages[1]).not.toHaveProperty('delivery');
  });

  it('truncates long previews and flattens their whitespace', () => {
    expect(previewOf('  one\n\ntwo\tthree  ')).toBe('one two three');
    const long = previewOf('x'.repeat(200));
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('applyEvent: claiming', () => {
  it('claims, releases and transfers', () => {
    const j = new Journal().receive('E1', at(0)).claim('E1', 'alice', at(1));
    expect(enquiry(j).claimedBy).toBe('alice');
    expect(enquiry(j).lastActivityAt).toBe(at(1));
    j.record({ type: 'enquiry.transferred', enquiryId: 'E1', fromAgent: 'alice', toAgent: 'bob' }, at(2));
    expect(enquiry(j).claimedBy).toBe('bob');
    j.record({ type: 'enquiry.released', enquiryId: 'E1', agent: 'bob' }, at(3));
    expect(enquiry(j).claimedBy).toBeNull();
    expect(enquiry(j).lastActivityAt).toBe(at(3));
    expect(enquiry(j).status).toBe('waiting');
  });
});

describe('applyEvent: tags', () => {
  it('adds a case number once and removes it', () => {
    const j = new Journal().receive('E1', at(0));
    const tag = (caseNumber: string): CourtdeskEvent => ({ type: 'enquiry.tagged', enquiryId: 'E1', caseNumber, format: 'civil' });
    j.record(tag('305JE126'), at(1)).record(tag('A1QZ1234'), at(2));
    const before = enquiry(j);
    j.record(tag('305JE126'), at(3));
    expect(enquiry(j)).toBe(before);
    expect(enquiry(j).caseNumbers).toEqual(['305JE126', 'A1QZ1234']);
    j.record({ type: 'enquiry.untagged', enquiryId: 'E1', caseNumber: '305JE126' }, at(4));
    expect(enquiry(j).caseNumbers).toEqual(['A1QZ1234']);
  });
});

describe('applyEvent: close and reopen', () => {
  it('closes, releasing the holder and freeing the sender for a new enquiry', () => {
    const j = new Journal().receive('E1', at(0), { from: 'sam@example.org' }).claim('E1', 'alice', at(1)).close('E1', at(2));
    expect(enquiry(j).status).toBe('closed');
    expect(enquiry(j).claimedBy).toBeNull();
    expect(j.state.openBySender.has('web\u0000sam@example.org')).toBe(false);
  });

  it('reopens as waiting when the customer was still waiting, or awaiting the customer when answered', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(0)).reply('E2', 'alice', at(1)).close('E1', at(2)).close('E2', at(2));
    j.record({ type: 'enquiry.reopened', enquiryId: 'E1' }, at(3)).record({ type: 'enquiry.reopened', enquiryId: 'E2' }, at(3));
    expect(enquiry(j, 'E1').status).toBe('waiting');
    expect(enquiry(j, 'E1').waitingSince).toBe(at(0));
    expect(enquiry(j, 'E2').status).toBe('awaiting-customer');
    expect(j.state.openBySender.get(senderKey(enquiry(j, 'E1')))).toBe('E1');
  });

  it('keeps a sender’s newer open enquiry for threading when an old one is reopened', () => {
    const j = new Journal().receive('E1', at(0), { from: 'sam@example.org' }).close('E1', at(1)).receive('E2', at(2), { from: 'sam@example.org' });
    j.record({ type: 'enquiry.reopened', enquiryId: 'E1' }, at(3));
    expect(j.state.openBySender.get('web\u0000sam@example.org')).toBe('E2');
    j.close('E1', at(4));
    expect(j.state.openBySender.get('web\u0000sam@example.org')).toBe('E2');
  });

  it('does not forget a newer enquiry of the same sender when an older one closes', () => {
    const j = new Journal().receive('E1', at(0), { from: 'sam@example.org' }).close('E1', at(1)).receive('E2', at(2), { from: 'sam@example.org' });
    j.close('E1', at(3));
    expect(j.state.openBySender.get('web\u0000sam@example.org')).toBe('E2');
  });
});

describe('applyEvent: reply.delivery', () => {
  function sentReply(): Journal {
    return new Journal().receive('E1', at(0), { channel: 'whatsapp' }).reply('E1', 'alice', at(1)); // reply is M2
  }
  const delivery = (state: 'pending' | 'sent' | 'delivered' | 'read' | 'failed', attempts: number, extra: { reason?: string; externalId?: string } = {}): CourtdeskEvent => ({
    type: 'reply.delivery',
    enquiryId: 'E1',
    messageId: 'M2',
    state,
    attempts,
    ...extra,
  });

  it('follows the reply through sent, delivered and read, keeping the channel’s id', () => {
    const j = sentReply().record(delivery('sent', 1, { externalId: 'wamid.1' }), at(2));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'sent', attempts: 1, externalId: 'wamid.1' });
    j.record(delivery('delivered', 1), at(3)).record(delivery('read', 1), at(4));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'read', attempts: 1, externalId: 'wamid.1' });
  });

  it('records a temporary failure’s reason and clears it once a later attempt succeeds', () => {
    const j = sentReply().record(delivery('pending', 1, { reason: 'HTTP 503 from the channel' }), at(2));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'pending', attempts: 1, reason: 'HTTP 503 from the channel' });
    j.record(delivery('sent', 2), at(3));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'sent', attempts: 2 });
  });

  it('ignores receipts that arrive out of order or repeated', () => {
    const j = sentReply().record(delivery('sent', 1), at(2)).record(delivery('read', 1), at(3));
    j.record(delivery('read', 1), at(4));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'read', attempts: 1 });
    j.record(delivery('delivered', 1), at(5)).record(delivery('sent', 1), at(6));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'read', attempts: 1 });
  });

  it('starts again from pending on a retry after a failure, and never counts attempts down', () => {
    const j = sentReply().record(delivery('failed', 1, { reason: 'HTTP 503' }), at(2)).record(delivery('pending', 2), at(3));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'pending', attempts: 2 });
    j.record(delivery('sent', 3), at(4)).record(delivery('delivered', 1), at(5));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'delivered', attempts: 3 });
    j.record(delivery('sent', 2), at(6));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'delivered', attempts: 3 });
  });

  it('records a failure reported after sending', () => {
    const j = sentReply().record(delivery('sent', 1), at(2)).record(delivery('failed', 1, { reason: 'number not on WhatsApp' }), at(3));
    expect(enquiry(j).messages[1]?.delivery).toEqual({ state: 'failed', attempts: 1, reason: 'number not on WhatsApp' });
  });

  it('leaves other messages alone', () => {
    const j = sentReply().record(delivery('sent', 1), at(2));
    expect(enquiry(j).messages[0]).not.toHaveProperty('delivery');
  });
});

describe('applyEvent: idempotency and external ids', () => {
  it('maps intake idempotency keys, scoped by the intake’s name, to the enquiry', () => {
    const j = new Journal();
    const intake = { kind: 'intake' as const, name: 'web-form' };
    j.record({ type: 'enquiry.received', enquiryId: 'E1', messageId: 'M1', channel: 'web', from: 'x', name: null, text: 'hi', language: 'en', callbackUrl: null, idempotencyKey: 'k1' }, at(0), intake);
    j.record({ type: 'enquiry.message', enquiryId: 'E1', messageId: 'M2', text: 'again', idempotencyKey: 'k2' }, at(1), intake);
    expect(j.state.idempotencyKeys.get('web-form\u0000k1')).toBe('E1');
    expect(j.state.idempotencyKeys.get('web-form\u0000k2')).toBe('E1');
    expect(j.state.idempotencyKeys.has('other\u0000k1')).toBe(false);
  });

  it('maps channel message ids, scoped by channel, to the enquiry', () => {
    const j = new Journal();
    j.record({ type: 'enquiry.received', enquiryId: 'E1', messageId: 'M1', channel: 'whatsapp', from: '447700900123', name: 'Sam', text: 'hi', language: 'en', callbackUrl: null, externalId: 'wamid.A' }, at(0));
    j.record({ type: 'enquiry.message', enquiryId: 'E1', messageId: 'M2', text: 'again', externalId: 'wamid.B' }, at(1));
    expect(j.state.externalIds.get('whatsapp\u0000wamid.A')).toBe('E1');
    expect(j.state.externalIds.get('whatsapp\u0000wamid.B')).toBe('E1');
    expect(j.state.externalIds.has('sms\u0000wamid.A')).toBe(false);
  });

  it('remembers the seq each command ref produced, per actor', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(0));
    const alice = { kind: 'agent' as const, name: 'alice' };
    j.record({ type: 'enquiry.claimed', enquiryId: 'E1', agent: 'alice' }, at(1), alice, 'r1');
    j.record({ type: 'enquiry.released', enquiryId: 'E1', agent: 'alice' }, at(1), alice, 'r2');
    j.record({ type: 'enquiry.claimed', enquiryId: 'E2', agent: 'bob' }, at(1), { kind: 'agent', name: 'bob' }, 'r1');
    expect(j.state.refs.get('alice\u0000r1')).toBe(3);
    expect(j.state.refs.get('alice\u0000r2')).toBe(4);
    expect(j.state.refs.get('bob\u0000r1')).toBe(5);
    expect(j.state.refs.get('carol\u0000r1')).toBeUndefined();
  });

  it('remembers at least the newest refs and at most twice the bound', () => {
    const state = emptyState();
    const actor = { kind: 'agent' as const, name: 'alice' };
    const event: CourtdeskEvent = { type: 'agent.presence', agent: 'alice', state: 'available' };
    const total = 2 * REMEMBERED_REFS + 5;
    for (let seq = 1; seq <= total; seq++) {
      applyEvent(state, { seq, at: at(0), actor, event, ref: `r${seq}` });
      if (seq % 25_000 === 0) expect(state.refs.size).toBeLessThanOrEqual(2 * REMEMBERED_REFS);
    }
    expect(state.refs.has('alice\u0000r1')).toBe(false);
    for (const seq of [total - REMEMBERED_REFS + 1, total - 1, total]) expect(state.refs.get(`alice\u0000r${seq}`)).toBe(seq);
  });
});

describe('applyEvent: in general', () => {
  it('records agent presence', () => {
    const j = new Journal().record({ type: 'agent.presence', agent: 'alice', state: 'away' }, at(0));
    expect(j.state.agents.get('alice')).toEqual({ name: 'alice', presence: 'away', since: at(0) });
  });

  it('ignores events for an enquiry it has not seen, but still advances seq', () => {
    const j = new Journal().receive('E1', at(0)).claim('E9', 'alice', at(1));
    expect(j.state.enquiries.has('E9')).toBe(false);
    expect(j.state.seq).toBe(2);
  });

  it('replaces a changed enquiry rather than mutating it, and leaves others untouched', () => {
    const j = new Journal().receive('E1', at(0)).receive('E2', at(0));
    const e1 = enquiry(j, 'E1');
    const e2 = enquiry(j, 'E2');
    j.claim('E1', 'alice', at(1));
    expect(enquiry(j, 'E1')).not.toBe(e1);
    expect(e1.claimedBy).toBeNull();
    expect(enquiry(j, 'E2')).toBe(e2);
  });

  it('gives the same state for the same records', () => {
    const build = () =>
      new Journal().receive('E1', at(0)).receive('E2', at(1)).claim('E1', 'alice', at(2)).reply('E1', 'alice', at(3)).customer('E1', at(4)).close('E2', at(5)).state;
    expect(build()).toEqual(build());
  });
});

describe('applyEvent: folding in place at the broker\'s start', () => {
  // Every event that changes an enquiry in place when allowed, on two channels, with the repeats
  // and stale receipts that leave an enquiry as it is.
  const events: CourtdeskEvent[] = [
    { type: 'enquiry.received', enquiryId: 'E1', messageId: 'M1', channel: 'whatsapp', from: '+447700900001', name: 'Ann', text: 'When is my hearing?', language: 'en', callbackUrl: null },
    { type: 'enquiry.received', enquiryId: 'E2', messageId: 'M2', channel: 'web', from: 'b@example.org', name: null, text: 'Pa ystafell?', language: 'cy', callbackUrl: null },
    { type: 'enquiry.acknowledged', enquiryId: 'E1', messageId: 'M3', text: 'We have your message.', position: 1, estimatedWaitSeconds: 60 },
    { type: 'enquiry.message', enquiryId: 'E1', messageId: 'M4', text: 'It is claim  305JE126.' },
    { type: 'enquiry.claimed', enquiryId: 'E1', agent: 'alice' },
    { type: 'enquiry.replied', enquiryId: 'E1', messageId: 'M5', agent: 'alice', text: 'Tuesday at 10am.' },
    { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M5', state: 'sent', attempts: 1, externalId: 'wamid.1' },
    { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M5', state: 'delivered', attempts: 1 },
    { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M5', state: 'sent', attempts: 1 },
    { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M9', state: 'sent', attempts: 1 },
    { type: 'enquiry.noted', enquiryId: 'E1', messageId: 'M6', agent: 'alice', text: 'Checked the list.' },
    { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '305JE126', format: 'civil' },
    { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '305JE126', format: 'civil' },
    { type: 'enquiry.transferred', enquiryId: 'E1', fromAgent: 'alice', toAgent: 'bob' },
    { type: 'escalation.created', enquiryId: 'E1', escalationId: 'X1', courtSlug: 'leeds', courtName: 'Leeds', to: 'leeds@example.org', template: 'listing', language: 'en', subject: 'Listing', text: 'Please confirm.', html: '<p>Please confirm.</p>' },
    { type: 'escalation.answered', enquiryId: 'E1', escalationId: 'X1', messageId: 'M7', text: 'Confirmed.' },
    { type: 'enquiry.untagged', enquiryId: 'E1', caseNumber: '305JE126' },
    { type: 'enquiry.closed', enquiryId: 'E1' },
    { type: 'enquiry.message', enquiryId: 'E1', messageId: 'M8', text: 'One more thing.' },
    { type: 'enquiry.reopened', enquiryId: 'E1' },
    { type: 'enquiry.claimed', enquiryId: 'E2', agent: 'carol' },
    { type: 'enquiry.replied', enquiryId: 'E2', messageId: 'M10', agent: 'carol', text: 'Room 2.' },
    { type: 'enquiry.message', enquiryId: 'E2', messageId: 'M11', text: 'Diolch!' },
    { type: 'enquiry.closed', enquiryId: 'E2' },
  ];
  const records: AppliedRecord[] = events.map((event, i) => ({ seq: i + 1, at: at(i), actor: { kind: 'agent', name: 'alice' }, ref: `r${i}`, event }));

  function fold(inPlace: boolean, each: (state: State) => void = () => {}): State {
    const state = emptyState();
    state.replay.inPlace = inPlace;
    for (const record of records) {
      applyEvent(state, record);
      each(state);
    }
    return state;
  }

  it('gives the same state as folding by copy', () => {
    const copied = fold(false);
    // The customer's three, the acknowledgement, the reply, the note and the court's answer.
    expect(copied.enquiries.get('E1')!.messages).toHaveLength(7);
    expect(copied.enquiries.get('E1')!.messages.find((m) => m.id === 'M5')!.delivery).toEqual({ state: 'delivered', attempts: 1, externalId: 'wamid.1' });
    expect(fold(true)).toEqual(copied);
  });

  it('by copy, leaves every enquiry a view was given exactly as it was given', () => {
    const given: Array<{ held: Enquiry; asGiven: Enquiry }> = [];
    fold(false, (state) => {
      for (const e of state.enquiries.values()) given.push({ held: e, asGiven: structuredClone(e) });
    });
    for (const { held, asGiven } of given) expect(held).toEqual(asGiven);
  });
});
