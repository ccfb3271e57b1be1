// The plain-text transcript: 80 columns, for pasting into a letter or a case file.
import { londonTime, type Transcript, type TranscriptEnquiry } from '../../domain/transcript.js';
import { actorName, channelName, customer, describe, INTERNAL_NOTE, languageName, sourceSentence, standing, summary, title, untaggedNote } from './describe.js';
import { visible, wrap } from './plain.js';

const WIDTH = 80;
const HEAVY = '='.repeat(WIDTH);
const LIGHT = '-'.repeat(WIDTH);

export function renderText(t: Transcript): string {
  const lines: string[] = [
    ...wrap(visible(`COURTDESK TRANSCRIPT: ${title(t)}`), WIDTH),
    ...wrap(visible(summary(t)), WIDTH),
    ...pairs([['Generated', londonTime(t.generatedAt)]]),
    '',
    ...t.enquiries.flatMap((e) => enquiryLines(e, t.case)),
    HEAVY,
    ...sourceLines(t),
  ];
  return `${lines.join('\n')}\n`;
}

function enquiryLines(e: TranscriptEnquiry, caseNumber: string | undefined): string[] {
  const bySeq = new Map(e.timeline.map((x) => [x.seq, x]));
  const lines = [
    HEAVY,
    `ENQUIRY ${e.id}`,
    ...pairs([
      ['From', customer(e)],
      ['Channel', channelName(e.channel)],
      ['Language', languageName(e.language)],
      ['Received', londonTime(e.receivedAt)],
      ['Status', standing(e)],
      ['Case numbers', e.caseNumbers.length > 0 ? e.caseNumbers.join(', ') : 'none'],
    ]),
  ];
  if (e.stillTagged === false && caseNumber !== undefined) lines.push(...wrap(untaggedNote(caseNumber), WIDTH));
  lines.push(LIGHT);
  for (const entry of e.timeline) {
    const d = describe(entry, e, bySeq);
    lines.push('', ...wrap(`${entry.atLondon} · seq ${entry.seq} · ${visible(actorName(entry))}`, WIDTH));
    if (d.internal) lines.push(`  [${INTERNAL_NOTE}]`);
    lines.push(...wrap(visible(d.headline), WIDTH, '  '));
    if (d.text !== undefined) lines.push(...wrap(visible(d.text), WIDTH, d.internal ? '  ! ' : '  | '));
    if (d.email) {
      const m = d.email;
      lines.push(
        ...pairs(
          [
            ['To', `${m.courtName} <${m.to}>`],
            ['Subject', m.subject],
            ['Template', `${m.template} (${languageName(m.language)})`],
          ],
          '  ',
        ),
        '  --- Plain text part, as sent ---',
        ...wrap(visible(m.text.replace(/\n$/, '')), WIDTH, '  | '),
        '  --- HTML part, as sent ---',
        ...wrap(visible(m.html.replace(/\n$/, '')), WIDTH, '  | '),
        '  --- end of email ---',
      );
    }
  }
  lines.push('');
  return lines;
}

function sourceLines(t: Transcript): string[] {
  const s = t.source;
  return [
    ...wrap(
      sourceSentence(s),
      WIDTH,
    ),
    '',
    ...pairs([
      ['Head seq', String(s.headSeq)],
      ['Head hash', s.headHash],
      ['Epoch', s.epoch],
    ]),
    ...s.notes.flatMap((n) => wrap(visible(`Note: ${n}`), WIDTH)),
  ];
}

/** "Label        value", the values aligned and wrapped under each other. */
function pairs(rows: [string, string][], indent = ''): string[] {
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.flatMap(([label, value]) => {
    const [first = '', ...rest] = wrap(visible(value), WIDTH - indent.length - labelWidth);
    return [`${indent}${label.padEnd(labelWidth)}${first}`, ...rest.map((line) => `${indent}${' '.repeat(labelWidth)}${line}`)];
  });
}
