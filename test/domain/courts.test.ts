import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  civilInboxScore,
  CourtDataError,
  importFactCourts,
  isWelshPostcode,
  NOT_A_COUNTY_COURT,
  parseCourtList,
  searchCourts,
  type Court,
} from '../../src/domain/courts.js';
import { isEmailAddress, normaliseEmailAddress } from '../../src/domain/email-address.js';

// ../shared/samples/fact-courts-sample.json, byte for byte, copied into the repo so its tests stand alone.
const sample = JSON.parse(readFileSync(new URL('../fixtures/fact-courts-sample.json', import.meta.url), 'utf8'));
const builtIn = parseCourtList(JSON.parse(readFileSync(new URL('../../data/courts.json', import.meta.url), 'utf8')));

function factCourt(overrides: Record<string, unknown>) {
  return {
    name: 'Example County Court',
    slug: 'example-county-court',
    types: ['County Court'],
    emails: [{ address: 'enquiries.example.countycourt@justice.gov.uk', description: 'Enquiries', explanation: null }],
    addresses: [{ postcode: 'B4 6DS', town: 'Birmingham' }],
    ...overrides,
  };
}

describe('importFactCourts', () => {
  it('picks the civil enquiries inbox in the sample', () => {
    const { courts, skipped } = importFactCourts(sample);
    expect(skipped).toEqual([]);
    expect(courts).toEqual([
      {
        name: 'Birmingham Civil and Family Justice Centre',
        slug: 'birmingham-civil-and-family-justice-centre',
        email: 'enquiries.birmingham.countycourt@justice.gov.uk',
        welsh: false,
      },
      {
        name: 'Lancaster Courthouse',
        slug: 'lancaster-courthouse',
        email: 'enquiries.lancaster.countycourt@justice.gov.uk',
        welsh: false,
      },
    ]);
  });

  it('accepts the bare array FaCT serves as well as {courts: [...]}', () => {
    expect(importFactCourts(sample.courts).courts).toHaveLength(2);
  });

  it('prefers "civil" over "enquiries" and never takes family, bailiff, listing or breathing space inboxes', () => {
    const { courts } = importFactCourts([
      factCourt({
        emails: [
          { address: 'family.example@justice.gov.uk', description: 'Civil and family', explanation: '' },
          { address: 'bailiffs.example@justice.gov.uk', description: 'Enquiries', explanation: '' },
          { address: 'example.breathingspace@justice.gov.uk', description: 'Enquiries', explanation: '' },
          { address: 'general.example@justice.gov.uk', description: 'General enquiries', explanation: '' },
          { address: 'civil.example@justice.gov.uk', description: 'County court', explanation: 'Civil queries' },
        ],
      }),
    ]);
    expect(courts[0]?.email).toBe('civil.example@justice.gov.uk');
    expect(civilInboxScore({ address: 'x.example@justice.gov.uk', description: 'Listing', explanation: 'civil' })).toBe(0);
    expect(civilInboxScore({ address: 'enquiries.x@justice.gov.uk', description: '', explanation: '' })).toBe(1);
    expect(civilInboxScore({ address: 'x@justice.gov.uk', description: 'Small claims', explanation: '' })).toBe(0);
  });

  it('skips entries that are not addresses, with the reason', () => {
    const { courts, skipped } = importFactCourts([
      factCourt({
        emails: [
          { address: 'See our website', description: 'Enquiries', explanation: '' },
          { address: 'enquiries@@justice.gov.uk', description: 'Enquiries', explanation: '' },
          { address: 'enquiries.example@justice', description: 'Enquiries', explanation: '' },
        ],
      }),
      factCourt({
        slug: 'second',
        emails: [
          { address: 'not an address', description: 'Enquiries', explanation: '' },
          { address: ' Enquiries.Second.CountyCourt@JUSTICE.GOV.UK ', description: 'Enquiries', explanation: '' },
        ],
      }),
    ]);
    expect(courts).toEqual([{ name: 'Example County Court', slug: 'second', email: 'Enquiries.Second.CountyCourt@justice.gov.uk', welsh: false }]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.slug).toBe('example-county-court');
    expect(skipped[0]?.reason).toMatch(/no civil enquiries inbox among 3 email entries; not email addresses: "See our website", "enquiries@@justice.gov.uk", "enquiries.example@justice"/);
  });

  it('skips courts that are not County Courts and records without a name, slug or inbox', () => {
    const { courts, skipped } = importFactCourts({
      courts: [
        factCourt({ slug: 'crown', types: ['Crown Court'] }),
        factCourt({ name: '', slug: 'nameless' }),
        factCourt({ slug: 'Bad Slug' }),
        factCourt({ slug: 'no-emails', emails: [] }),
        factCourt({ slug: 'family-only', emails: [{ address: 'family@justice.gov.uk', description: 'Family', explanation: '' }] }),
        'not an object',
        factCourt({}),
        factCourt({}),
      ],
    });
    expect(courts.map((c) => c.slug)).toEqual(['example-county-court']);
    expect(skipped.map((s) => s.reason)).toEqual([
      NOT_A_COUNTY_COURT,
      'no name',
      'slug "Bad Slug" is not lower-case letters, digits and "-"',
      'no civil enquiries inbox among 0 email entries',
      'no civil enquiries inbox among 1 email entry',
      'entry 6 is not a court record',
      'the same slug appears earlier in the file',
    ]);
  });

  it('refuses input that is not in the FaCT shape at all', () => {
    for (const bad of [null, 42, 'courts', { name: 'x' }, { courts: 'none' }]) {
      expect(() => importFactCourts(bad)).toThrow(CourtDataError);
    }
    expect(() => importFactCourts({})).toThrow(/not a Find a Court or Tribunal export/);
  });

  it('marks courts in Wales from the postcode, or the town when there is none', () => {
    const welsh = (overrides: Record<string, unknown>) => importFactCourts([factCourt(overrides)]).courts[0]?.welsh;
    expect(welsh({ addresses: [{ postcode: 'CF10 1ET', town: 'Cardiff' }] })).toBe(true);
    expect(welsh({ addresses: [{ postcode: 'SY23 1AA' }] })).toBe(true);
    expect(welsh({ addresses: [{ postcode: 'SY1 2AA', town: 'Shrewsbury' }] })).toBe(false);
    expect(welsh({ addresses: [{ postcode: 'CH7 1AB', town: 'Mold' }] })).toBe(true);
    expect(welsh({ addresses: [{ postcode: 'CH1 2HN', town: 'Chester' }] })).toBe(false);
    expect(welsh({ name: 'Swansea Civil Justice Centre', addresses: [] })).toBe(true);
    expect(welsh({ name: 'Newport (Isle of Wight) Combined Court', addresses: [] })).toBe(false);
    expect(welsh({ name: 'Newport (South Wales) County Court', addresses: [] })).toBe(true);
    expect(isWelshPostcode('ld1 5 ab')).toBe(true);
    expect(isWelshPostcode('L1 8AA')).toBe(false);
  });
});

