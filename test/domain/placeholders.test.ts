import { describe, expect, it } from 'vitest';
import { fieldKey, fieldsUsed, fillPlaceholders, missingValues, splitPlaceholders } from '../../src/domain/placeholders.js';

describe('placeholders, one engine for court templates and canned replies', () => {
  it('match names ignoring case, spaces, underscores and hyphens', () => {
    expect(fieldKey('Case_Numbers')).toBe('casenumbers');
    expect(fieldKey(' case - number ')).toBe('casenumber');
    expect(fillPlaceholders('((Case Number)) / ((case_number)) / ((CASE-NUMBER))', { casenumber: '305JE126' })).toBe('305JE126 / 305JE126 / 305JE126');
  });

  it('list each field once, as first written, and which are required', () => {
    expect(fieldsUsed(splitPlaceholders('((Name)) ((name)) ((hearing date??on ((x))))'))).toEqual({ fields: ['Name'], required: ['Name'] });
    expect(fieldsUsed(splitPlaceholders('((note??See: )) ((Name)) ((note))'))).toEqual({ fields: ['note', 'Name'], required: ['Name', 'note'] });
  });

  it('show conditional text only for a value that is not empty, "no" or "false"', () => {
    const text = 'Hello((urgent?? – urgent)).';
    expect(fillPlaceholders(text, { urgent: 'yes' })).toBe('Hello – urgent.');
    for (const v of ['', 'no', 'FALSE']) expect(fillPlaceholders(text, { urgent: v })).toBe('Hello.');
    expect(missingValues(text, {})).toEqual([]);
  });

  it('leave a placeholder without a value, and text that is not a placeholder, as written', () => {
    expect(fillPlaceholders('Dear ((name)), see ((1)) and ((', {})).toBe('Dear ((name)), see ((1)) and ((');
    expect(missingValues('Dear ((name)), see ((1))', {})).toEqual(['name']);
  });

  it('describe every malformed placeholder, for refusing a template', () => {
    const problems: string[] = [];
    splitPlaceholders('((1)) ((a??b ((c)))) ((open', 'body', problems);
    expect(problems).toEqual([
      'body: "((1))" is not a placeholder: a field name is letters, digits, spaces, "_" or "-", starting with a letter',
      'body: "((a??b ((c))..." puts a placeholder inside conditional text, which is not supported',
      'body: "((" is never closed',
    ]);
  });
});
