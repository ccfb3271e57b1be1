// The courts escalations can go to: the built-in list shipped in data/courts.json, plus the
// directory imported into DATA/courts.json from Find a Court or Tribunal, which wins where both
// name the same court (slug). An import replaces the previous import whole, written atomically.
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CourtDataError, importFactCourts, parseCourtList, searchCourts, type Court, type SkippedCourt } from '../../domain/courts.js';
import { writeFileAtomic } from './atomic-write.js';
import { builtInCourtsFile } from '../package-root.js';

export const courtsFilePath = (dataDir: string): string => join(dataDir, 'courts.json');

/** The parsed file, or undefined when it does not exist and `optional` is set. */
async function readJson(file: string, what: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && optional) return undefined;
    throw new CourtDataError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read it (${code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const detail = (err as Error).message.replace(/\s+/g, ' ').slice(0, 120);
    throw new CourtDataError(`${file} is not JSON (${detail}); ${what}`);
  }
}

async function readCourtList(file: string, optional = false): Promise<Court[]> {
  const json = await readJson(file, 'restore it or import the directory again', optional);
  if (json === undefined) return [];
  try {
    return parseCourtList(json);
  } catch (err) {
    throw new CourtDataError(`${file}: ${(err as Error).message}`);
  }
}

export class CourtDirectory {
  private readonly bySlug: Map<string, Court>;

  private constructor(
    readonly courts: readonly Court[],
    /** How many came from DATA/courts.json (0 when nothing has been imported). */
    readonly importedCount: number,
  ) {
    this.bySlug = new Map(courts.map((c) => [c.slug, c]));
  }

  /** Loads the built-in list and, when present, `dataDir/courts.json`. Throws CourtDataError when either is broken. */
  static async load(dataDir?: string, options: { builtInFile?: string } = {}): Promise<CourtDirectory> {
    const merged = new Map<string, Court>();
    for (const c of await readCourtList(options.builtInFile ?? builtInCourtsFile())) merged.set(c.slug, c);
    const imported = dataDir === undefined ? [] : await readCourtList(courtsFilePath(dataDir), true);
    for (const c of imported) merged.set(c.slug, c);
    const courts = [...merged.values()].sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    return new CourtDirectory(courts, imported.length);
  }

  get(slug: string): Court | undefined {
    return this.bySlug.get(slug);
  }

  search(query: string): Court[] {
    return searchCourts(this.courts, query);
  }
}

export interface CourtImportReport {
  /** False when nothing usable was found: the directory is left as it was. */
  written: boolean;
  path: string;
  courts: Court[];
  skipped: SkippedCourt[];
}

/**
 * Imports a Find a Court or Tribunal JSON file into `dataDir/courts.json`, replacing any earlier
 * import in one atomic step. Throws CourtDataError when the file cannot be read or is not in that shape.
 */
export async function importCourtsFile(dataDir: string, file: string): Promise<CourtImportReport> {
  const { courts, skipped } = importFactCourts(await readJson(file, 'export the directory from Find a Court or Tribunal as JSON'));
  const path = courtsFilePath(dataDir);
  if (courts.length === 0) return { written: false, path, courts, skipped };
  await mkdir(dataDir, { recursive: true });
  const body = {
    _note: 'Imported by `courtdesk courts import`; replaced whole by the next import. Verify addresses before live use.',
    importedFrom: basename(file),
    importedAt: new Date().toISOString(),
    courts,
  };
  await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`);
  return { written: true, path, courts, skipped };
}
