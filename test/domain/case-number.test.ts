import { describe, expect, it } from 'vitest';
import { findCaseNumbers, luhnValid, parseCaseNumber } from '../../src/domain/case-number.js';

function ok(input: string) {
  const parsed = parseCaseNumber(input);
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${parsed.reason}`);
  return parsed;
}

function reason(input: string): string {
  const parsed = parseCaseNumber(input);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${parsed.caseNumber}`);
  return parsed.reason;
}

describe('parseCaseNumber', () => {
  it('recognises a County Court civil claim number, whatever the case and surrounding space', () => {
    expect(parseCaseNumber(' 305je126 ')).toEqual({
      ok: true,
      caseNumber: '305JE126',
      format: 'civil',
      verified: true,
      description: 'County Court civil claim number',
    });
  });

  it('recognises a Money Claim Online number', () => {
    const parsed = ok('a1qz1234');
    expect(parsed).toMatchObject({ caseNumber: 'A1QZ1234', format: 'mcol', verified: true });
    expect(parsed.description).toBe('Money Claim Online number');
  });

  it('accepts a 16-digit reference whose Luhn check digit holds', () => {
    expect(ok('1712345678901238')).toMatchObject({
      caseNumber: '1712345678901238',
      format: 'ccd',
      verified: true,
      description: '16-digit case reference (check digit valid)',
    });
  });

  it.each(['1712-3456-7890-1238', '1712 3456 7890 1238', '#1712345678901238', '# 1712-3456-7890-1238', '  1712  3456  7890  1238 ', '1712 - 3456 - 7890 - 1238'])(
    'normalises the written form %j',
    (written) => {
      expect(ok(written)).toMatchObject({ caseNumber: '1712345678901238', format: 'ccd' });
    },
  );

  it('refuses a 16-digit reference whose check digit is wrong, saying a digit may be mistyped', () => {
    expect(reason('1712345678901239')).toContain('the check digit does not match — a digit may be mistyped');
    expect(reason('1712-3456-7890-1239')).toContain('1712345678901239');
  });

  it('catches a swapped pair of digits through the check digit', () => {
    expect(parseCaseNumber('1712345678901238').ok).toBe(true);
    expect(parseCaseNumber('7112345678901238').ok).toBe(false);
  });

  it('accepts other 8-character letter-and-digit numbers as unverified, and says so', () => {
    expect(parseCaseNumber('abcd1234')).toEqual({
      ok: true,
      caseNumber: 'ABCD1234',
      format: 'unverified',
      verified: false,
      description: 'unverified format: 8 letters and digits — check it against the claim papers',
    });
    expect(ok('12AB34CD')).toMatchObject({ format: 'unverified' });
  });

  it('accepts a leading # before civil and MCOL numbers too', () => {
    expect(ok('#305JE126').caseNumber).toBe('305JE126');
  });

  it('refuses an empty input with examples of valid numbers', () => {
    for (const blank of ['', '   ', '#']) {
      const why = reason(blank);
      expect(why).toMatch(/No case number/);
      expect(why).toContain('305JE126');
      expect(why).toContain('A1QZ1234');
    }
  });

  it('refuses 8 letters with no digits', () => {
    expect(reason('ABCDEFGH')).toMatch(/no digits.*305JE126/);
  });

  it('refuses a digits-only number of the wrong length, saying how many digits it has', () => {
    expect(reason('12345678')).toMatch(/has 8 digits; a case reference has 16/);
    expect(reason('171234567890123')).toMatch(/has 15 digits/);
    expect(reason('17123456789012380')).toMatch(/has 17 digits/);
  });

  it('refuses 16 digits grouped other than in fours', () => {
    expect(reason('171 2345678901238')).toMatch(/grouped oddly.*four groups of four/);
  });

  it('refuses letters-and-digits of the wrong length', () => {
    expect(reason('CASE12')).toMatch(/"CASE12" has 6 characters; case numbers have 8/);
    expect(reason('305JE1266')).toMatch(/has 9 characters/);
  });

  it('names a character that does not belong', () => {
    expect(reason('305/JE/126')).toMatch(/contains "\/"; case numbers are letters and digits only/);
    expect(reason('305 JE 126')).toMatch(/contains a space/);
    expect(reason('305-JE126')).toMatch(/contains "-"/);
  });

  it('never throws on odd input', () => {
    for (const odd of ['\u0000', '😀😀😀😀', '#'.repeat(50), '-'.repeat(16), ' - - ', 'ß'.repeat(8)]) {
      expect(() => parseCaseNumber(odd)).not.toThrow();
      expect(parseCaseNumber(odd).ok).toBe(false);
    }
  });
});

describe('luhnValid', () => {
  it('agrees with the published examples', () => {
    expect(luhnValid('1712345678901238')).toBe(true);
    expect(luhnValid('1712345678901239')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('findCaseNumbers', () => {
  it('finds civil, MCOL and 16-digit numbers in free text, normalised, in order', () => {
    const text = 'Hi, my claim is 305je126. The MCOL one was a1qz1234 and the new ref is #1712 3456 7890 1238.';
    expect(findCaseNumbers(text).map((n) => [n.caseNumber, n.format])).toEqual([
      ['305JE126', 'civil'],
      ['A1QZ1234', 'mcol'],
      ['1712345678901238', 'ccd'],
    ]);
  });

  it('carries the description and verified flag of each number', () => {
    expect(findCaseNumbers('claim 305JE126')).toEqual([
      { caseNumber: '305JE126', format: 'civil', verified: true, description: 'County Court civil claim number' },
    ]);
  });

  it('lists a number mentioned twice once', () => {
    expect(findCaseNumbers('305JE126 ... again 305je126 and 1712-3456-7890-1238 = 1712345678901238').map((n) => n.caseNumber)).toEqual([
      '305JE126',
      '1712345678901238',
    ]);
  });

  it('ignores unverified shapes, failed check digits and numbers inside longer words', () => {
    expect(findCaseNumbers('password ABCD1234, ref 1712345678901239, code X305JE126, 305JE1267')).toEqual([]);
  });

  it('does not cut a 16-digit reference out of a longer run of digit groups', () => {
    expect(findCaseNumbers('card 1712 3456 7890 1238 5555')).toEqual([]);
    expect(findCaseNumbers('card 5555 1712 3456 7890 1238')).toEqual([]);
    expect(findCaseNumbers('17123456789012380')).toEqual([]);
  });

  it('does not mistake a phone number or a date for a case number', () => {
    expect(findCaseNumbers('Call me on 07700 900123 about the hearing on 12/03/2025 at 10:00')).toEqual([]);
  });

  it('finds numbers next to punctuation', () => {
    expect(findCaseNumbers('(305JE126), "A1QZ1234"; ref:1712-3456-7890-1238!').map((n) => n.caseNumber)).toEqual([
      '305JE126',
      'A1QZ1234',
      '1712345678901238',
    ]);
  });

  it('returns nothing for text without case numbers', () => {
    expect(findCaseNumbers('')).toEqual([]);
    expect(findCaseNumbers('When is my hearing?')).toEqual([]);
  });
});
