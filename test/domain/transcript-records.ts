// Journal records for transcript tests: a case's history as the broker would record it, with
// what is not part of it (another case, presence, the journal's own epoch record) mixed in.
import type { Actor, CourtdeskEvent, JournalRecord } from '../../src/domain/events.js';

const agent = (name: string): Actor => ({ kind: 'agent', name });
const intake: Actor = { kind: 'intake', name: 'webform' };
const system = (name: string): Actor => ({ kind: 'system', name });

/** Records seq 1… at one-minute steps from `start`. */
export function records(start: string, steps: [Actor, CourtdeskEvent | Record<string, unknown>][]): JournalRecord[] {
  const t0 = Date.parse(start);
  return steps.map(([actor, event], i) => ({
    seq: i + 1,
    at: new Date(t0 + i * 60_000).toISOString(),
    actor,
    event: event as CourtdeskEvent,
    hash: (i + 1).toString(16).padStart(64, '0'),
  }));
}

export const EMAIL_HTML = '<!DOCTYPE html>\n<html lang="en"><body><p>Dear court, the customer wrote: &lt;script&gt;</p></body></html>\n';

/** E1: the whole story, tagged 305JE126. E2: tagged 305JE126 then untagged. E3: another case. */
export function caseHistory(start = '2026-12-02T16:00:00.000Z'): JournalRecord[] {
  return records(start, [
    [intake, { type: 'enquiry.received', enquiryId: 'E1', messageId: 'M1', channel: 'whatsapp', from: '+447700900123', name: 'Dee Jones', text: 'Has the court got my defence? <script>alert(1)</script>', language: 'en', callbackUrl: null }],
    [agent('alice'), { type: 'agent.presence', agent: 'alice', state: 'available' }],
    [agent('alice'), { type: 'enquiry.claimed', enquiryId: 'E1', agent: 'alice' }],
    [agent('alice'), { type: 'enquiry.replied', enquiryId: 'E1', messageId: 'M2', agent: 'alice', text: 'I will ask the court.' }],
    [system('delivery'), { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M2', state: 'sent', attempts: 1, externalId: 'wamid.1' }],
    [agent('alice'), { type: 'enquiry.noted', enquiryId: 'E1', messageId: 'M3', agent: 'alice', text: 'Court phone line busy.' }],
    [agent('alice'), { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '305JE126', format: 'civil' }],
    [intake, { type: 'enquiry.received', enquiryId: 'E2', messageId: 'M4', channel: 'sms', from: '+447700900456', name: null, text: 'Is 305JE126 mine?', language: 'cy', callbackUrl: null }],
    [agent('bob'), { type: 'enquiry.tagged', enquiryId: 'E2', caseNumber: '305JE126', format: 'civil' }],
    [intake, { type: 'enquiry.received', enquiryId: 'E3', messageId: 'M5', channel: 'web', from: 'fay@example.org', name: null, text: 'About A1QZ1234', language: 'en', callbackUrl: null }],
    [agent('bob'), { type: 'enquiry.tagged', enquiryId: 'E3', caseNumber: 'A1QZ1234', format: 'mcol' }],
    [agent('alice'), { type: 'escalation.created', enquiryId: 'E1', escalationId: 'X1', courtSlug: 'birmingham', courtName: 'Birmingham County Court', to: 'enquiries@birmingham.example', template: 'hearing-date', language: 'en', subject: 'Hearing date – 305JE126', text: 'Dear court,\n\nThe customer wrote: <script>\n', html: EMAIL_HTML }],
    [system('mail'), { type: 'escalation.delivery', enquiryId: 'E1', escalationId: 'X1', state: 'sent', attempts: 1, chaseDueOn: '2026-12-09' }],
    [system('delivery'), { type: 'reply.delivery', enquiryId: 'E1', messageId: 'M2', state: 'delivered', attempts: 1 }],
    [agent('bob'), { type: 'enquiry.untagged', enquiryId: 'E2', caseNumber: '305JE126' }],
    [system('broker'), { type: 'journal.epoch-started', epoch: 'epoch-2', previousEpoch: 'epoch-1', reason: 'operator cut', lostFromSeq: 16 }],
    [{ kind: 'supervisor', name: 'sam' }, { type: 'enquiry.accessed', enquiryId: 'E1', by: 'sam', role: 'supervisor', via: 'workbench', reason: 'complaint review' }],
    [intake, { type: 'escalation.answered', enquiryId: 'E1', escalationId: 'X1', messageId: 'M6', text: 'Received on 20 November.' }],
    [{ kind: 'supervisor', name: 'sam' }, { type: 'enquiry.transferred', enquiryId: 'E1', fromAgent: 'alice', toAgent: 'bob' }],
    [{ kind: 'auditor', name: 'audrey' }, { type: 'enquiry.frobbed', enquiryId: 'E1', at: 'not the entry time', colour: 'blue' }],
    [agent('bob'), { type: 'enquiry.closed', enquiryId: 'E1' }],
    [agent('bob'), { type: 'enquiry.reopened', enquiryId: 'E1' }],
    [agent('bob'), { type: 'enquiry.released', enquiryId: 'E1', agent: 'bob' }],
  ]);
}

export const HEAD = { headSeq: 30, headHash: 'f'.repeat(64), epoch: 'epoch-2', notes: [] };
