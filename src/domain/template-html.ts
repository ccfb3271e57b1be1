// A rendered template as the HTML part of an email, styled like GOV.UK Notify's emails.
import type { Language } from './events.js';
import type { Block, Line } from './template-blocks.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?]/g;
const LINK_STYLE = 'color:#1d70b8;text-decoration:underline;';

/** Template text: markdown links and bare http(s) URLs become links; everything else is escaped. */
function literalHtml(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    out += escapeHtml(text.slice(last, m.index));
    const href = m[2] ?? m[0];
    const label = m[1] ?? m[0];
    out += `<a href="${escapeHtml(href)}" style="${LINK_STYLE}">${escapeHtml(label)}</a>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

function lineHtml(line: Line): string {
  return line
    .map((s) => ('lit' in s ? literalHtml(s.lit) : escapeHtml(s.val)))
    .join('')
    .replace(/\n/g, '<br>\n');
}

const P_STYLE = 'margin:0 0 20px 0;';
export function blocksToHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading':
          return b.level === 1
            ? `<h2 style="margin:0 0 20px 0;font-size:27px;line-height:35px;">${lineHtml(b.content)}</h2>`
            : `<h3 style="margin:0 0 15px 0;font-size:19px;line-height:25px;">${lineHtml(b.content)}</h3>`;
        case 'bullets':
        case 'numbers': {
          const tag = b.kind === 'bullets' ? 'ul' : 'ol';
          const items = b.items.map((i) => `<li style="margin:5px 0;">${lineHtml(i)}</li>`).join('\n');
          return `<${tag} style="margin:0 0 20px 0;padding-left:20px;">\n${items}\n</${tag}>`;
        }
        case 'inset':
          return `<blockquote style="margin:0 0 20px 0;border-left:10px solid #b1b4b6;padding:15px 0 0.1px 15px;"><p style="${P_STYLE}">${b.lines.map(lineHtml).join('<br>\n')}</p></blockquote>`;
        case 'rule':
          return '<hr style="border:0;height:1px;background:#b1b4b6;margin:30px 0;">';
        case 'paragraph':
          return `<p style="${P_STYLE}">${b.lines.map(lineHtml).join('<br>\n')}</p>`;
      }
    })
    .join('\n');
}

export function htmlDocument(language: Language, subject: string, content: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:20px;font-family:Helvetica,Arial,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;">',
    content,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
