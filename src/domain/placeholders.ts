// The one `((placeholder))` engine, in GOV.UK Notify's syntax: `((field))` takes a value and
// `((field??text))` shows its text only when the field has a value. Court email templates
// (templates.ts) and the workbench's canned replies both use it, so a name means the same in both.

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9 _-]*$/;
const PLACEHOLDER = /\(\(([\s\S]*?)\)\)/g;

/** Field names match ignoring case, spaces, `_` and `-`, as in Notify: `Case_Numbers` is `caseNumbers`. */
export function fieldKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** Whether `name` may be used as a field name (a template's `ask:` line too). */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

export type Piece = { kind: 'text'; text: string } | { kind: 'field'; name: string; conditional: string | null; source: string };

/**
 * Splits `source` into text and placeholders. A malformed placeholder is kept as text and described
 * in `problems` (prefixed with `where`), so a template can be refused with every problem at once.
 */
export function splitPlaceholders(source: string, where = 'text', problems: string[] = []): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const before = source.slice(last, match.index);
    if (before.includes('((')) problems.push(`${where}: "((" is never closed before "${match[0]}"`);
    if (before) pieces.push({ kind: 'text', text: before });
    last = match.index + match[0].length;
    const inner = match[1] ?? '';
    const split = inner.indexOf('??');
    const name = (split < 0 ? inner : inner.slice(0, split)).trim();
    const conditional = split < 0 ? null : inner.slice(split + 2);
    if (!FIELD_NAME.test(name)) {
      problems.push(`${where}: "${match[0]}" is not a placeholder: a field name is letters, digits, spaces, "_" or "-", starting with a letter`);
      pieces.push({ kind: 'text', text: match[0] });
      continue;
    }
    if (conditional !== null && conditional.includes('((')) {
      problems.push(`${where}: "${match[0]}..." puts a placeholder inside conditional text, which is not supported`);
      pieces.push({ kind: 'text', text: match[0] });
      continue;
    }
    pieces.push({ kind: 'field', name, conditional, source: match[0] });
  }
  const rest = source.slice(last);
  if (rest.includes('((')) problems.push(`${where}: "((" is never closed`);
  if (rest) pieces.push({ kind: 'text', text: rest });
  return pieces;
}

/**
 * The fields `pieces` use, each once in order of first use and spelt as first written, and of
 * those the `required` ones: used as plain placeholders, not only for conditional text.
 */
export function fieldsUsed(pieces: readonly Piece[]): { fields: string[]; required: string[] } {
  const fields = new Map<string, string>();
  const required = new Map<string, string>();
  for (const p of pieces) {
    if (p.kind !== 'field') continue;
    const key = fieldKey(p.name);
    if (!fields.has(key)) fields.set(key, p.name);
    if (p.conditional === null && !required.has(key)) required.set(key, p.name);
  }
  return { fields: [...fields.values()], required: [...required.values()] };
}

/** Conditional text shows when the field is given and is not empty, "no" or "false" (as in Notify). */
function isShown(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== '' && v !== 'no' && v !== 'false';
}

/** Text after substitution: `lit` is the author's text (trusted), `val` a value (untrusted, never parsed). */
export type Filled = { lit: string } | { val: string };

/**
 * Puts values (keyed by `fieldKey`) in place of placeholders. A field with no value is left as
 * written, as a value, so it can never turn into markup; callers ask for missing values first.
 */
export function substitute(pieces: readonly Piece[], values: ReadonlyMap<string, string>): Filled[] {
  const out: Filled[] = [];
  for (const p of pieces) {
    if (p.kind === 'text') out.push({ lit: p.text });
    else if (p.conditional !== null) {
      if (isShown(values.get(fieldKey(p.name)))) out.push({ lit: p.conditional });
    } else out.push({ val: (values.get(fieldKey(p.name)) ?? p.source).replace(/\r\n?/g, '\n') });
  }
  return out;
}

// --- plain text with placeholders (canned replies) ---------------------------------------------

function valueMap(values: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(values).map(([k, v]) => [fieldKey(k), v]));
}

/** The required fields of `text` that `values` (keyed by `fieldKey`) does not cover. */
export function missingValues(text: string, values: Readonly<Record<string, string>>): string[] {
  const known = valueMap(values);
  return fieldsUsed(splitPlaceholders(text)).required.filter((f) => !known.has(fieldKey(f)));
}

/** `text` with its placeholders filled; one without a value stays as written (ask first). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return substitute(splitPlaceholders(text), valueMap(values))
    .map((s) => ('lit' in s ? s.lit : s.val))
    .join('');
}
