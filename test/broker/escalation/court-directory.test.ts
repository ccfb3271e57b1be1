import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CourtDirectory, courtsFilePath, importCourtsFile } from '../../../src/broker/escalation/court-directory.js';
import { CourtDataError } from '../../../src/domain/courts.js';

// ../shared/samples/fact-courts-sample.json, byte for byte, copied into the repo so its tests stand alone.
const SAMPLE = new URL('../../fixtures/fact-courts-sample.json', import.meta.url).pathname;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-courts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CourtDirectory', () => {
  it('loads the built-in list when nothing has been imported', async () => {
    const directory = await CourtDirectory.load(dir);
    expect(directory.importedCount).toBe(0);
    expect(directory.courts.length).toBeGreaterThanOrEqual(10);
    expect(directory.get('swansea-civil-justice-centre')?.welsh).toBe(true);
    expect(directory.search('wrex')[0]?.slug).toBe('wrexham-county-and-family-court');
  });

  it('adds imported courts, the import winning over the built-in entry for the same slug', async () => {
    await writeFile(
      courtsFilePath(dir),
      JSON.stringify({
        courts: [
          { name: 'Lancaster Courthouse', slug: 'lancaster-courthouse', email: 'civil.lancaster@justice.gov.uk', welsh: false },
          { name: 'Aberystwyth Justice Centre', slug: 'aberystwyth-justice-centre', email: 'enquiries.aberystwyth.countycourt@justice.gov.uk', welsh: true },
        ],
      }),
    );
    const directory = await CourtDirectory.load(dir);
    expect(directory.importedCount).toBe(2);
    expect(directory.get('lancaster-courthouse')?.email).toBe('civil.lancaster@justice.gov.uk');
    expect(directory.courts[0]?.slug).toBe('aberystwyth-justice-centre');
  });

  it('says which file is broken', async () => {
    await writeFile(courtsFilePath(dir), '{"courts": [');
    await expect(CourtDirectory.load(dir)).rejects.toThrow(`${courtsFilePath(dir)} is not JSON`);
    await writeFile(courtsFilePath(dir), '{"courts": [{"name": "X", "slug": "x", "email": "x", "welsh": false}]}');
    await expect(CourtDirectory.load(dir)).rejects.toThrow(`${courtsFilePath(dir)}: court 1 (x) has no valid email address`);
  });
});

describe('importCourtsFile', () => {
  it('imports the sample and reports it', async () => {
    const report = await importCourtsFile(dir, SAMPLE);
    expect(report.written).toBe(true);
    expect(report.courts.map((c) => c.email)).toEqual([
      'enquiries.birmingham.countycourt@justice.gov.uk',
      'enquiries.lancaster.countycourt@justice.gov.uk',
    ]);
    const stored = JSON.parse(await readFile(courtsFilePath(dir), 'utf8'));
    expect(stored.importedFrom).toBe('fact-courts-sample.json');
    expect(stored.courts).toEqual(report.courts);
    expect((await CourtDirectory.load(dir)).importedCount).toBe(2);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces the previous import whole', async () => {
    await importCourtsFile(dir, SAMPLE);
    const next = join(dir, 'next.json');
    await writeFile(next, JSON.stringify([{ name: 'Mold Justice Centre', slug: 'mold-justice-centre', types: ['County Court'], emails: [{ address: 'enquiries.mold.countycourt@justice.gov.uk', description: 'Civil' }], addresses: [{ postcode: 'CH7 1AE' }] }]));
    const report = await importCourtsFile(dir, next);
    expect(report.courts).toEqual([{ name: 'Mold Justice Centre', slug: 'mold-justice-centre', email: 'enquiries.mold.countycourt@justice.gov.uk', welsh: true }]);
    const directory = await CourtDirectory.load(dir);
    expect(directory.importedCount).toBe(1);
  });

  it('leaves the directory untouched when a file is broken or has no usable court', async () => {
    await importCourtsFile(dir, SAMPLE);
    const before = await readFile(courtsFilePath(dir), 'utf8');

    const notJson = join(dir, 'not.json');
    await writeFile(notJson, 'name,slug\nx,y\n');
    await expect(importCourtsFile(dir, notJson)).rejects.toThrow(/not\.json is not JSON .*export the directory from Find a Court or Tribunal/);

    const wrongShape = join(dir, 'shape.json');
    await writeFile(wrongShape, JSON.stringify({ tokens: [] }));
    await expect(importCourtsFile(dir, wrongShape)).rejects.toThrow(CourtDataError);

    await expect(importCourtsFile(dir, join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: no such file/);

    const noCounty = join(dir, 'crown.json');
    await writeFile(noCounty, JSON.stringify([{ name: 'Crown Court', slug: 'crown', types: ['Crown Court'], emails: [] }, { name: 'Bad', slug: 'bad', types: ['County Court'], emails: [{ address: 'see website', description: 'Enquiries' }] }]));
    const report = await importCourtsFile(dir, noCounty);
    expect(report.written).toBe(false);
    expect(report.skipped.map((s) => s.reason)).toEqual(['not a County Court', 'no civil enquiries inbox among 1 email entry; not email addresses: "see website"']);

    expect(await readFile(courtsFilePath(dir), 'utf8')).toBe(before);
  });
});
