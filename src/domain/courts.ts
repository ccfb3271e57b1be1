// The court directory: which County Court hearing centre gets an escalation, at which inbox, and
// whether it works in Welsh. Imported from the Find a Court or Tribunal (FaCT) JSON, whose email
// descriptions are inconsistent, so the civil enquiries inbox is chosen by the rule documented in
// docs/templates.md and every address is checked before it can become a recipient.
import { normaliseEmailAddress } from './email-address.js';

export interface Court {
  name: string;
  slug: string;
  /** The civil enquiries inbox escalations go to. */
  email: string;
  /** A court in Wales: its correspondence may be in Welsh. */
  welsh: boolean;
  /** Its name in Welsh, which Welsh emails use and searches find it by. */
  nameCy?: string;
}

export interface SkippedCourt {
  name: string;
  slug: string;
  reason: string;
}

export interface CourtImport {
  courts: Court[];
  skipped: SkippedCourt[];
}

export class CourtDataError extends Error {
  override name = 'CourtDataError';
}

export const COURT_SLUG = /^[a-z0-9][a-z0-9-]*$/;
export const NOT_A_COUNTY_COURT = 'not a County Court';

// --- the civil enquiries inbox ------------------------------------------------------------------

/** Inboxes for other work: never the civil enquiries inbox, whatever else they say. */
const OTHER_WORK = ['family', 'bailiff', 'breathing space', 'listing', 'divorce', 'probate', 'adoption', 'crime', 'criminal', 'magistrates', 'tribunal', 'jury'];

interface FactEmail {
  address: string;
  description: string;
  explanation: string;
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z]/g, '');
}

/** Scores an email entry as the civil enquiries inbox: 0 means "not it". See docs/templates.md. */
export function civilInboxScore(email: FactEmail): number {
  const words = `${email.description} ${email.explanation}`.toLowerCase();
  const local = squash(email.address.slice(0, email.address.lastIndexOf('@')));
  if (OTHER_WORK.some((w) => words.includes(w) || local.includes(squash(w)))) return 0;
  let score = 0;
  if (words.includes('civil')) score += 4;
  if (/county court|enquir|general/.test(words)) score += 2;
  if (/enquiries|civil|countycourt/.test(local)) score += 1;
  return score;
}

// --- Wales ---------------------------------------------------------------------------------------

/** Postcode areas wholly in Wales. */
const WELSH_AREAS = new Set(['CF', 'SA', 'LL', 'NP', 'LD']);
/** Postcode areas that cross the border, with the districts on the Welsh side. */
const BORDER_DISTRICTS: Record<string, [number, number]> = { SY: [15, 25], CH: [5, 8] };
/** Court towns in Wales, for records without a postcode ("Newport" alone is also on the Isle of Wight). */
const WELSH_TOWNS = [
  'aberystwyth', 'bangor', 'blackwood', 'caernarfon', 'cardiff', 'carmarthen', 'conwy', 'haverfordwest', 'llandrindod wells',
  'llandudno', 'llanelli', 'merthyr tydfil', 'mold', 'newport (south wales)', 'pontypridd', 'port talbot', 'prestatyn',
  'swansea', 'welshpool', 'wrexham',
];

export function isWelshPostcode(postcode: string): boolean {
  // The inward code (digit + two letters) ends a full postcode; what comes before is area + district.
  const compact = postcode.toUpperCase().replace(/\s+/g, '');
  const outward = /^(.+)\d[A-Z]{2}$/.exec(compact)?.[1] ?? compact;
  const m = /^([A-Z]{1,2})(\d{1,2})[A-Z]?$/.exec(outward);
  if (!m) return false;
  const area = m[1]!;
  const district = Number(m[2]);
  if (WELSH_AREAS.has(area)) return true;
  const range = BORDER_DISTRICTS[area];
  return range !== undefined && district >= range[0] && district <= range[1];
}

function isInWales(record: Record<string, unknown>, name: string): boolean {
  const addresses = Array.isArray(record.addresses) ? record.addresses : [];
  const postcodes = addresses
    .map((a) => (a && typeof a === 'object' ? (a as Record<string, unknown>).postcode : undefined))
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (postcodes.length > 0) return postcodes.some(isWelshPostcode);
  const towns = addresses.map((a) => (a && typeof a === 'object' ? (a as Record<string, unknown>).town : undefined));
  const text = [name, ...towns.filter((t): t is string => typeof t === 'string')].join(' ').toLowerCase();
  return WELSH_TOWNS.some((town) => new RegExp(`(^|[^a-z])${town.replace(/[()]/g, '\\$&')}($|[^a-z])`).test(text));
}

// --- import --------------------------------------------------------------------------------------

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function factRecords(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  if (json && typeof json === 'object' && Array.isArray((json as Record<string, unknown>).courts)) {
    return (json as { courts: unknown[] }).courts;
  }
  throw new CourtDataError(
    'this is not a Find a Court or Tribunal export: expected a JSON array of courts, or an object with a "courts" array, each court having name, slug, types and emails',
  );
}

/**
 * Reads courts in the FaCT JSON shape, keeping County Courts that have a valid civil enquiries
 * inbox. Everything left out is in `skipped` with the reason. Throws CourtDataError when the input
 * is not in that shape at all.
 */
