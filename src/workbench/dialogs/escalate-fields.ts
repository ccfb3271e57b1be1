// Step 3 of the escalation dialog: the values the chosen template still needs, one field at a
// time. The broker says what is missing (a preview's `missing`); what the agent can type is asked
// for, a case number is checked and tagged on the enquiry (the template reads it from there), and
// the template's optional `ask:` values follow. After the last field the email is previewed.
import { fieldKey } from '../../domain/placeholders.js';
import type { AskedField, EscalateResult, EscalateState, TemplateChoice } from './escalate-types.js';
import type { FieldKey } from './line-editor.js';
import { editLine, lineOf } from './line-editor.js';
import { checkTag } from './tag.js';

/** Asks for the missing fields, then any optional ones the template takes. */
export function askFor(s: EscalateState, missing: string[], problem: string | null): EscalateResult {
  const template = s.template!;
  const asks = new Set(template.ask.map(fieldKey));
  const fields: AskedField[] = [];
  for (const name of missing) {
    const key = fieldKey(name);
    if (key === 'casenumbers') fields.push({ name, optional: false, kind: 'case-number' });
    else if (asks.has(key)) fields.push({ name, optional: false, kind: 'text' });
    else {
      // Filled by the broker from the enquiry or the court: nothing typed here would be used.
      return same({ ...s, step: 'template', problem: `The "${template.name}" template needs ${words(name)}, which comes from the enquiry; choose another template.` });
    }
  }
  const all = [...fields, ...optionalAsks(template, missing).filter((f) => !(f.name in s.values))];
  return same({ ...startFields(s, all), problem });
}

/** The `ask:` fields a template can do without (they only switch conditional text on). */
export function optionalAsks(template: TemplateChoice, missing: string[]): AskedField[] {
  const required = new Set(missing.map(fieldKey));
  return template.ask.filter((a) => !required.has(fieldKey(a))).map((name) => ({ name, optional: true, kind: 'text' as const }));
}

export function startFields(s: EscalateState, fields: AskedField[]): EscalateState {
  return { ...s, step: 'fields', fields, fieldIndex: 0, field: lineOf(s.values[fields[0]!.name] ?? ''), scroll: 0 };
}

export function fieldsKey(s: EscalateState, f: FieldKey): EscalateResult {
  const asked = s.fields[s.fieldIndex];
  if (!asked) return same(s);
  switch (f.type) {
    case 'up':
      if (s.fieldIndex === 0) return same(s);
      return same({ ...s, fieldIndex: s.fieldIndex - 1, field: lineOf(s.values[s.fields[s.fieldIndex - 1]!.name] ?? ''), problem: null });
    case 'down':
    case 'tab':
    case 'cancel':
      return same(s);
    case 'submit': {
      const value = s.field.text.trim();
      if (asked.kind === 'case-number') {
        const check = checkTag(value, []);
        if (!check.ok || !check.caseNumber) return same({ ...s, problem: check.message });
        const request = s.request + 1;
        // Kept so that backing out to this field shows the number; the broker reads the tag, not this value.
        const values = { ...s.values, [asked.name]: check.caseNumber };
        return { state: { ...s, values, waiting: 'tag', request, problem: null }, effects: [{ type: 'tag', request, caseNumber: check.caseNumber }] };
      }
      if (value === '' && !asked.optional) return same({ ...s, problem: `The email needs ${words(asked.name)}: type it, or Esc to choose another template.` });
      const values = { ...s.values };
      if (value === '') delete values[asked.name];
      else values[asked.name] = value;
      return nextField({ ...s, values });
    }
    default:
      return same({ ...s, field: editLine(s.field, f), problem: null });
  }
}

export function nextField(s: EscalateState): EscalateResult {
  const index = s.fieldIndex + 1;
  if (index < s.fields.length) return same({ ...s, fieldIndex: index, field: lineOf(s.values[s.fields[index]!.name] ?? ''), problem: null });
  const request = s.request + 1;
  const t = s.template!;
  return {
    state: { ...s, waiting: 'preview', request, problem: null },
    effects: [{ type: 'preview', request, courtSlug: s.court!.slug, template: t.name, language: t.language, fields: s.values }],
  };
}

/** A field name as words: `hearingDate` → `hearing date`, `case_numbers` → `case numbers`. */
export function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
}

function same(state: EscalateState): EscalateResult {
  return { state, effects: [] };
}
