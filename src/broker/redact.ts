// What a provider or a mail server said, made fit for the journal and the log: one line, at most
// MAX_SAID characters, with anything that resembles a configured secret removed. Providers echo
// what they were sent — the token in the Authorization header, URL-encoded in a query string,
// base64 inside a Basic header, JSON-escaped in a debug blob, or cut short — so a secret is looked
// for in every common encoding, and any run of 8 or more characters taken from one of those forms
// (a prefix, a truncated or partial echo) is removed too.

/** The most of a provider's own words kept in a reason. */
export const MAX_SAID = 200;

/** Longer input is cut before it is searched: only MAX_SAID characters survive anyway. */
const MAX_SEARCHED = 16 * 1024;

/** Shorter runs than this are not taken for a piece of a secret: too many would match by chance. */
const RUN = 8;

const MARK = '[redacted]';

/**
 * `text` as one line of at most `max` characters, with every secret removed. Secrets shorter
 * than RUN are removed where they appear whole (in any encoding), and skipped below 4
 * characters, where removing them would garble ordinary words.
 */
export function redact(text: string, secrets: readonly string[], max = MAX_SAID): string {
  const forms = secrets.filter((s) => s.length >= 4).flatMap(encodings);
  // Searched as it came, before whitespace is flattened, so a secret holding tabs or runs of spaces is still found.
  const clean = removeRuns(removeShort(text.slice(0, MAX_SEARCHED), forms), forms).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The secret as it may appear in a provider's answer. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const uri = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    uri,
    encodeURIComponent(uri),
    new URLSearchParams({ s: secret }).toString().slice(2),
    json,
    // JSON as some servers write it: "/" escaped and everything outside ASCII as \uXXXX.
    json.replace(/\//g, '\\/').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    bytes.toString('hex'),
    ...base64Pieces(bytes),
  ];
}

/**
 * Base64 of the secret wherever it sits in the encoded text: at each of the three alignments it can
 * have after other bytes (a Basic header's "user:" before it, say), the characters whose bits come
 * from the secret's bytes alone; and the secret encoded by itself, padding and all. Both alphabets.
 */
function base64Pieces(bytes: Buffer): string[] {
  const pieces = [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')];
  for (let before = 0; before < 3; before++) {
    const encoded = Buffer.concat([Buffer.alloc(before), bytes]).toString('base64');
    // Each character carries 6 bits: with 1 byte before, the group's 3rd and 4th characters are the
    // secret's; with 2, only the 4th. At the end, a group of 1 or 2 bytes fixes 1 or 2 characters.
    const start = [0, 2, 3][before]!;
    const total = before + bytes.length;
    const end = Math.floor(total / 3) * 4 + (total % 3);
    pieces.push(encoded.slice(start, end));
  }
  return [...pieces, ...pieces.map((p) => p.replace(/\+/g, '-').replace(/\//g, '_'))].filter((p) => p.length > 0);
}

/** Each form too short for removeRuns, where it appears whole, ignoring case (hex and percent-escapes come in both). */
function removeShort(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms.filter((f) => f.length < RUN).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), MARK);
  }
  return out;
}

/** Every stretch of `text` made of runs of RUN characters that each occur in a form, ignoring case. */
function removeRuns(text: string, forms: readonly string[]): string {
  const runs = new Set<string>();
  for (const form of forms) {
    const lower = asciiLower(form);
    for (let i = 0; i + RUN <= lower.length; i++) runs.add(lower.slice(i, i + RUN));
  }
  if (runs.size === 0) return text;
  const lower = asciiLower(text);
  const hidden = new Uint8Array(text.length);
  for (let i = 0; i + RUN <= lower.length; i++) {
    if (runs.has(lower.slice(i, i + RUN))) hidden.fill(1, i, i + RUN);
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += MARK;
  }
  return out;
}

/** Lower case for ASCII letters only, so every character keeps its index (toLowerCase turns "İ" into two). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