describe('email addresses', () => {
  it('accept ordinary addresses and reject the rest', () => {
    for (const good of ['a@b.co', 'enquiries.birmingham.countycourt@justice.gov.uk', "o'neill+court@example.org"]) {
      expect(isEmailAddress(good)).toBe(true);
    }
    for (const bad of ['', 'plain', '@justice.gov.uk', 'a@b', 'a@b.c', 'a..b@x.org', '.a@x.org', 'a b@x.org', 'a@-x.org', 'a@x..org', 'a@[127.0.0.1]', 'a@x.org, b@y.org', `${'a'.repeat(65)}@x.org`]) {
      expect(isEmailAddress(bad), bad).toBe(false);
    }
    expect(normaliseEmailAddress(' Bob@Example.ORG ')).toBe('Bob@example.org');
  });
});

describe('the built-in directory', () => {
  it('is valid, with Welsh courts flagged', () => {
    expect(builtIn.length).toBeGreaterThanOrEqual(10);
    expect(builtIn.filter((c) => c.welsh).map((c) => c.slug)).toEqual([
      'cardiff-civil-and-family-justice-centre',
      'newport-south-wales-county-court-and-family-court',
      'swansea-civil-justice-centre',
      'wrexham-county-and-family-court',
    ]);
  });

  it('rejects a broken list clearly', () => {
    expect(() => parseCourtList([])).toThrow(/"courts" array/);
    expect(() => parseCourtList({ courts: [{ name: 'X', slug: 'x', email: 'nope', welsh: false }] })).toThrow(/court 1 \(x\) has no valid email/);
    expect(() => parseCourtList({ courts: [{ name: 'X', slug: 'x', email: 'a@b.org' }] })).toThrow(/"welsh" must be true or false/);
  });
});

describe('searchCourts', () => {
  const courts: Court[] = builtIn;

  it('finds by name or slug, case-insensitive, best matches first', () => {
    expect(searchCourts(courts, 'swansea-civil-justice-centre').map((c) => c.slug)).toEqual(['swansea-civil-justice-centre']);
    expect(searchCourts(courts, 'CARD')[0]?.slug).toBe('cardiff-civil-and-family-justice-centre');
    const newc = searchCourts(courts, 'new').map((c) => c.slug);
    expect(newc).toEqual(['newcastle-civil-family-courts-and-tribunals-centre', 'newport-south-wales-county-court-and-family-court']);
    // A word inside the name ranks after names that start with the query.
    const civil = searchCourts(courts, 'civil').map((c) => c.name);
    expect(civil[0]).toBe('Birmingham Civil and Family Justice Centre');
    expect(civil).toContain('Swansea Civil Justice Centre');
    expect(civil).not.toContain('Central London County Court');
    expect(searchCourts(courts, 'london county').map((c) => c.slug)).toEqual(['central-london-county-court']);
    expect(searchCourts(courts, 'zzz')).toEqual([]);
    expect(searchCourts(courts, '  ')).toHaveLength(courts.length);
  });

  it('puts an exact or prefix match before a match inside the name', () => {
    const list: Court[] = [
      { name: 'North Bristol Court', slug: 'north-bristol', email: 'a@b.org', welsh: false },
      { name: 'Bristol Civil Justice Centre', slug: 'bristol', email: 'a@b.org', welsh: false },
      { name: 'Abristolia', slug: 'abristolia', email: 'a@b.org', welsh: false },
    ];
    expect(searchCourts(list, 'bristol').map((c) => c.slug)).toEqual(['bristol', 'north-bristol', 'abristolia']);
  });
});

describe('Welsh court names', () => {
  it('finds a court in Wales by its Welsh name, and a Welsh email names it in Welsh', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseCourtList, searchCourts: search, courtNameIn } = await import('../../src/domain/courts.js');
    const courts = parseCourtList(JSON.parse(readFileSync(new URL('../../data/courts.json', import.meta.url), 'utf8')));
    const found = search(courts, 'caerdydd');
    expect(found.map((c) => c.slug)).toEqual(['cardiff-civil-and-family-justice-centre']);
    expect(search(courts, 'wrecsam')[0]?.slug).toBe('wrexham-county-and-family-court');
    expect(courtNameIn(found[0]!, 'cy')).toBe('Canolfan Cyfiawnder Sifil a Theulu Caerdydd');
    expect(courtNameIn(found[0]!, 'en')).toBe('Cardiff Civil and Family Justice Centre');
  });
});
