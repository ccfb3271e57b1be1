// The automatic acknowledgement each new enquiry gets on its own channel: its place in the queue
// and the honest estimate (wait-estimate.ts), in its language, from a template the deployment may
// replace (templates/acknowledgement/<language>.txt; docs/templates.md). Plain text: it goes out as
// an SMS, a WhatsApp message or a callback, never as markup.
import type { Language } from './events.js';
import { fieldKey, splitPlaceholders, substitute, type Piece } from './placeholders.js';

export const ACKNOWLEDGEMENT_FIELDS = ['enquiryId', 'position', 'waitMinutes', 'noEstimate'] as const;

export interface AcknowledgementTemplate {
  language: Language;
  pieces: Piece[];
}

/** Reads a template's text; throws listing every problem (an unknown field, a broken placeholder). */
export function parseAcknowledgement(language: Language, source: string, where: string): AcknowledgementTemplate {
  const problems: string[] = [];
  const pieces = splitPlaceholders(source.trim(), where, problems);
  const known = new Set(ACKNOWLEDGEMENT_FIELDS.map(fieldKey));
  for (const p of pieces) {
    if (p.kind === 'field' && !known.has(fieldKey(p.name))) {
      problems.push(`${where}: ((${p.name})) is not a field of the acknowledgement; use ${ACKNOWLEDGEMENT_FIELDS.map((f) => `((${f}))`).join(', ')}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { language, pieces };
}

export function renderAcknowledgement(template: AcknowledgementTemplate, values: { enquiryId: string; position: number; estimatedWaitSeconds: number | null }): string {
  // Keyed as fieldKey writes them; an empty value hides a ((field??text)) conditional.
  const fields: Record<string, string> = {
    enquiryid: values.enquiryId,
    position: String(values.position),
    // Whole minutes, at least one: "about 0 minutes" would be a promise nobody keeps.
    waitminutes: values.estimatedWaitSeconds === null ? '' : String(Math.max(1, Math.round(values.estimatedWaitSeconds / 60))),
    noestimate: values.estimatedWaitSeconds === null ? 'yes' : '',
  };
  const out = substitute(template.pieces, new Map(Object.entries(fields)))
    .map((piece) => ('lit' in piece ? piece.lit : piece.val))
    .join('');
  return out.replace(/[ \t]+/g, ' ').trim();
}
