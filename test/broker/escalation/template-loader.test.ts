import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../src/broker/escalation/template-loader.js';
import { renderTemplate, STANDARD_FIELDS, CHASE_FIELDS } from '../../../src/domain/templates.js';

const BUILT_IN = ['chase', 'documents-not-received', 'general', 'hearing-date', 'urgent-hearing'];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-templates-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, text: string) {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

describe('built-in templates', () => {
  it('load in English and Welsh without problems', async () => {
    const library = await loadTemplates();
    expect(library.problems).toEqual([]);
    expect(library.names()).toEqual(BUILT_IN.map((name) => ({ name, languages: ['en', 'cy'] })));
    expect(library.templates.every((t) => t.builtIn && t.file.endsWith(`${t.language}/${t.name}.md`))).toBe(true);
  });

  it('each render in both languages with the standard fields and what they ask for', async () => {
    const library = await loadTemplates();
    const fields: Record<string, string> = Object.fromEntries([...STANDARD_FIELDS, ...CHASE_FIELDS].map((f) => [f, `<${f}>`]));
    for (const t of library.templates) {
      const asked = Object.fromEntries(t.ask.map((f) => [f, `<${f}>`]));
      const result = renderTemplate(t, { ...fields, ...asked });
      expect(result.ok, `${t.name}/${t.language}`).toBe(true);
      if (!result.ok) continue;
      expect(result.subject.length).toBeGreaterThan(10);
      expect(result.text).not.toMatch(/\(\(/);
      expect(result.html).toContain(`lang="${t.language}"`);
      expect(result.html).toContain('&lt;customerName&gt;');
      // English and Welsh versions ask the agent for the same things.
      expect(t.ask).toEqual(library.get(t.name, 'en')?.ask);
    }
    const chase = library.get('chase', 'cy');
    const chased = chase && renderTemplate(chase, { ...fields, originalSubject: 'Ymholiad am ddyddiad gwrandawiad – achos 305JE126', originalSentOn: '3 Mawrth 2025' });
    expect(chased?.ok && chased.subject).toBe('Nodyn atgoffa: Ymholiad am ddyddiad gwrandawiad – achos 305JE126');
    expect(chased?.ok && chased.text).toContain('Fe wnaethom anfon e-bost atoch ar 3 Mawrth 2025');
  });

  it('ask the agent only for what they must type', async () => {
    const library = await loadTemplates();
    expect(library.get('urgent-hearing', 'cy')?.ask).toEqual(['hearingDate']);
    expect(library.get('documents-not-received', 'en')?.ask).toEqual(['documentsDescription', 'documentsSentOn', 'sentByEmail']);
    const docs = library.get('documents-not-received', 'en')!;
    const result = renderTemplate(docs, { customerName: 'Ann', caseNumbers: '305JE126', enquiryId: 'E1', messageSummary: 'Hi', agentName: 'Priya', courtName: 'Leeds' });
    expect(result.ok === false && result.missing).toEqual(['documentsSentOn', 'documentsDescription']);
  });
});

describe('a user templates folder', () => {
  it('adds templates and replaces built-in ones', async () => {
    await put('en/repair.md', 'subject: Repair – ((caseNumbers))\nask: propertyAddress\n\nPlease look at ((property address)).\n');
    await put('cy/general.md', 'subject: Ymholiad ((enquiryId))\n\nNeges gan ((customerName)).\n');
    const library = await loadTemplates({ userDir: dir });
    expect(library.problems).toEqual([]);
    expect(library.get('repair', 'en')?.builtIn).toBe(false);
    expect(library.get('repair', 'cy')).toBeUndefined();
    expect(library.get('general', 'cy')?.subject).toBe('Ymholiad ((enquiryId))');
    expect(library.get('general', 'en')?.builtIn).toBe(true);
    expect(library.names().find((n) => n.name === 'repair')).toEqual({ name: 'repair', languages: ['en'] });
  });

  it('reports every broken file by name and keeps the built-in it tried to replace', async () => {
    await put('en/general.md', 'subject: Hi\n\nDear ((courtName)), ((hearingTime))\n');
    await put('en/Bad Name.md', 'subject: x\n\nbody\n');
    await put('cy/empty.md', 'subject: x\n');
    await put('stray.md', 'subject: x\n\nbody\n');
    await put('en/notes.txt', 'ignored');
    const library = await loadTemplates({ userDir: dir });
    const problems = library.problems.join('\n');
    expect(library.problems).toHaveLength(4);
    expect(problems).toContain(`${join(dir, 'en', 'general.md')}: uses ((hearingTime)), which courtdesk does not provide`);
    expect(problems).toContain(`${join(dir, 'en', 'Bad Name.md')}: "Bad Name" is not a template name`);
    expect(problems).toContain(`${join(dir, 'cy', 'empty.md')}: no body`);
    expect(problems).toContain(`${join(dir, 'stray.md')}: not used: templates go in en/ or cy/`);
    expect(library.get('general', 'en')?.builtIn).toBe(true);
  });

  it('reports a folder that does not exist', async () => {
    const library = await loadTemplates({ userDir: join(dir, 'nope') });
    expect(library.problems).toEqual([`${join(dir, 'nope')}: no such templates folder`]);
    expect(library.templates).toHaveLength(10);
  });
});
