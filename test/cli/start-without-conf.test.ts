// conf and its schema compiler (ajv) cost tens of milliseconds at every start, so only the
// commands that write the saved config may load them: logout and settings up front, login once
// the token is checked. Checked on the source: the modules each command imports up front,
// followed through our own files. An `import(..)` loads later, on the path that needs it, and is
// not followed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';

const COMMANDS_DIR = fileURLToPath(new URL('../../src/cli/commands/', import.meta.url));
const WRITERS = ['logout', 'settings'];

/** Every package a module loads before it runs, through the static imports of our files (not `import type`). */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"`]*?\sfrom\s+)?'([^']+)'/gm)) {
      if (!specifier!.startsWith('.')) {
        packages.add(specifier!);
        continue;
      }
      const js = resolve(dirname(file), specifier!);
      const ts = [js.replace(/\.js$/, '.ts'), js.replace(/\.js$/, '.tsx')].find((f) => existsSync(f));
      if (!ts) throw new Error(`${file} imports ${specifier}, which is not in src`);
      visit(ts);
    }
  };
  visit(entry);
  return packages;
}

describe('starting a command', () => {
  it('finds the packages a module loads', () => {
    // The check below is worth only as much as the walk: the writers do reach conf.
    for (const writer of WRITERS) expect(packagesLoadedBy(`${COMMANDS_DIR}${writer}.ts`)).toContain('conf');
    expect(packagesLoadedBy(`${COMMANDS_DIR}broker.ts`)).toContain('nodemailer');
  });

  for (const name of Object.keys(COMMANDS).filter((n) => !WRITERS.includes(n))) {
    it(`${name} does not load conf`, () => {
      expect(packagesLoadedBy(`${COMMANDS_DIR}${name}.ts`)).not.toContain('conf');
    });
  }
});
