import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/broker/export/html.js';
import { visible, wrap } from '../../../src/broker/export/plain.js';
import { renderTranscript } from '../../../src/broker/export/render.js';
import { renderText } from '../../../src/broker/export/text.js';
import type { JournalRecord } from '../../../src/domain/events.js';
import { buildTranscript, type Transcript } from '../../../src/domain/transcript.js';
import { expectInOrder } from '../../helpers/in-order.js';
import { caseHistory, EMAIL_HTML, HEAD, records } from '../../domain/transcript-records.js';

const NOW = new Date('2026-12-02T17:00:00.000Z');
const LONG_URL = `https://example.org/${'a'.repeat(150)}`;
const TRICKS = `red \u001b[31malert\u001b[0m, carriage\rreturn, \u202Eреверс, tab\there`;

/** The case history with a long message and one full of characters that act instead of show. */
function transcript(): Transcript {
  const history = caseHistory();
  const extra = records('2026-12-02T18:00:00.000Z', [
    [{ kind: 'intake', name: 'webform' }, { type: 'enquiry.message', enquiryId: 'E1', messageId: 'M9', text: `See ${LONG_URL} and ${'word '.repeat(60)}` }],
    [{ kind: 'intake', name: 'webform' }, { type: 'enquiry.message', enquiryId: 'E1', messageId: 'M10', text: TRICKS }],
  ]).map((r, i): JournalRecord => ({ ...r, seq: history.length + 1 + i }));
  return buildTranscript({ case: '305JE126' }, [...history, ...extra], HEAD, NOW)!;
}

const STORY = [
  'Dee Jones <+447700900123> wrote in by WhatsApp, in English',
  'Claimed by alice',
  'Reply to the customer by alice',
  'Reply (seq 4) sent, attempt 1',
  'Internal note — not sent to the customer',
  'Tagged with case 305JE126 (County Court civil claim number)',
  'Escalated by email to Birmingham County Court (escalation X1)',
  'Hearing date – 305JE126',
  'Email to Birmingham County Court (seq 12) sent, attempt 1; due a chase on Wed 9 Dec 2026',
  'Reply (seq 4) delivered, attempt 1',
  'opened by sam (supervisor) via workbench: complaint review',
  'Answer from Birmingham County Court (seq 12), recorded by webform',
  'Received on 20 November.',
  'Transferred from alice to bob',
  'enquiry.frobbed by audrey',
  'Closed by bob',
  'Reopened by bob',
  'Released by bob',
];

describe('renderText', () => {
  const text = renderText(transcript());

  it('tells the story in journal order, with London times and actors', () => {
    // A headline too long for a line goes on under it, indented.
    const unwrapped = text.replace(/\n {2}(?! )/g, ' ');
    expectInOrder(unwrapped, ['COURTDESK TRANSCRIPT: Case 305JE126', 'ENQUIRY E1', ...STORY, 'ENQUIRY E2', 'Case 305JE126 untagged']);
    expect(text).toContain('Wed 2 Dec 2026, 16:00:00 GMT · seq 1 · webform (intake)');
    expect(text).toContain('This enquiry is no longer tagged 305JE126');
  });

  it('shows the email as sent, both parts', () => {
    expectInOrder(text, ['Subject   Hearing date – 305JE126', '--- Plain text part, as sent ---', '  | Dear court,', '--- HTML part, as sent ---', '  | <!DOCTYPE html>', '--- end of email ---']);
  });

  it('ends with the seq range and the head to check it against', () => {
    expectInOrder(text, ['from seq 1 to seq 25', `Head hash  ${'f'.repeat(64)}`, 'Epoch      epoch-2']);
  });

  it('keeps to 80 columns, cutting a word longer than a line', () => {
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(text.replace(/\n {2}\| /g, '')).toContain(LONG_URL);
  });

  it('shows characters that would act on a terminal as their codes', () => {
    expect(text).not.toMatch(/[\u001b\r\u202E]/);
    expect(text).toContain('red [U+001B][31malert[U+001B][0m, carriage');
    expect(text).toContain('[U+202E]реверс');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(transcript());
  // The email's own HTML, escaped inside its frame's srcdoc, is checked on its own below.
  const page = html.replace(/ srcdoc="[^"]*"/g, '');

  it('is one page that loads nothing: no scripts, styles, fonts, images or frames from anywhere', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en-GB">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(page).not.toMatch(/<(script|link|img|object|embed|base|form)\b/i);
    // Inside tags: what court users wrote may say "src=", escaped, as text.
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href|srcset|action)\s*=/i);
    expect(page).not.toMatch(/url\(|@import/i);
  });

  it('prints on A4 with each enquiry on its own page', () => {
    expect(html).toContain('@page { size: A4; margin: 15mm; }');
    expect(html).toContain('section.enquiry + section.enquiry { break-before: page; }');
  });

  it('tells the same story in the same order', () => {
    expectInOrder(html, ['<h1>Transcript: Case 305JE126</h1>', 'Enquiry E1', ...STORY.map(escape), 'Enquiry E2', 'Case 305JE126 untagged', escape('f'.repeat(64))]);
    expect(html).toContain('<time datetime="2026-12-02T16:00:00.000Z">Wed 2 Dec 2026, 16:00:00 GMT</time>');
  });

  it("escapes what court users wrote, so it shows as text and never as markup", () => {
    expect(html).toContain('Has the court got my defence? &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('red [U+001B][31malert[U+001B][0m');
    expect(html).not.toMatch(/[\u001b\u202E]/);
  });

  it('marks the internal note where a reader cannot miss it', () => {
    expect(html).toMatch(/<li class="entry note">\n<p class="when">.*seq 6.*<\/p>\n<p class="label">Internal note — not sent to the customer<\/p>\n<p class="headline">Note by alice<\/p>/);
  });

  it('shows the HTML part in a frame with every sandbox restriction, its markup kept inside the attribute', () => {
    const frames = [...html.matchAll(/<iframe ([^>]*)><\/iframe>/g)].map((m) => m[1]!);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/^sandbox="" referrerpolicy="no-referrer" title="[^"]*" style="height: \d+em" srcdoc="[^"<>]*"$/);
    const srcdoc = /srcdoc="([^"]*)"/.exec(frames[0]!)![1]!;
    expect(srcdoc.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(EMAIL_HTML);
  });

  it('marks Welsh conversation as Welsh', () => {
    expect(html).toContain('<p class="text" lang="cy">Is 305JE126 mine?</p>');
  });
});

describe('renderTranscript', () => {
  it('gives the model itself as JSON', () => {
    const t = transcript();
    expect(JSON.parse(renderTranscript(t, 'json'))).toEqual(t);
    expect(Object.keys(JSON.parse(renderTranscript(t, 'json')))).toEqual(['case', 'generatedAt', 'source', 'enquiries']);
  });
});

describe('wrap and visible', () => {
  it('wraps at the width, carrying a line’s own indent, and keeps blank lines', () => {
    expect(wrap('* one two three four five six', 16, '> ')).toEqual(['> * one two', '> three four', '> five six']);
    expect(wrap('  ^ indented words go on', 14)).toEqual(['  ^ indented', '  words go on']);
    expect(wrap('a\n\nb', 10, '| ')).toEqual(['| a', '|', '| b']);
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
  });

  it('shows acting characters as codes and leaves ordinary text, Welsh included, alone', () => {
    expect(visible('a\r\nb\rc\u0007d\u009be\u2066f')).toBe('a\nb\nc[U+0007]d[U+009B]e[U+2066]f');
    expect(visible('Siân Ŵyn — “diolch”')).toBe('Siân Ŵyn — “diolch”');
  });
});

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
