// What the escalation dialog draws: the whole frame, one step at a time, never more lines than
// the frame has (rows - 1) and never wider than the terminal. Pure: the layout is tested without Ink.
import type { Enquiry } from '../../domain/enquiry.js';
import { clip, displayName, type Segment } from '../format.js';
import type { Symbols } from '../theme.js';
import { windowTop } from '../queue-view.js';
import { fit, textWidth, truncate, wrap } from '../text.js';
import { shortDate, threadLine, threads, times } from '../escalation-threads.js';
import type { LineState } from './line-editor.js';
import type { CourtChoice, EscalateState, PreviewWindow } from './escalate-types.js';
import { queryOf, templatesFor } from './escalate.js';
import { words } from './escalate-fields.js';
import { escalateHints } from './escalate-keys.js';

/** A line of text, or the text field with its cursor (drawn by the component). */
export type ScreenLine = { segments: Segment[] } | { field: LineState; prompt: string };

export interface EscalateViewOptions {
  width: number;
  /** Lines the frame may take: the terminal's rows - 1. */
  height: number;
  nowMs: number;
  symbols: Symbols;
  /** The enquiry, for its name and the escalations it already has. */
  enquiry: Enquiry | undefined;
}

export interface EscalateScreen {
  lines: ScreenLine[];
  /** How the preview scrolls at this size. */
  window: PreviewWindow;
}

const STEP_TITLES = { court: 'choose the court', template: 'choose the template', fields: 'fill in the details', preview: 'check the email and send it' } as const;
const STEP_NUMBER = { court: 1, template: 2, fields: 3, preview: 4 } as const;
const MAX_PROBLEM_LINES = 3;
/** Lines under the template list for the selected one's description and what it asks for. */
const MAX_DETAIL_LINES = 3;

