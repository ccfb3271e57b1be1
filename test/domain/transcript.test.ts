import { describe, expect, it } from 'vitest';
import { buildTranscript, exportSelection, londonTime, nothingToExport, taggedEnquiries, transcriptCollector } from '../../src/domain/transcript.js';
import { caseHistory, HEAD } from './transcript-records.js';

const NOW = new Date('2026-12-02T17:00:00.000Z');

describe('buildTranscript for a case', () => {
  const t = buildTranscript({ case: '305JE126' }, caseHistory(), HEAD, NOW)!;

  it('takes every enquiry ever tagged with the case, in the order they arrived, and says which were untagged', () => {
    expect(t.case).toBe('305JE126');
    expect(t.enquiries.map((e) => [e.id, e.stillTagged])).toEqual([
      ['E1', true],
      ['E2', false],
    ]);
    expect(t.enquiries[1]).toMatchObject({ channel: 'sms', from: '+447700900456', name: null, language: 'cy', caseNumbers: [] });
  });

  it("keeps each enquiry's whole history in journal order, presence and the journal's own records left out", () => {
    const e1 = t.enquiries[0]!;
    expect(e1.timeline.map((x) => [x.seq, x.kind])).toEqual([
      [1, 'enquiry.received'],
      [3, 'enquiry.claimed'],
      [4, 'enquiry.replied'],
      [5, 'reply.delivery'],
      [6, 'enquiry.noted'],
      [7, 'enquiry.tagged'],
      [12, 'escalation.created'],
      [13, 'escalation.delivery'],
      [14, 'reply.delivery'],
      [17, 'enquiry.accessed'],
      [18, 'escalation.answered'],
      [19, 'enquiry.transferred'],
      [20, 'enquiry.frobbed'],
      [21, 'enquiry.closed'],
      [22, 'enquiry.reopened'],
      [23, 'enquiry.released'],
    ]);
    expect(t.enquiries[1]!.timeline.map((x) => x.kind)).toEqual(['enquiry.received', 'enquiry.tagged', 'enquiry.untagged']);
  });

  it("carries each record's fields, actor and London time, and what deliveries and answers refer to", () => {
    const entry = (seq: number) => t.enquiries[0]!.timeline.find((x) => x.seq === seq)!;
    expect(entry(1)).toEqual({
      seq: 1,
      at: '2026-12-02T16:00:00.000Z',
      atLondon: 'Wed 2 Dec 2026, 16:00:00 GMT',
      actor: { kind: 'intake', name: 'webform' },
      kind: 'enquiry.received',
      messageId: 'M1',
      channel: 'whatsapp',
      from: '+447700900123',
      name: 'Dee Jones',
      text: 'Has the court got my defence? <script>alert(1)</script>',
      language: 'en',
      callbackUrl: null,
    });
    expect(entry(14)).toMatchObject({ kind: 'reply.delivery', state: 'delivered', replySeq: 4 });
    expect(entry(13)).toMatchObject({ kind: 'escalation.delivery', escalationSeq: 12, chaseDueOn: '2026-12-09' });
    expect(entry(18)).toMatchObject({ kind: 'escalation.answered', escalationSeq: 12, text: 'Received on 20 November.' });
    expect(entry(12)).toMatchObject({ subject: 'Hearing date – 305JE126', html: expect.stringContaining('<!DOCTYPE html>') });
    expect(entry(17)).toMatchObject({ by: 'sam', role: 'supervisor', via: 'workbench', reason: 'complaint review' });
    // A later type's field named like the entry's own cannot take its place.
    expect(entry(20)).toMatchObject({ at: '2026-12-02T16:19:00.000Z', colour: 'blue', actor: { kind: 'auditor', name: 'audrey' } });
  });

  it('folds the status, holder and tags at the head with the reducer, passing over types it does not fold', () => {
    expect(t.enquiries[0]).toMatchObject({ status: 'awaiting-customer', claimedBy: null, caseNumbers: ['305JE126'] });
  });

  it('says where it was drawn from: the first and last record included, and the head', () => {
    expect(t.generatedAt).toBe(NOW.toISOString());
    expect(t.source).toEqual({ firstSeq: 1, lastSeq: 23, headSeq: 30, headHash: 'f'.repeat(64), epoch: 'epoch-2', notes: [] });
  });
});

