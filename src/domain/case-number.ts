// County Court case numbers as agents type them and as court users mention them in messages.
// The formats are in DESIGN.md ("Domain facts"). Agents copy numbers from letters, screenshots and
// phone calls, so we accept the ways they are written and store one normalised form, and a
// refusal always says what a valid number looks like.
import type { CaseNumberFormat } from './events.js';

export interface CaseNumber {
  /** Upper-case, no spaces, dashes or `#`: the form stored on tags. */
  caseNumber: string;
  format: CaseNumberFormat;
  /** False for the 'unverified' shape: we could not check it against any published format. */
  verified: boolean;
  /** What the number is, in words an agent can read back to a caller. */
  description: string;
}

export type ParsedCaseNumber = ({ ok: true } & CaseNumber) | { ok: false; reason: string };

const CIVIL = /^\d{3}[A-Z]{2}\d{3}$/;
const MCOL = /^[A-Z]\d[A-Z0-9]{2}\d[A-Z0-9]{3}$/;
/** 16 digits, or four groups of four separated by `-` or spaces. */
const REFERENCE = /^\d{4}(?:(?:\s+|\s*-\s*)?\d{4}){3}$/;
const EXAMPLES = 'like 305JE126 (civil claim), A1QZ1234 (Money Claim Online) or 1712 3456 7890 1238 (16-digit reference)';

const DESCRIPTIONS: Record<CaseNumberFormat, string> = {
  civil: 'County Court civil claim number',
  mcol: 'Money Claim Online number',
  ccd: '16-digit case reference (check digit valid)',
  unverified: 'unverified format: 8 letters and digits — check it against the claim papers',
};

export function parseCaseNumber(input: string): ParsedCaseNumber {
  let text = input.trim().toUpperCase();
  // A leading `#` is how references are often written ("#1712…"); it is never part of the number.
  if (text.startsWith('#')) text = text.slice(1).trimStart();
  if (text.length === 0) return { ok: false, reason: `No case number was given. Type one ${EXAMPLES}.` };

  if (/^[\d\s-]+$/.test(text)) return parseReference(text);

  const odd = text.match(/[^A-Z0-9]/);
  if (odd) {
    const shown = /\s/.test(odd[0]) ? 'a space' : `"${odd[0]}"`;
    return { ok: false, reason: `${quote(text)} contains ${shown}; case numbers are letters and digits only, ${EXAMPLES}.` };
  }
  if (text.length !== 8) {
    return { ok: false, reason: `${quote(text)} has ${text.length} characters; case numbers have 8, ${EXAMPLES}.` };
  }
  if (CIVIL.test(text)) return found(text, 'civil');
  if (MCOL.test(text)) return found(text, 'mcol');
  if (!/\d/.test(text)) {
    return { ok: false, reason: `${quote(text)} has no digits; case numbers mix letters and digits, ${EXAMPLES}.` };
  }
  return found(text, 'unverified');
}

function parseReference(text: string): ParsedCaseNumber {
  const digits = text.replace(/[\s-]/g, '');
  if (digits.length !== 16) {
    return {
      ok: false,
      reason: `${quote(text)} has ${digits.length} digits; a case reference has 16 (like 1712 3456 7890 1238), and other case numbers include letters (like 305JE126).`,
    };
  }
  if (!REFERENCE.test(text)) {
    return { ok: false, reason: `${quote(text)} is grouped oddly; write a case reference as 16 digits or four groups of four, like 1712-3456-7890-1238.` };
  }
  if (!luhnValid(digits)) {
    return { ok: false, reason: `${digits}: the check digit does not match — a digit may be mistyped. Check it against the papers.` };
  }
  return found(digits, 'ccd');
}

function found(caseNumber: string, format: CaseNumberFormat): ParsedCaseNumber {
  return { ok: true, caseNumber, format, verified: format !== 'unverified', description: DESCRIPTIONS[format] };
}

/** The Luhn (mod 10) check: from the right, every second digit is doubled (9 subtracted above 9). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function quote(text: string): string {
  return `"${text}"`;
}

// Free text is noisier than a tag box, so only shapes we can vouch for count: civil and MCOL numbers
// and 16-digit references whose check digit holds. Unverified 8-character words would flag
// postcodes, vehicle registrations and passwords. Neighbouring letters, digits or digit groups
// must not touch a match, so a longer number is never split into a false one.
const IN_TEXT =
  /(?<![A-Z0-9])(?:\d{3}[A-Z]{2}\d{3}|[A-Z]\d[A-Z0-9]{2}\d[A-Z0-9]{3})(?![A-Z0-9])|(?<![A-Z0-9]|\d[ -])#?\d{4}(?:([ -]?)\d{4}\1\d{4}\1\d{4})(?![A-Z0-9]|[ -]\d)/g;

/** Case numbers mentioned in free text, normalised, each once, in the order they first appear. */
export function findCaseNumbers(text: string): CaseNumber[] {
  const seen = new Set<string>();
  const result: CaseNumber[] = [];
  for (const match of text.toUpperCase().matchAll(IN_TEXT)) {
    const parsed = parseCaseNumber(match[0]);
    if (!parsed.ok || seen.has(parsed.caseNumber)) continue;
    seen.add(parsed.caseNumber);
    result.push({ caseNumber: parsed.caseNumber, format: parsed.format, verified: parsed.verified, description: parsed.description });
  }
  return result;
}