export function escalateScreen(s: EscalateState, o: EscalateViewOptions): EscalateScreen {
  const text = (t: string, role?: Segment['role']): ScreenLine => ({ segments: clip([{ text: t, ...(role ? { role } : {}) }], o.width) });
  const who = o.enquiry ? `${displayName(o.enquiry)}'s enquiry` : 'the enquiry';
  const top: ScreenLine[] = [text(`Escalate ${who} to a court ${o.symbols.separator} ${STEP_NUMBER[s.step]} of 4: ${STEP_TITLES[s.step]}`, 'strong')];
  const bottom: ScreenLine[] = [...statusLines(s, o).map((l) => text(l.text, l.role)), text(escalateHints(s), 'dim')];
  let body: (room: number) => ScreenLine[];

  switch (s.step) {
    case 'court': {
      const existing = o.enquiry ? threads(o.enquiry) : [];
      if (existing.length > 0) {
        const n = existing.length;
        top.push(text(`Already emailed about this enquiry ${n === 1 ? 'once' : times(n)}:`, 'warning'));
        for (const x of existing.slice(-2)) top.push({ segments: clip([{ text: '  ' }, ...threadLine(x, o.enquiry!.escalations, o.nowMs, o.width - 2, o.symbols)], o.width) });
      }
      top.push({ field: s.query, prompt: 'Court: ' });
      body = (room) => {
        const top_ = windowTop(s.courts.length, s.courtIndex, room, 0);
        return s.courts.slice(top_, top_ + room).map((c, i) => ({ segments: courtRow(c, top_ + i === s.courtIndex, o) }));
      };
      break;
    }
    case 'template': {
      top.push(toLine(s, o));
      const list = templatesFor(s);
      body = (room) => {
        const selected = list[s.templateIndex];
        // The selected template's description and what it asks for, wrapped: its row has room for only the start of them.
        const about = selected ? [selected.description ?? '', selected.ask.length > 0 ? `${selected.name} asks you for: ${selected.ask.map(words).join(', ')}.` : ''].filter(Boolean).join(' ') : '';
        const detail = about === '' ? [] : wrap(about, Math.max(1, o.width - 2)).slice(0, MAX_DETAIL_LINES).map((l) => text(`  ${l}`, 'dim'));
        const rows = Math.max(0, room - detail.length);
        const t = windowTop(list.length, s.templateIndex, rows, 0);
        const lines = list.slice(t, t + rows).map((tpl, i) => {
          const index = t + i;
          const mark = index === s.templateIndex ? `${o.symbols.selected} ` : '  ';
          const name = `${index + 1}. ${tpl.name}`;
          const room = o.width - textWidth(mark) - textWidth(name);
          return {
            segments: clip(
              [
                { text: mark, role: index === s.templateIndex ? 'selected' : undefined },
                { text: name, role: index === s.templateIndex ? 'strong' : undefined },
                { text: tpl.description && room > 4 ? truncate(`  ${tpl.description}`, room, o.symbols.ellipsis) : '', role: 'dim' },
              ],
              o.width,
            ),
          } as ScreenLine;
        });
        return [...lines, ...(room - lines.length >= detail.length ? detail : [])];
      };
      break;
    }
    case 'fields': {
      top.push(toLine(s, o));
      if (s.template) top.push(text(`Template: ${s.template.name} (${s.template.language === 'cy' ? 'Welsh' : 'English'})`, 'dim'));
      body = (room) => {
        const lines: ScreenLine[] = [];
        s.fields.forEach((f, i) => {
          const label = `${words(f.name)}${f.optional ? ' (optional)' : ''}`;
          if (i === s.fieldIndex) {
            lines.push({ field: s.field, prompt: `${o.symbols.selected} ${f.kind === 'case-number' ? 'case number' : label}: ` });
            if (f.kind === 'case-number') lines.push(text('    The template needs the case number: Enter tags it on the enquiry.', 'dim'));
            else if (f.optional) lines.push(text('    Optional: Enter with nothing typed leaves it out.', 'dim'));
          } else {
            const value = s.values[f.name];
            lines.push({ segments: clip([{ text: `  ${label}: `, role: 'dim' }, { text: value ?? (i < s.fieldIndex ? '(left out)' : '') }], o.width) });
          }
        });
        // Keep the field being typed in view when there are more fields than room.
        const at = lines.findIndex((l) => 'field' in l);
        const t = windowTop(lines.length, Math.max(0, at), room, 0);
        return lines.slice(t, t + room);
      };
      break;
    }
    case 'preview': {
      const p = s.preview;
      if (p) {
        // The recipient and subject in full: what is about to be sent must not be cut.
        toLines(p, o.width).forEach((l, i) => top.push({ segments: clip([{ text: i === 0 ? 'To: ' : '    ', role: 'dim' }, { text: l, role: 'strong' }], o.width) }));
        subjectLines(p.subject, o.width).forEach((l, i) => top.push({ segments: clip([{ text: i === 0 ? 'Subject: ' : '         ', role: 'dim' }, { text: l, role: 'strong' }], o.width) }));
        top.push(text(o.symbols.rule.repeat(o.width), 'dim'));
      }
      const all = p ? wrap(p.text, o.width) : [];
      const window = previewWindow(s, o.width, o.height);
      const start = Math.min(s.scroll, window.maxScroll);
      const shown = all.slice(start, start + window.room).map((l) => text(l));
      // A long email says where the reader is, in place of the usual status line.
      if (all.length > window.room && !s.problem && !s.waiting) {
        bottom[bottom.length - 2] = text(`Lines ${start + 1}-${start + shown.length} of ${all.length}: j/k or PgUp/PgDn to read on. Enter or y sends it.`, 'accent');
      }
      return { lines: fitLines(top, shown, bottom, o.height), window };
    }
  }
  const room = Math.max(0, o.height - top.length - bottom.length);
  return { lines: fitLines(top, body(room), bottom, o.height), window: { page: 1, maxScroll: 0 } };
}

function toLines(p: { courtName: string; to: string }, width: number): string[] {
  return wrap(`${p.courtName} <${p.to}>`, Math.max(1, width - 4)).slice(0, 2);
}

function subjectLines(subject: string, width: number): string[] {
  return wrap(subject, Math.max(1, width - 9)).slice(0, 2);
}

/** How the preview scrolls at a size: the lines its body has room for, a page, the furthest scroll. */
export function previewWindow(s: EscalateState, width: number, height: number): PreviewWindow & { room: number } {
  const p = s.preview;
  const top = 1 + (p ? toLines(p, width).length + subjectLines(p.subject, width).length + 1 : 0);
  const bottom = (s.problem ? Math.min(MAX_PROBLEM_LINES, wrap(s.problem, width).length) : 1) + 1;
  const room = Math.max(0, height - top - bottom);
  const total = p ? wrap(p.text, width).length : 0;
  return { room, page: Math.max(1, room - 1), maxScroll: Math.max(0, total - room) };
}

/** Top, as much body as fits, then the bottom (status and footer), never more than `height` lines. */
function fitLines(top: ScreenLine[], body: ScreenLine[], bottom: ScreenLine[], height: number): ScreenLine[] {
  const room = Math.max(0, height - top.length - bottom.length);
  const padded = [...body.slice(0, room), ...Array.from({ length: Math.max(0, room - body.length) }, () => ({ segments: [] }))];
  const all = [...top, ...padded, ...bottom];
  if (all.length <= height) return all;
  // A very short terminal: the footer and status matter more than the title.
  return [...all.slice(0, Math.max(0, height - bottom.length)), ...bottom].slice(-height);
}

