import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../src/workbench/filter.js';
import { enquiry } from './fixtures.js';

const match = (filter: string, e = enquiry(), me = 'alice') => matchesFilter(e, parseFilter(filter), me);

describe('filter', () => {
  it('matches text in the name, sender or latest message, ignoring case', () => {
    expect(match('jane')).toBe(true);
    expect(match('HEARING')).toBe(true);
    expect(match('0900123')).toBe(true);
    expect(match('divorce')).toBe(false);
  });
  it('matches channel and language words', () => {
    expect(match('wa')).toBe(true);
    expect(match('whatsapp')).toBe(true);
    expect(match('sms')).toBe(false);
    expect(match('cy')).toBe(false);
    expect(match('cy', enquiry({ language: 'cy' }))).toBe(true);
  });
  it('matches a case number written any accepted way', () => {
    const tagged = enquiry({ caseNumbers: ['1712345678901238'] });
    expect(match('1712 3456 7890 1238', tagged)).toBe(true);
    expect(match('#1712-3456-7890-1238', tagged)).toBe(true);
    expect(match('305je126', enquiry({ caseNumbers: ['305JE126'] }))).toBe(true);
    expect(match('305je126', tagged)).toBe(false);
  });
  it('needs every word to match', () => {
    expect(match('cy jane', enquiry({ language: 'cy' }))).toBe(true);
    expect(match('cy bob', enquiry({ language: 'cy' }))).toBe(false);
  });
  it('knows mine and free', () => {
    expect(match('mine', enquiry({ claimedBy: 'alice' }))).toBe(true);
    expect(match('mine', enquiry({ claimedBy: 'bob' }))).toBe(false);
    expect(match('free', enquiry())).toBe(true);
  });
});
