// The courts and templates commands, run in-process (they are registered in main.ts by the lead)
// against real files in a temporary data folder.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as courts } from '../../src/cli/commands/courts.js';
import { run as templates } from '../../src/cli/commands/templates.js';
import { capture } from '../helpers/capture.js';

// ../shared/samples/fact-courts-sample.json, byte for byte, copied into the repo so its tests stand alone.
const SAMPLE = new URL('../fixtures/fact-courts-sample.json', import.meta.url).pathname;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('courtdesk courts', () => {
  it('lists and searches the built-in directory', async () => {
    const all = await capture(courts, ['list', '--data', dir]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Swansea Civil Justice Centre  (Wales: Welsh)\n  swansea-civil-justice-centre  enquiries.swansea.countycourt@justice.gov.uk\n');
    expect(all.stdout).toMatch(/14 of 14 courts \(none imported\)\n$/);

    const json = await capture(courts, ['list', '--json', '--search', 'cardiff', '--data', dir]);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'Cardiff Civil and Family Justice Centre', slug: 'cardiff-civil-and-family-justice-centre', email: 'enquiries.cardiff.countycourt@justice.gov.uk', welsh: true, nameCy: 'Canolfan Cyfiawnder Sifil a Theulu Caerdydd' },
    ]);

    const none = await capture(courts, ['list', '--search', 'atlantis', '--data', dir]);
    expect(none).toMatchObject({ code: 1, stdout: '', stderr: 'courtdesk courts: no court matches "atlantis"\n' });
  });

  it('imports a FaCT file and reports what it skipped', async () => {
    const file = join(dir, 'fact.json');
    await writeFile(
      file,
      JSON.stringify([
        { name: 'Crown', slug: 'crown', types: ['Crown Court'], emails: [] },
        { name: 'Tribunal', slug: 'tribunal', types: ['Tribunal'], emails: [] },
        { name: 'Nowhere County Court', slug: 'nowhere', types: ['County Court'], emails: [{ address: 'see website', description: 'Enquiries' }] },
        { name: 'Mold Justice Centre', slug: 'mold', types: ['County Court'], emails: [{ address: 'civil.mold@justice.gov.uk', description: 'Civil' }], addresses: [{ postcode: 'CH7 1AE' }] },
      ]),
    );
    const result = await capture(courts, ['import', file, '--data', join(dir, 'data')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `Imported 1 court into ${join(dir, 'data', 'courts.json')}.`,
        'Skipped 3:',
        '  2 not County Courts',
        '  nowhere (Nowhere County Court): no civil enquiries inbox among 1 email entry; not email addresses: "see website"',
        '',
      ].join('\n'),
    );
    const listed = await capture(courts, ['list', '--search', 'mold', '--data', join(dir, 'data')]);
    expect(listed.stdout).toContain('Mold Justice Centre  (Wales: Welsh)\n  mold  civil.mold@justice.gov.uk\n');
    expect(listed.stdout).toContain('1 imported into');
  });

  it('imports the sample, and fails clearly on a broken file', async () => {
    expect((await capture(courts, ['import', SAMPLE, '--data', dir])).stdout).toBe(`Imported 2 courts into ${join(dir, 'courts.json')}.\n`);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"name": "not a directory"}');
    const result = await capture(courts, ['import', bad, '--data', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^courtdesk courts: this is not a Find a Court or Tribunal export: .*\n$/);
    expect((await capture(courts, ['import', '--data', dir])).code).toBe(2);
    expect((await capture(courts, ['frobnicate'])).stderr).toBe('courtdesk courts: unknown action "frobnicate": use list or import\n');
    expect((await capture(courts, ['--help'])).code).toBe(0);
  });
});

describe('courtdesk templates', () => {
  it('lists the built-in templates with their languages and fields', async () => {
    const list = await capture(templates, ['list', '--json', '--dir', join(dir, 'none-yet')]);
    const parsed = JSON.parse(list.stdout) as { name: string; languages: string[]; ask: string[]; fields: string[] }[];
    expect(parsed.map((t) => [t.name, t.languages.join(',')])).toEqual([
      ['chase', 'en,cy'],
      ['documents-not-received', 'en,cy'],
      ['general', 'en,cy'],
      ['hearing-date', 'en,cy'],
      ['urgent-hearing', 'en,cy'],
    ]);
    expect(parsed.find((t) => t.name === 'urgent-hearing')?.ask).toEqual(['hearingDate']);
    expect(list.stderr).toContain('no such templates folder');

    const text = await capture(templates, ['list', '--dir', dir]);
    expect(text.stdout).toMatch(/^urgent-hearing +en cy +The customer's hearing is within the next 48 hours/m);
    expect(text.stdout).toContain('  agent types: hearingDate\n');
  });

  it('checks templates, failing on a field nobody provides', async () => {
    expect(await capture(templates, ['check', '--dir', dir])).toEqual({ code: 0, stdout: `10 templates OK (built in, and ${dir})\n`, stderr: '' });
    await mkdir(join(dir, 'en'));
    await writeFile(join(dir, 'en', 'repair.md'), 'subject: Repair ((caseNumbers))\n\nThe boiler at ((propertyAddress)).\n');
    const result = await capture(templates, ['check', '--dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${join(dir, 'en', 'repair.md')}: uses ((propertyAddress)), which courtdesk does not provide: add it to the "ask:" line so the agent is asked for it, or correct the name\n`);
    expect(result.stderr).toBe('courtdesk templates: 1 problem found; those files are not used\n');

    await writeFile(join(dir, 'en', 'repair.md'), 'subject: Repair ((caseNumbers))\nask: propertyAddress\n\nThe boiler at ((propertyAddress)).\n');
    const fixed = await capture(templates, ['check', '--dir', dir]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toBe(`note: repair has no cy version\n11 templates OK (built in, and ${dir})\n`);
  });
});
