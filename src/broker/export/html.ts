// The HTML transcript: one self-contained, printable page (A4). Nothing in it is fetched from
// anywhere (its Content-Security-Policy forbids every load but its own inline style), everything
// from the journal is escaped, and the court email's HTML part is shown as the court saw it in a
// sandboxed frame: no scripts, no forms, no navigation, and the same policy, so the HTML of an
// email cannot reach out of its box or load anything either.
import { escapeHtml } from '../../domain/template-html.js';
import { londonTime, type TimelineEntry, type Transcript, type TranscriptEnquiry } from '../../domain/transcript.js';
import { actorName, channelName, customer, describe, INTERNAL_NOTE, languageName, sourceSentence, standing, summary, title, untaggedNote, type Described, type EmailShown } from './describe.js';
import { visible } from './plain.js';

export const HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
@page { size: A4; margin: 15mm; }
html { background: #fff; color: #0b0c0c; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.45; max-width: 50em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 0.3em; }
h2 { font-size: 15pt; margin: 1.5em 0 0.4em; padding-top: 0.4em; border-top: 3px solid #0b0c0c; break-after: avoid; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0.5em 0 1em; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code, .hash { font-family: "Courier New", Courier, monospace; overflow-wrap: anywhere; }
.untagged { border: 2px solid #0b0c0c; padding: 0.4em 0.6em; font-weight: bold; }
ol.timeline { list-style: none; margin: 0; padding: 0; }
li.entry { margin: 0 0 0.9em; padding: 0.3em 0 0.3em 0.7em; border-left: 4px solid #b1b4b6; }
li.entry:not(.with-email) { break-inside: avoid; }
li.note { border-left-color: #594d00; background: #fff7bf; }
li.answer { border-left-color: #1d70b8; }
.when { margin: 0; color: #383f43; font-size: 9.5pt; break-after: avoid; }
.headline { margin: 0.1em 0; font-weight: bold; break-after: avoid; }
.label { display: inline-block; margin: 0.2em 0; padding: 0 0.4em; border: 2px solid #594d00; color: #0b0c0c; font-weight: bold; text-transform: uppercase; font-size: 9pt; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.2em 0 0; }
.email { border: 1px solid #505a5f; padding: 0.5em 0.7em; margin: 0.4em 0 0; }
.email h3 { font-size: 11pt; margin: 0.6em 0 0.2em; break-after: avoid; }
.email pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; margin: 0; }
.email iframe { display: block; width: 100%; border: 1px solid #b1b4b6; background: #fff; break-inside: avoid; }
footer { margin-top: 2em; break-inside: avoid; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  section.enquiry + section.enquiry { break-before: page; }
}
`;

export function renderHtml(t: Transcript): string {
  const s = t.source;
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    // A constant with neither " nor &: nothing to escape.
    `<meta http-equiv="Content-Security-Policy" content="${HTML_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Transcript: ${esc(title(t))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Transcript: ${esc(title(t))}</h1>`,
    `<p>${esc(summary(t))}</p>`,
    meta([
      ['Generated', time(t.generatedAt)],
      ['Journal records', `seq ${s.firstSeq} to seq ${s.lastSeq}`],
      ['Journal head', `seq ${s.headSeq}`],
    ]),
    '</header>',
    '<main>',
    ...t.enquiries.map((e) => enquiry(e, t.case)),
    '</main>',
    '<footer>',
    '<h2>Where this transcript comes from</h2>',
    `<p>${esc(sourceSentence(s))}</p>`,
    meta([
      ['Head seq', String(s.headSeq)],
      ['Head hash', `<span class="hash">${esc(s.headHash)}</span>`],
      ['Epoch', `<span class="hash">${esc(s.epoch)}</span>`],
    ]),
    ...s.notes.map((n) => `<p>Note: ${esc(n)}</p>`),
    '</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function enquiry(e: TranscriptEnquiry, caseNumber: string | undefined): string {
  const bySeq = new Map(e.timeline.map((x) => [x.seq, x]));
  const id = `enquiry-${e.id}`;
  return [
    `<section class="enquiry" aria-labelledby="${esc(id)}">`,
    `<h2 id="${esc(id)}">Enquiry ${esc(e.id)}</h2>`,
    meta([
      ['From', esc(customer(e))],
      ['Channel', esc(channelName(e.channel))],
      ['Language', esc(languageName(e.language))],
      ['Received', time(e.receivedAt)],
      ['Status', esc(standing(e))],
      ['Case numbers', e.caseNumbers.length > 0 ? esc(e.caseNumbers.join(', ')) : 'none'],
    ]),
    e.stillTagged === false && caseNumber !== undefined ? `<p class="untagged">${esc(untaggedNote(caseNumber))}</p>` : '',
    '<ol class="timeline">',
    ...e.timeline.map((x) => entry(x, describe(x, e, bySeq))),
    '</ol>',
    '</section>',
  ].join('\n');
}

function entry(x: TimelineEntry, d: Described): string {
  const kind = d.internal ? ' note' : x.kind === 'escalation.answered' ? ' answer' : d.email ? ' with-email' : '';
  const lang = d.textLanguage && d.textLanguage !== 'en' ? ` lang="${esc(d.textLanguage)}"` : '';
  return [
    `<li class="entry${kind}">`,
    `<p class="when">${time(x.at)} · seq ${x.seq} · by ${esc(actorName(x))}</p>`,
    d.internal ? `<p class="label">${esc(INTERNAL_NOTE)}</p>` : '',
    `<p class="headline">${esc(d.headline)}</p>`,
    d.text !== undefined ? `<p class="text"${lang}>${esc(d.text)}</p>` : '',
    d.email ? email(d.email) : '',
    '</li>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function email(m: EmailShown): string {
  const lang = ` lang="${esc(m.language)}"`;
  return [
    '<div class="email">',
    meta([
      ['To', esc(`${m.courtName} <${m.to}>`)],
      ['Subject', `<span${lang}>${esc(m.subject)}</span>`],
      ['Template', esc(`${m.template} (${languageName(m.language)})`)],
    ]),
    '<h3>Plain text part, as sent</h3>',
    `<pre${lang}>${esc(m.text)}</pre>`,
    '<h3>HTML part, as the court saw it</h3>',
    // srcdoc is an attribute: escaping it keeps the email's markup inside it; the sandbox keeps it inert.
    `<iframe sandbox="" referrerpolicy="no-referrer" title="${esc(`The HTML part of the email: ${m.subject}`)}" style="height: ${frameHeight(m.text)}em" srcdoc="${escapeHtml(m.html)}"></iframe>`,
    '</div>',
  ].join('\n');
}

/**
 * A frame does not grow to fit what it shows, and a script that measured it would need scripts
 * allowed. The plain text part is the same email line for line, so its length, wrapped at the
 * email's wider type, gives the height (in the page's em) with room to spare.
 */
function frameHeight(text: string): number {
  const rows = text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 60)), 0);
  return Math.ceil(rows * 1.8 + 4);
}

function meta(rows: [string, string][]): string {
  return `<dl class="meta">\n${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n')}\n</dl>`;
}

function time(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(londonTime(iso))}</time>`;
}

/** Text from the journal, with acting characters shown and markup escaped. */
function esc(text: string): string {
  return escapeHtml(visible(text));
}
