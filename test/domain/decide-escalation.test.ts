import { describe, expect, it } from 'vitest';
import type { Court } from '../../src/domain/courts.js';
import { decideEscalation, longDate, previewEscalation, type EscalationContext } from '../../src/domain/decide-escalation.js';
import type { CourtdeskEvent } from '../../src/domain/events.js';
import { parseTemplate } from '../../src/domain/templates.js';
import { at, Journal } from './journal.js';

const court: Court = { name: 'Cardiff Civil and Family Justice Centre', slug: 'cardiff', email: 'enquiries.cardiff.countycourt@justice.gov.uk', welsh: true };
const hearing = parseTemplate('hearing', 'en', 'subject: Hearing – case ((caseNumbers))\n\nDear ((courtName)), ((customerName)) asks about ((caseNumbers)).\n');
const chase = parseTemplate('chase', 'cy', 'subject: Nodyn atgoffa: ((originalSubject))\n\nAnfonwyd ar ((originalSentOn)). ((customerName))\n');

function ctx(name = 'alice'): EscalationContext {
  let n = 0;
  return {
    actor: { name, role: 'agent' },
    court: (slug) => (slug === court.slug ? court : undefined),
    template: (t, language) => [hearing, chase].find((x) => x.name === t && x.language === language),
    newEscalationId: () => `X${++n}`,
    newMessageId: () => `M-new-${++n}`,
    now: new Date(at(0)),
  };
}

function held(): Journal {
  return new Journal().receive('E1', at(0), { text: 'Has my hearing been listed?' }).claim('E1', 'alice', at(1));
}

describe('escalations decided against state', () => {
  it('lets the agent supply a standard field the enquiry cannot fill, but never override one it can', () => {
    const j = held();
    const untagged = previewEscalation(j.state.enquiries.get('E1')!, { courtSlug: 'cardiff', template: 'hearing' }, ctx());
    expect(untagged).toMatchObject({ ok: false, code: 'MISSING_FIELDS', missing: ['caseNumbers'] });
    const typed = previewEscalation(j.state.enquiries.get('E1')!, { courtSlug: 'cardiff', template: 'hearing', fields: { caseNumbers: '305JE126' } }, ctx());
    expect(typed.ok && typed.rendered.subject).toBe('Hearing – case 305JE126');

    j.record({ type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '142MC305', format: 'civil' }, at(2));
    const tagged = previewEscalation(j.state.enquiries.get('E1')!, { courtSlug: 'cardiff', template: 'hearing', fields: { caseNumbers: '999XX999', customerName: 'Someone Else' } }, ctx());
    expect(tagged.ok && tagged.rendered.subject).toBe('Hearing – case 142MC305');
    expect(tagged.ok && tagged.rendered.text).not.toContain('Someone Else');
  });

  it('records the rendered email, and refuses agents who do not hold the enquiry', () => {
    const j = held();
    const fields = { caseNumbers: '305JE126' };
    const bob = decideEscalation(j.state.enquiries.get('E1'), { type: 'escalate', enquiryId: 'E1', courtSlug: 'cardiff', template: 'hearing', fields }, ctx('bob'));
    expect(bob).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const decision = decideEscalation(j.state.enquiries.get('E1'), { type: 'escalate', enquiryId: 'E1', courtSlug: 'cardiff', template: 'hearing', fields }, ctx());
    expect(decision.ok && decision.events[0]).toMatchObject({ type: 'escalation.created', to: court.email, subject: 'Hearing – case 305JE126', template: 'hearing', language: 'en' });
  });

  it('chases only what was sent and not answered, quoting the date in the thread’s language', () => {
    const j = held();
    const created = decideEscalation(j.state.enquiries.get('E1'), { type: 'escalate', enquiryId: 'E1', courtSlug: 'cardiff', template: 'hearing', fields: { caseNumbers: '305JE126' } }, ctx());
    if (!created.ok) throw new Error('escalate refused');
    const event = { ...(created.events[0] as Extract<CourtdeskEvent, { type: 'escalation.created' }>), language: 'cy' as const };
    j.record(event, at(3), { kind: 'agent', name: 'alice' });
    const early = decideEscalation(j.state.enquiries.get('E1'), { type: 'chase', enquiryId: 'E1', escalationId: event.escalationId }, ctx());
    expect(early).toMatchObject({ ok: false, error: { code: 'NOT_SENT' } });

    j.record({ type: 'escalation.delivery', enquiryId: 'E1', escalationId: event.escalationId, state: 'sent', attempts: 1 }, '2025-03-03T10:00:00.000Z');
    const chased = decideEscalation(j.state.enquiries.get('E1'), { type: 'chase', enquiryId: 'E1', escalationId: event.escalationId }, ctx('bob'));
    expect(chased.ok && chased.events[0]).toMatchObject({ type: 'escalation.created', chaseOf: event.escalationId, subject: `Nodyn atgoffa: ${event.subject}` });
    expect(chased.ok && (chased.events[0] as { text: string }).text).toContain('3 Mawrth 2025');

    j.record({ type: 'escalation.answered', enquiryId: 'E1', escalationId: event.escalationId, messageId: 'M9', text: 'Listed for 2 April.' }, at(5));
    const late = decideEscalation(j.state.enquiries.get('E1'), { type: 'chase', enquiryId: 'E1', escalationId: event.escalationId }, ctx());
    expect(late).toMatchObject({ ok: false, error: { code: 'ALREADY_ANSWERED' } });
    expect(j.state.enquiries.get('E1')!.messages.at(-1)).toMatchObject({ author: 'court', text: 'Listed for 2 April.' });
  });

  it('refuses an empty answer and an escalation the enquiry does not have', () => {
    const j = held();
    expect(decideEscalation(j.state.enquiries.get('E1'), { type: 'answer-escalation', enquiryId: 'E1', escalationId: 'X404', text: 'hi' }, ctx())).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(decideEscalation(undefined, { type: 'answer-escalation', enquiryId: 'E9', escalationId: 'X1', text: 'hi' }, ctx())).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('writes dates as a letter would, in English or Welsh', () => {
    expect(longDate('2026-11-03T10:00:00Z', 'en')).toBe('3 November 2026');
    expect(longDate('2026-11-03T10:00:00Z', 'cy')).toBe('3 Tachwedd 2026');
  });
});
