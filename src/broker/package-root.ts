// The built-in templates/ and data/ folders sit at the package root, beside src/ and dist/. Finding
// the root from this file's own URL works the same from dist/ (installed) and src/ (vitest).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'courtdesk') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the courtdesk package folder (with its templates/ and data/) above this installation');
    dir = parent;
  }
}

export const builtInTemplatesDir = (): string => join(packageRoot(), 'templates');
export const builtInCourtsFile = (): string => join(packageRoot(), 'data', 'courts.json');

/** The installed courtdesk's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