function toLine(s: EscalateState, o: EscalateViewOptions): ScreenLine {
  const c = s.court;
  if (!c) return { segments: [] };
  // The address is shown whole in the preview; here the court's name and what it has not answered.
  const counts = c.unanswered > 0 ? ` ${o.symbols.separator} ${unansweredText(c, o.nowMs)}` : '';
  const name = truncate(c.name, Math.max(10, o.width - 4 - textWidth(counts)), o.symbols.ellipsis);
  return { segments: clip([{ text: 'To: ', role: 'dim' }, { text: name, role: 'strong' }, { text: counts, role: 'amber' }], o.width) };
}

export function unansweredText(c: Pick<CourtChoice, 'unanswered' | 'oldestSince'>, nowMs: number): string {
  if (c.unanswered === 0) return 'none unanswered';
  return `${c.unanswered} unanswered${c.oldestSince ? `, oldest ${shortDate(c.oldestSince, nowMs)}` : ''}`;
}

/** `› Bristol Civil and Family Justice Centre        emailed for this enquiry · 2 unanswered, oldest 3 Nov` */
function courtRow(c: CourtChoice, selected: boolean, o: EscalateViewOptions): Segment[] {
  const mark = selected ? `${o.symbols.selected} ` : '  ';
  const used = c.usedHere ? `used here ${o.symbols.separator} ` : '';
  const counts = unansweredText(c, o.nowMs);
  const right = ` ${used}${counts}`;
  const nameWidth = Math.max(10, o.width - textWidth(mark) - textWidth(right));
  return clip(
    [
      { text: mark, role: selected ? 'selected' : undefined },
      { text: fit(c.name, nameWidth, o.symbols.ellipsis), role: selected ? 'strong' : undefined },
      { text: ` ${used}`, role: 'accent' },
      { text: counts, role: c.unanswered > 0 ? 'amber' : 'dim' },
    ],
    o.width,
  );
}

function statusLines(s: EscalateState, o: EscalateViewOptions): { text: string; role?: Segment['role'] }[] {
  if (s.problem) return wrap(s.problem, o.width).slice(0, MAX_PROBLEM_LINES).map((t) => ({ text: t, role: 'error' as const }));
  const one = (text: string, role?: Segment['role']) => [{ text, ...(role ? { role } : {}) }];
  switch (s.waiting) {
    case 'templates':
      return one(`Loading the templates${o.symbols.ellipsis}`, 'dim');
    case 'check':
      return one(`Checking what the template needs${o.symbols.ellipsis}`, 'dim');
    case 'tag':
      return one(`Tagging the case number on the enquiry${o.symbols.ellipsis}`, 'dim');
    case 'preview':
      return one(`Writing the email${o.symbols.ellipsis}`, 'dim');
    case 'send':
      return one(`Sending the escalation to the broker${o.symbols.ellipsis} (Esc stops waiting; the outcome still shows)`, 'accent');
    default:
      break;
  }
  switch (s.step) {
    case 'court': {
      const q = queryOf(s);
      if (s.listedFor !== q) return one(s.pickWhenListed ? `Finding "${q}"${o.symbols.ellipsis}` : `Searching${o.symbols.ellipsis}`, 'dim');
      if (s.courts.length === 0) return one(q === '' ? 'The court directory is empty.' : `No court matches "${q}".`, 'error');
      return one(`${s.courts.length} court${s.courts.length === 1 ? '' : 's'}${q ? ` matching "${q}"` : ''}. Unanswered counts cover every enquiry.`, 'dim');
    }
    case 'template': {
      const n = templatesFor(s).length;
      const lang = s.language === 'cy' ? 'Welsh' : 'English';
      const other = s.language === 'cy' ? 'English' : 'Welsh';
      if (n === 0) return one(`No templates in ${lang}: Tab shows the ${other} ones.`, 'error');
      return one(`${n} template${n === 1 ? '' : 's'} in ${lang}${s.language === s.enquiryLanguage ? ", the enquiry's language" : ''}. Tab: ${other}.`, 'dim');
    }
    case 'fields':
      return one(`${s.fieldIndex + 1} of ${s.fields.length}. Enter goes to the next; after the last comes the preview.`, 'dim');
    case 'preview':
      return one('The whole email is shown. Enter or y sends it to the court.', 'accent');
  }
}
