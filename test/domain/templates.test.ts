import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseTemplate,
  PROVIDED_FIELDS,
  renderTemplate,
  TemplateError,
  validateTemplate,
  type Template,
} from '../../src/domain/templates.js';
import { fieldKey } from '../../src/domain/placeholders.js';
import { escapeTextValue } from '../../src/domain/template-text.js';

const standard = {
  customerName: 'Siân Jones',
  caseNumbers: '305JE126',
  channel: 'whatsapp',
  enquiryId: 'E42',
  messageSummary: 'When is my hearing?',
  agentName: 'Priya',
  courtName: 'Cardiff Civil and Family Justice Centre',
};

function ok(result: ReturnType<typeof renderTemplate>) {
  if (!result.ok) throw new Error(result.message);
  return result;
}

describe('parseTemplate', () => {
  it('reads the header, the body and the fields in order of first use', () => {
    const t = parseTemplate(
      'hearing-date',
      'en',
      'subject: Hearing – ((caseNumbers))\nask: hearing_date\ndescription: asks for a date\n\nDear ((Court Name)),\n\n((hearing-date??Listed for a date.))\n((hearingDate)) ((case_numbers))\n',
    );
    expect(t.subject).toBe('Hearing – ((caseNumbers))');
    expect(t.description).toBe('asks for a date');
    expect(t.ask).toEqual(['hearing_date']);
    expect(t.fields).toEqual(['caseNumbers', 'Court Name', 'hearing-date']);
    expect(t.required).toEqual(['caseNumbers', 'Court Name', 'hearingDate']);
    expect(t.body.startsWith('Dear')).toBe(true);
  });

  it('lists every problem in a broken file', () => {
    let error: unknown;
    try {
      parseTemplate('Bad Name', 'en', 'subjekt: x\n\nHello ((1abc)) and ((open\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const problems = (error as TemplateError).problems.join('\n');
    expect(problems).toMatch(/not a template name/);
    expect(problems).toMatch(/expected "subject:"/);
    expect(problems).toMatch(/no subject/);
    expect(problems).toMatch(/"\(\(1abc\)\)" is not a placeholder/);
    expect(problems).toMatch(/never closed/);
  });

  it('rejects a file with no body and placeholders nested in conditional text', () => {
    expect(() => parseTemplate('x', 'en', 'subject: Hi\n')).toThrow(/no body/);
    expect(() => parseTemplate('x', 'en', 'subject: Hi\n\n((a??see ((b))))')).toThrow(/inside conditional text/);
  });
});

describe('field names', () => {
  it('ignore case, spaces, underscores and hyphens', () => {
    expect(fieldKey('Case_Numbers')).toBe(fieldKey('caseNumbers'));
    expect(fieldKey('case numbers')).toBe(fieldKey('CASE-NUMBERS'));
    const t = parseTemplate('x', 'en', 'subject: ((CASE numbers))\n\n((customer_name)) ((Hearing-Date))');
    const r = ok(renderTemplate(t, { caseNumbers: '305JE126', CustomerName: 'Ann', hearing_date: '1 May' }));
    expect(r.subject).toBe('305JE126');
    expect(r.text).toBe('Ann 1 May\n');
  });
});

describe('renderTemplate', () => {
  const t = parseTemplate(
    'demo',
    'en',
    [
      'subject: Enquiry about ((caseNumbers))',
      '',
      '# About ((customerName))',
      '',
      'Dear ((courtName)),',
      'see [the guidance](https://www.gov.uk/make-court-claim-for-money) or https://www.gov.uk/court-tribunal-finder.',
      '',
      '((urgent??This is urgent.))',
      '',
      '* Case: ((caseNumbers))',
      '* Channel: ((channel))',
      '',
      '1. first',
      '2. second',
      '',
      '^ ((messageSummary))',
      '',
      '---',
      '',
      '((agentName))',
    ].join('\n'),
  );

  it('renders text and HTML with the markdown subset', () => {
    const r = ok(renderTemplate(t, standard));
    expect(r.subject).toBe('Enquiry about 305JE126');
    expect(r.text).toBe(
      [
        '# About Siân Jones',
        '',
        'Dear Cardiff Civil and Family Justice Centre,',
        'see [the guidance](https://www.gov.uk/make-court-claim-for-money) or https://www.gov.uk/court-tribunal-finder.',
        '',
        '* Case: 305JE126',
        '* Channel: whatsapp',
        '',
        '1. first',
        '2. second',
        '',
        '^ When is my hearing?',
        '',
        '---',
        '',
        'Priya',
        '',
      ].join('\n'),
    );
    expect(r.html).toContain('<html lang="en">');
    expect(r.html).toMatch(/<h2[^>]*>About Siân Jones<\/h2>/);
    expect(r.html).toMatch(/<a href="https:\/\/www.gov.uk\/make-court-claim-for-money"[^>]*>the guidance<\/a>/);
    expect(r.html).toMatch(/<a href="https:\/\/www.gov.uk\/court-tribunal-finder"[^>]*>https:\/\/www.gov.uk\/court-tribunal-finder<\/a>\./);
    expect(r.html).toMatch(/<ul[^>]*>\n<li[^>]*>Case: 305JE126<\/li>\n<li[^>]*>Channel: whatsapp<\/li>\n<\/ul>/);
    expect(r.html).toMatch(/<ol[^>]*>\n<li[^>]*>first<\/li>\n<li[^>]*>second<\/li>\n<\/ol>/);
    expect(r.html).toMatch(/<blockquote[^>]*><p[^>]*>When is my hearing\?<\/p><\/blockquote>/);
    expect(r.html).toMatch(/<hr/);
  });

  it('shows conditional text only when the field is given and not empty, "no" or "false"', () => {
    for (const shown of ['yes', 'Y', 'true', 'hearing tomorrow']) {
      expect(ok(renderTemplate(t, { ...standard, urgent: shown })).text).toContain('This is urgent.');
    }
    for (const hidden of ['', '  ', 'no', 'NO', 'false', 'False']) {
      const r = ok(renderTemplate(t, { ...standard, urgent: hidden }));
      expect(r.text).not.toContain('urgent');
      expect(r.text).not.toMatch(/\n\n\n/);
    }
    expect(ok(renderTemplate(t, standard)).text).not.toContain('urgent');
    expect(ok(renderTemplate(t, { ...standard, URGENT: 'yes' })).html).toContain('<p style="margin:0 0 20px 0;">This is urgent.</p>');
  });

  it('lists every missing or blank field at once', () => {
    const r = renderTemplate(t, { caseNumbers: '305JE126', courtName: '  ' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.missing).toEqual(['customerName', 'courtName', 'channel', 'messageSummary', 'agentName']);
    expect(r.message).toContain('customerName, courtName, channel, messageSummary, agentName');
  });

  it('keeps multi-line values inside their block', () => {
    const r = ok(renderTemplate(t, { ...standard, messageSummary: 'line one\nline two', channel: 'sms\nweb' }));
    expect(r.text).toContain('^ line one\n^ line two');
    expect(r.text).toContain('* Channel: sms\n  web');
    expect(r.html).toMatch(/<blockquote[^>]*><p[^>]*>line one<br>\nline two<\/p><\/blockquote>/);
  });

  it('puts values with line breaks on one line in the subject', () => {
    const r = ok(renderTemplate(t, { ...standard, caseNumbers: '305JE126,\n A1QZ1234' }));
    expect(r.subject).toBe('Enquiry about 305JE126, A1QZ1234');
  });
});

describe('escaping citizen text', () => {
  const t = parseTemplate('demo', 'cy', 'subject: Ymholiad ((caseNumbers))\n\nNeges:\n\n((messageSummary))\n\n^ ((messageSummary))\n\nEnw: ((customerName))');
  const hostile = [
    '((agentName)) said [click here](https://evil.example/login) <script>alert("x")</script> & \'quoted\'',
    '# I am a heading',
    '* a bullet',
    '- another',
    '1. numbered',
    '^ inset',
    '> quote',
    '---',
    'https://evil.example/bare',
  ].join('\n');

  it('never lets a value add formatting, links or placeholders to the HTML', () => {
    const r = ok(renderTemplate(t, { caseNumbers: '305JE126', messageSummary: hostile, customerName: '<b>Bob</b>' }));
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(r.html).toContain('Enw: &lt;b&gt;Bob&lt;/b&gt;');
    expect(r.html).not.toContain('evil.example/login"');
    expect(r.html).not.toMatch(/<a [^>]*evil/);
    expect(r.html).not.toMatch(/<h2|<ul|<ol|<hr/);
    expect(r.html).toContain('((agentName)) said [click here](https://evil.example/login)');
    expect(r.html).toContain('# I am a heading<br>');
  });

  it('neutralises markdown and placeholder syntax in the text version', () => {
    const r = ok(renderTemplate(t, { caseNumbers: '305JE126', messageSummary: hostile, customerName: 'Bob' }));
    const expected = [
      '(\\(agentName)) said \\[click here\\](https://evil.example/login) <script>alert("x")</script> & \'quoted\'',
      '\\# I am a heading',
      '\\* a bullet',
      '\\- another',
      '1\\. numbered',
      '\\^ inset',
      '\\> quote',
      '\\---',
      'https://evil.example/bare',
    ];
    expect(r.text).toContain(`Neges:\n\n${expected.join('\n')}\n\n`);
    expect(r.text).toContain(`^ ${expected.join('\n^ ')}`);
    expect(r.text).not.toMatch(/(?<!\\)\(\(agentName/);
  });

  it('leaves a value alone mid-line except for brackets and placeholders', () => {
    expect(escapeTextValue('# not a heading (((x)))', false)).toBe('# not a heading (\\(\\(x)))');
    expect(escapeTextValue('  # indented', true)).toBe('  \\# indented');
    expect(escapeTextValue('2024 was fine\n2024. was not', true)).toBe('2024 was fine\n2024\\. was not');
    expect(escapeTextValue('***\n===', true)).toBe('\\***\n\\===');
  });

  it('does not substitute placeholders that appear inside values', () => {
    const r = ok(renderTemplate(t, { caseNumbers: '((customerName))', messageSummary: 'hi', customerName: 'Bob' }));
    expect(r.subject).toBe('Ymholiad ((customerName))');
  });
});

describe('validateTemplate', () => {
  it('accepts standard fields and fields asked of the agent', () => {
    const t = parseTemplate('x', 'en', 'subject: ((case numbers))\nask: documentsSentOn\n\n((documents_sent_on)) ((Agent Name??x))');
    expect(validateTemplate(t)).toEqual([]);
  });

  it('fails a field nobody provides and an ask that is never used', () => {
    const t = parseTemplate('x', 'en', 'subject: Hi\nask: hearingDate\n\n((customerName)) ((hearingTime)) ((urgent??Urgent))');
    const problems = validateTemplate(t);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/\(\(hearingTime\)\), which courtdesk does not provide/);
    expect(problems[1]).toMatch(/\(\(urgent\)\)/);
    expect(problems[2]).toMatch(/asks for "hearingDate" but never uses it/);
  });

  it('knows the chase fields', () => {
    expect(PROVIDED_FIELDS).toContain('originalSubject');
    expect(PROVIDED_FIELDS).toContain('originalSentOn');
    const t: Template = parseTemplate('chase', 'cy', 'subject: Nodyn atgoffa: ((originalSubject))\n\n((original sent on))');
    expect(validateTemplate(t)).toEqual([]);
  });
});

describe('the plain text part, the chase period and the case reference', () => {
  it('shows a clerk no markup and no escapes in the plain text part', () => {
    const t = parseTemplate('t', 'en', 'subject: S\n\n# Urgent\n\n^ ((messageSummary))\n\n* one\n* two\n\n---\n\nEnd');
    const r = renderTemplate(t, { messageSummary: '# not a heading *or* [a link]' });
    if (!r.ok) throw new Error(r.message);
    expect(r.plain).toBe('Urgent\n======\n\n    # not a heading *or* [a link]\n\n  • one\n  • two\n\n----------------------------------------\n\nEnd\n');
    expect(r.text).toContain('^ \\# not a heading'); // Notify's version stays escaped markdown
  });

  it('reads a template\'s own chase period, and refuses one that is not 0 to 30 working days', () => {
    expect(parseTemplate('t', 'en', 'subject: S\nchase-after: 1\n\nBody').chaseAfterDays).toBe(1);
    expect(parseTemplate('t', 'en', 'subject: S\n\nBody').chaseAfterDays).toBeNull();
    expect(() => parseTemplate('t', 'en', 'subject: S\nchase-after: soon\n\nBody')).toThrow(/chase-after: "soon" is not a number of working days from 0 to 30/);
  });

  it('the general template names the tagged case number, or says there is none, in its own language', () => {
    for (const [language, tagged, none] of [
      ['en', 'Case number: 305JE126.', 'No case number has been given yet.'],
      ['cy', 'Rhif yr achos: 305JE126.', "Nid oes rhif achos wedi'i roi eto."],
    ] as const) {
      const t = parseTemplate('general', language, readFileSync(new URL(`../../templates/${language}/general.md`, import.meta.url), 'utf8'));
      const base = { customerName: 'Siân', enquiryId: 'E1', messageSummary: 'Help', agentName: 'alice', courtName: 'Cardiff' };
      const withCase = renderTemplate(t, { ...base, caseReference: tagged });
      const without = renderTemplate(t, { ...base, caseReference: none });
      expect(withCase.ok && withCase.plain).toContain(tagged);
      expect(without.ok && without.plain).toContain(none);
    }
  });
});
