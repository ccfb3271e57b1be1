// The compact snapshot's rows stand for the same summaries the object form gives, preview cut.
import { describe, expect, it } from 'vitest';
import type { Enquiry } from '../../src/domain/enquiry.js';
import { SUMMARY_COLUMNS, SUMMARY_PREVIEW_LENGTH, enquiryFromRow, summaryOf, summaryRow } from '../../src/protocol/snapshot.js';

const base: Enquiry = {
  id: 'E7K2M9QXA',
  status: 'waiting',
  channel: 'whatsapp',
  from: '+447700900123',
  name: 'Ann Jones',
  language: 'cy',
  callbackUrl: 'https://adapter.example/replies',
  claimedBy: 'bob',
  caseNumbers: ['305JE126', 'A1QZ1234'],
  messages: [{ id: 'M1', author: 'customer', text: 'Pryd mae fy ngwrandawiad? '.repeat(10), at: '2026-11-22T09:15:00.002Z' }],
  escalations: [
    {
      id: 'X1', courtSlug: 'cardiff', courtName: 'Cardiff', to: 'civil@example.gov.uk', template: 'hearing', language: 'cy',
      subject: 'Gwrandawiad', text: 'the whole email', plain: 'the plain part', html: '<p>the email</p>', status: 'sent',
      createdAt: '2026-11-22T09:20:00.000Z', createdBy: 'bob', attempts: 1, sentAt: '2026-11-22T09:20:01.500Z', chaseDueOn: '2026-11-26', chases: 0,
    },
  ],
  receivedAt: '2026-11-22T09:15:00.002Z',
  receivedSeq: 41,
  waitingSince: '2026-11-22T09:15:00.002Z',
  lastCustomerAt: '2026-11-22T09:15:00.002Z',
  lastActivityAt: '2026-11-22T09:21:30.777Z',
  messageCount: 1,
  preview: `${'Pryd mae fy ngwrandawiad? '.repeat(3).slice(0, 79)}…`,
  messagesLoaded: true,
};

const table = { at: Date.parse('2026-11-22T10:00:00.000Z'), columns: [...SUMMARY_COLUMNS] };

function expectedSummary(e: Enquiry): Enquiry {
  const summary = summaryOf(e);
  const escalations = summary.escalations.map(({ plain: _plain, ...x }) => x);
  const preview = e.preview.length > SUMMARY_PREVIEW_LENGTH ? `${e.preview.slice(0, SUMMARY_PREVIEW_LENGTH - 1)}…` : e.preview;
  return { ...summary, escalations, preview };
}

describe('compact summary rows', () => {
  it('read back as the summary, times to the millisecond, the preview cut to a queue row', () => {
    const back = enquiryFromRow(table, summaryRow(base, table.at));
    expect(back).toEqual(expectedSummary(base));
    expect(back.preview).toHaveLength(SUMMARY_PREVIEW_LENGTH);
    expect(back.preview.endsWith('…')).toBe(true);
  });

  it('keep nulls, a short preview, a closed enquiry and retention marks as they were', () => {
    const closed: Enquiry = {
      ...base, status: 'closed', name: null, claimedBy: null, callbackUrl: null, waitingSince: null, caseNumbers: [], escalations: [],
      preview: 'Diolch', closedAt: '2026-11-23T08:00:00.000Z', contentRemovedOn: '2027-11-23',
    };
    expect(enquiryFromRow(table, summaryRow(closed, table.at))).toEqual(expectedSummary(closed));
  });

  it('leave trailing empty cells off, so an ordinary waiting enquiry carries only what it has', () => {
    const plain: Enquiry = { ...base, callbackUrl: null, caseNumbers: [], escalations: [], claimedBy: null };
    const row = summaryRow(plain, table.at);
    expect(row).toHaveLength(SUMMARY_COLUMNS.indexOf('preview') + 1);
  });

  it('are read by column name, so a broker may add columns a client does not know', () => {
    const columns = ['shoeSize', ...SUMMARY_COLUMNS];
    const row = [44, ...summaryRow(base, table.at)];
    const back = enquiryFromRow({ at: table.at, columns }, row) as Enquiry & { shoeSize?: number };
    expect(back.id).toBe(base.id);
    expect(back.receivedAt).toBe(base.receivedAt);
  });
});
