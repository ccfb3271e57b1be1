import { describe, expect, it } from 'vitest';
import { fieldsUsed, fillPlaceholders, missingValues, splitPlaceholders } from '../../src/domain/placeholders.js';
import { CANNED_REPLIES, knownValues } from '../../src/workbench/canned.js';
import { enquiry } from './fixtures.js';

describe('canned replies', () => {
  it('come in English and Welsh with the same placeholders', () => {
    expect(CANNED_REPLIES.en.length).toBe(CANNED_REPLIES.cy.length);
    CANNED_REPLIES.en.forEach((reply, i) => {
      const norm = (t: string) => fieldsUsed(splitPlaceholders(t)).fields.map((p) => p.toLowerCase()).sort();
      expect(norm(CANNED_REPLIES.cy[i]!.text)).toEqual(norm(reply.text));
    });
  });

  it('fill placeholders from the enquiry and agent, comparing names loosely', () => {
    const values = knownValues(enquiry({ name: 'Jane', caseNumbers: ['305JE126'] }), 'alice');
    expect(fillPlaceholders('Hi ((Name)), I am ((agent)) about ((case_number)) and ((CASE-NUMBER))', values)).toBe(
      'Hi Jane, I am alice about 305JE126 and 305JE126',
    );
  });

  it('report what is missing so it can be asked for', () => {
    const values = knownValues(enquiry({ name: null, caseNumbers: [] }), 'alice');
    expect(missingValues('Hello ((name)), case ((case number)) on ((hearing date)), ((Name))', values)).toEqual([
      'name',
      'case number',
      'hearing date',
    ]);
    expect(missingValues(CANNED_REPLIES.en[4]!.text, values)).toEqual([]);
  });
});

describe('the canned flow asks for a case number as the tag dialog checks one', () => {
  it('refuses a case number the broker would not tag, saying why, and takes a valid one normalised', async () => {
    const { cannedStart, cannedPick, cannedAsk } = await import('../../src/workbench/dialogs/canned-flow.js');
    const start = cannedStart('en');
    if (start.stage !== 'pick') throw new Error('expected the picker');
    const at = start.replies.findIndex((r) => r.title === 'Passed to the court');
    let step = cannedPick(start, { type: 'choose', index: at }, {});
    const type = (text: string) => {
      step = cannedAsk(step.flow, { type: 'insert', text });
      step = cannedAsk(step.flow, { type: 'submit' });
    };
    type('12345');
    expect(step.text).toBeUndefined();
    expect(step.flow).toMatchObject({ stage: 'ask', insisted: true, problem: expect.stringMatching(/305JE126/) });
    for (let i = 0; i < 5; i++) step = cannedAsk(step.flow, { type: 'backspace' });
    type('305je126');
    expect(step.text).toContain('about case 305JE126 to the hearing centre');
  });
});
