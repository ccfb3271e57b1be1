// Loads the email templates: the built-in ones shipped in templates/<language>/<name>.md, then a
// user folder in the same layout that can add templates or replace built-in ones. Every file is
// parsed and validated; problems name the file so `courtdesk templates check` can point at it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Language } from '../../domain/events.js';
import { LANGUAGES } from '../../domain/events.js';
import { parseTemplate, TemplateError, validateTemplate, type Template } from '../../domain/templates.js';
import { builtInTemplatesDir } from '../package-root.js';

/** Where a broker or the CLI looks for the user's own templates by default. */
export const userTemplatesDir = (dataDir: string): string => join(dataDir, 'templates');

export interface LoadedTemplate extends Template {
  /** The file it came from. */
  file: string;
  builtIn: boolean;
}

export interface TemplateLibrary {
  /** Every usable template, by name then language (en before cy). */
  templates: LoadedTemplate[];
  /** "file: problem" for every file that could not be used; those files are left out. */
  problems: string[];
  get(name: string, language: Language): LoadedTemplate | undefined;
  /** The template names, each with the languages it exists in. */
  names(): { name: string; languages: Language[] }[];
}

export interface LoadTemplatesOptions {
  /** A folder of the user's own templates (en/ and cy/ inside); reported when missing. */
  userDir?: string;
  /** Tests only: another folder in place of the built-in templates. */
  builtInDir?: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

async function readFolder(dir: string, builtIn: boolean, problems: string[]): Promise<LoadedTemplate[]> {
  const found: LoadedTemplate[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.md')) {
      problems.push(`${join(dir, entry.name)}: not used: templates go in ${LANGUAGES.map((l) => `${l}/`).join(' or ')} inside the folder`);
    }
  }
  for (const language of LANGUAGES) {
    const langDir = join(dir, language);
    if (!(await isDirectory(langDir))) continue;
    const files = (await readdir(langDir)).filter((f) => f.endsWith('.md')).sort();
    for (const fileName of files) {
      const file = join(langDir, fileName);
      try {
        const template = parseTemplate(fileName.slice(0, -3), language, await readFile(file, 'utf8'));
        const invalid = validateTemplate(template);
        if (invalid.length > 0) throw new TemplateError(invalid);
        found.push({ ...template, file, builtIn });
      } catch (err) {
        const list = err instanceof TemplateError ? err.problems : [(err as Error).message];
        for (const p of list) problems.push(`${file}: ${p}`);
      }
    }
  }
  return found;
}

export async function loadTemplates(options: LoadTemplatesOptions = {}): Promise<TemplateLibrary> {
  const problems: string[] = [];
  const byKey = new Map<string, LoadedTemplate>();
  const key = (name: string, language: Language) => `${name}/${language}`;
  for (const t of await readFolder(options.builtInDir ?? builtInTemplatesDir(), true, problems)) byKey.set(key(t.name, t.language), t);
  if (options.userDir !== undefined) {
    if (await isDirectory(options.userDir)) {
      for (const t of await readFolder(options.userDir, false, problems)) byKey.set(key(t.name, t.language), t);
    } else {
      problems.push(`${options.userDir}: no such templates folder`);
    }
  }
  const templates = [...byKey.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || LANGUAGES.indexOf(a.language) - LANGUAGES.indexOf(b.language),
  );
  return {
    templates,
    problems,
    get: (name, language) => byKey.get(key(name, language)),
    names() {
      const names = new Map<string, Language[]>();
      for (const t of templates) names.set(t.name, [...(names.get(t.name) ?? []), t.language]);
      return [...names].map(([name, languages]) => ({ name, languages }));
    },
  };
}