export function importFactCourts(json: unknown): CourtImport {
  const records = factRecords(json);
  const courts: Court[] = [];
  const skipped: SkippedCourt[] = [];
  const seen = new Set<string>();
  records.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      skipped.push({ name: '', slug: '', reason: `entry ${index + 1} is not a court record` });
      return;
    }
    const record = raw as Record<string, unknown>;
    const name = text(record.name);
    const slug = text(record.slug);
    const skip = (reason: string) => skipped.push({ name: name || `entry ${index + 1}`, slug, reason });
    if (!name) return skip('no name');
    if (!COURT_SLUG.test(slug)) return skip(slug ? `slug "${slug}" is not lower-case letters, digits and "-"` : 'no slug');
    const types = Array.isArray(record.types) ? record.types.filter((t): t is string => typeof t === 'string') : [];
    if (!types.some((t) => t.trim().toLowerCase() === 'county court')) return skip(NOT_A_COUNTY_COURT);
    if (seen.has(slug)) return skip('the same slug appears earlier in the file');

    const emails = Array.isArray(record.emails) ? record.emails : [];
    const invalid: string[] = [];
    let best: { address: string; score: number } | null = null;
    for (const e of emails) {
      if (!e || typeof e !== 'object') continue;
      const entry = e as Record<string, unknown>;
      const given = text(entry.address);
      const address = normaliseEmailAddress(given);
      if (!address) {
        if (given) invalid.push(given);
        continue;
      }
      const score = civilInboxScore({ address, description: text(entry.description), explanation: text(entry.explanation) });
      if (score > 0 && (!best || score > best.score)) best = { address, score };
    }
    if (!best) {
      const why = invalid.length > 0 ? `; not email addresses: ${invalid.map((a) => `"${a.slice(0, 60)}"`).join(', ')}` : '';
      return skip(`no civil enquiries inbox among ${emails.length} email ${emails.length === 1 ? 'entry' : 'entries'}${why}`);
    }
    seen.add(slug);
    courts.push({ name, slug, email: best.address, welsh: isInWales(record, name) });
  });
  return { courts, skipped };
}

/** Reads courtdesk's own directory format (data/courts.json, DATA/courts.json): `{ courts: Court[] }`. */
export function parseCourtList(json: unknown): Court[] {
  const list = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>).courts : undefined;
  if (!Array.isArray(list)) throw new CourtDataError('expected an object with a "courts" array');
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const c = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const where = `court ${i + 1}${typeof c.slug === 'string' ? ` (${c.slug})` : ''}`;
    const name = text(c.name);
    const slug = text(c.slug);
    const email = normaliseEmailAddress(text(c.email));
    if (!name) throw new CourtDataError(`${where} has no name`);
    if (!COURT_SLUG.test(slug)) throw new CourtDataError(`${where} has no valid slug`);
    if (seen.has(slug)) throw new CourtDataError(`${where}: slug appears twice`);
    if (!email) throw new CourtDataError(`${where} has no valid email address`);
    if (typeof c.welsh !== 'boolean') throw new CourtDataError(`${where}: "welsh" must be true or false`);
    if (c.nameCy !== undefined && !text(c.nameCy)) throw new CourtDataError(`${where}: "nameCy" must be the court's name in Welsh`);
    seen.add(slug);
    const nameCy = text(c.nameCy);
    return { name, slug, email, welsh: c.welsh, ...(nameCy ? { nameCy } : {}) };
  });
}

// --- search --------------------------------------------------------------------------------------

function searchRank(court: Court, query: string, words: string[]): number {
  const english = rankByName(court.name, court.slug, query, words);
  const welsh = court.nameCy ? rankByName(court.nameCy, court.slug, query, words) : -1;
  return english < 0 ? welsh : welsh < 0 ? english : Math.min(english, welsh);
}

/** The court's name in the template's language: Welsh emails name a Welsh court in Welsh. */
export function courtNameIn(court: Court, language: 'en' | 'cy'): string {
  return language === 'cy' && court.nameCy ? court.nameCy : court.name;
}

function rankByName(courtName: string, slug: string, query: string, words: string[]): number {
  const name = courtName.toLowerCase();
  if (name === query || slug === query) return 0;
  if (name.startsWith(query) || slug.startsWith(query)) return 1;
  const nameWords = name.split(/[^a-z0-9]+/).filter(Boolean);
  if (nameWords.some((w) => w.startsWith(query))) return 2;
  if (name.includes(query) || slug.includes(query)) return 3;
  if (words.length > 0 && words.every((q) => nameWords.some((w) => w.startsWith(q)) || slug.includes(q))) return 4;
  return -1;
}

/** Courts matching a name or slug, case-insensitive, best matches first (then by name). */
export function searchCourts(courts: readonly Court[], query: string): Court[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  const byName = (a: Court, b: Court) => a.name.localeCompare(b.name, 'en-GB');
  if (!q) return [...courts].sort(byName);
  const words = q.split(/[^a-z0-9]+/).filter(Boolean);
  return courts
    .map((court) => ({ court, rank: searchRank(court, q, words) }))
    .filter((r) => r.rank >= 0)
    .sort((a, b) => a.rank - b.rank || byName(a.court, b.court))
    .map((r) => r.court);
}