describe('buildTranscript for one enquiry', () => {
  it('takes that enquiry alone, with its seq range', () => {
    const t = buildTranscript({ enquiry: 'E2' }, caseHistory(), HEAD, NOW)!;
    expect(t.enquiry).toBe('E2');
    expect(t.case).toBeUndefined();
    expect(t.enquiries.map((e) => e.id)).toEqual(['E2']);
    expect(t.enquiries[0]!.stillTagged).toBeUndefined();
    expect(t.source).toMatchObject({ firstSeq: 8, lastSeq: 15 });
  });

  it('is null for an enquiry or a case the journal does not have, and for records of an enquiry it never received', () => {
    expect(buildTranscript({ enquiry: 'E9' }, caseHistory(), HEAD, NOW)).toBeNull();
    expect(buildTranscript({ case: '999XX999' }, caseHistory(), HEAD, NOW)).toBeNull();
    const orphan = caseHistory().filter((r) => !(r.event.type === 'enquiry.received' && r.event.enquiryId === 'E2'));
    expect(buildTranscript({ case: '305JE126' }, orphan, HEAD, NOW)!.enquiries.map((e) => e.id)).toEqual(['E1']);
  });
});

describe('the two passes', () => {
  it('find the tagged enquiries first, then collect only theirs, as buildTranscript does', () => {
    const history = caseHistory();
    const tagged = taggedEnquiries('305JE126');
    history.forEach(tagged.add);
    expect([...tagged.ids]).toEqual(['E1', 'E2']);
    const collector = transcriptCollector({ case: '305JE126' }, tagged.ids);
    history.forEach(collector.add);
    expect(collector.build(HEAD, NOW)).toEqual(buildTranscript({ case: '305JE126' }, history, HEAD, NOW));
  });
});

describe('exportSelection', () => {
  it('normalises a case number as the tag command does', () => {
    expect(exportSelection({ case: ' 305je126 ' })).toEqual({ ok: true, selection: { case: '305JE126' } });
    expect(exportSelection({ case: '#1712 3456 7890 1238' })).toEqual({ ok: true, selection: { case: '1712345678901238' } });
    expect(exportSelection({ case: '305JE12' })).toMatchObject({ ok: false, reason: expect.stringContaining('has 7 characters') });
  });

  it('checks an enquiry id', () => {
    expect(exportSelection({ enquiry: ' E7K2M9QXA ' })).toEqual({ ok: true, selection: { enquiry: 'E7K2M9QXA' } });
    expect(exportSelection({ enquiry: '../etc' })).toMatchObject({ ok: false });
  });

  it('says what to do when there is nothing to export', () => {
    expect(nothingToExport({ case: '305JE126' })).toBe('no enquiry in the journal is tagged 305JE126; check the case number (courtdesk queue --json lists tags)');
    expect(nothingToExport({ enquiry: 'E1' })).toMatch(/^no enquiry in the journal has the id E1; /);
  });
});

describe('londonTime', () => {
  it('shows GMT in winter and BST in summer, across the change', () => {
    expect(londonTime('2026-12-02T16:09:29.000Z')).toBe('Wed 2 Dec 2026, 16:09:29 GMT');
    expect(londonTime('2026-07-02T16:09:29.000Z')).toBe('Thu 2 Jul 2026, 17:09:29 BST');
    expect(londonTime('2026-03-29T00:59:59.000Z')).toBe('Sun 29 Mar 2026, 00:59:59 GMT');
    expect(londonTime('2026-03-29T01:00:00.000Z')).toBe('Sun 29 Mar 2026, 02:00:00 BST');
    expect(londonTime('2026-10-25T00:30:00.000Z')).toBe('Sun 25 Oct 2026, 01:30:00 BST');
    expect(londonTime('2026-10-25T01:30:00.000Z')).toBe('Sun 25 Oct 2026, 01:30:00 GMT');
  });
});
