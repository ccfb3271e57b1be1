// DESIGN.md's house rules for who may import whom, checked on every import in src/: static
// imports, `export … from`, `import type` and dynamic `import()` alike (read by TypeScript's own
// pre-processor, so comments and strings are never taken for imports).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** An import as written in a file under src/, with the folder of src/ it reaches (null: a package). */
interface Import {
  file: string;
  line: number;
  spec: string;
  /** The top folder under src/ a relative import reaches, e.g. 'domain'; null for a package or node module. */
  folder: string | null;
}

const NODE_MODULES = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function importsOf(file: string, source: string): Import[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles.map(({ fileName: spec, pos }) => {
    const line = source.slice(0, pos).split('\n').length;
    if (!spec.startsWith('.')) return { file, line, spec, folder: null };
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    return { file, line, spec, folder: target.startsWith('../') ? '..' : (target.split('/')[0] ?? '') };
  });
}

/** One house rule: which files it covers and what an import there must not be. */
interface Rule {
  name: string;
  covers: string;
  /** Why the import breaks the rule, or null when it is allowed. */
  breaks(imp: Import): string | null;
}

const RULES: Rule[] = [
  {
    name: 'domain imports nothing of ours and does no I/O',
    covers: 'domain',
    breaks: (imp) =>
      imp.folder === null
        ? NODE_MODULES.has(imp.spec)
          ? 'a node module: the domain is pure, I/O belongs at the edges'
          : null
        : imp.folder !== 'domain'
          ? `reaches src/${imp.folder}: the domain imports nothing outside itself`
          : null,
  },
  {
    name: 'protocol imports only domain',
    covers: 'protocol',
    breaks: (imp) =>
      imp.folder === null
        ? 'a package or node module: protocol is wire shapes and their validation over the domain'
        : imp.folder !== 'protocol' && imp.folder !== 'domain'
          ? `reaches src/${imp.folder}: protocol imports only domain`
          : null,
  },
  ...(['broker', 'client'] as const).map(
    (covers): Rule => ({
      name: `${covers} never imports workbench`,
      covers,
      breaks: (imp) => (imp.folder === 'workbench' ? `reaches src/workbench: the ${covers} must run without the terminal UI` : null),
    }),
  ),
  {
    name: 'workbench talks to the broker only through client',
    covers: 'workbench',
    breaks: (imp) => (imp.folder === 'broker' ? 'reaches src/broker: the workbench reaches the broker only through src/client' : null),
  },
];

/** Every broken rule among `files` (paths relative to src/, with their text), one line each, naming file, line and import. */
function brokenRules(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    for (const imp of importsOf(file, source)) {
      for (const rule of RULES) {
        if (file.split('/')[0] !== rule.covers) continue;
        const why = rule.breaks(imp);
        if (why !== null) found.push(`${rule.name}: src/${imp.file}:${imp.line} imports '${imp.spec}', ${why}`);
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("DESIGN.md's import rules", () => {
  it('hold for every file in src/', () => {
    const files = new Map(sourceFiles(SRC).map((path) => [relative(SRC, path).split(/[\\/]/).join('/'), readFileSync(path, 'utf8')]));
    expect(files.size).toBeGreaterThan(100);
    // Each rule covers files that exist, so a renamed folder cannot leave a rule checking nothing.
    for (const rule of RULES) expect([...files.keys()].some((f) => f.startsWith(`${rule.covers}/`)), rule.name).toBe(true);
    expect(brokenRules(files)).toEqual([]);
  });

  it('name the file, the line and the import that break them', () => {
    const files = new Map([
      ['domain/clock.ts', "import { readFileSync } from 'node:fs';\nimport type { Frame } from '../protocol/frames.js';\nimport { x } from './x.js';\n"],
      ['domain/sub/deep.ts', "export { y } from '../../broker/y.js';\n"],
      ['protocol/frames.ts', "import { z } from 'zod';\nimport { e } from '../domain/events.js';\nconst t = () => import('../cli/main.js');\n"],
      ['broker/core.ts', "import {\n  theme,\n} from '../workbench/theme.js';\n// import { no } from '../workbench/comment.js';\n"],
      ['client/outbox.ts', "const s = \"from '../workbench/string.js'\";\n"],
      ['workbench/index.tsx', "import { hub } from '../broker/agent-hub.js';\nimport { c } from '../client/broker-client.js';\n"],
    ]);
    expect(brokenRules(files)).toEqual([
      "domain imports nothing of ours and does no I/O: src/domain/clock.ts:1 imports 'node:fs', a node module: the domain is pure, I/O belongs at the edges",
      "domain imports nothing of ours and does no I/O: src/domain/clock.ts:2 imports '../protocol/frames.js', reaches src/protocol: the domain imports nothing outside itself",
      "domain imports nothing of ours and does no I/O: src/domain/sub/deep.ts:1 imports '../../broker/y.js', reaches src/broker: the domain imports nothing outside itself",
      "protocol imports only domain: src/protocol/frames.ts:1 imports 'zod', a package or node module: protocol is wire shapes and their validation over the domain",
      "protocol imports only domain: src/protocol/frames.ts:3 imports '../cli/main.js', reaches src/cli: protocol imports only domain",
      "broker never imports workbench: src/broker/core.ts:3 imports '../workbench/theme.js', reaches src/workbench: the broker must run without the terminal UI",
      "workbench talks to the broker only through client: src/workbench/index.tsx:1 imports '../broker/agent-hub.js', reaches src/broker: the workbench reaches the broker only through src/client",
    ]);
  });
});
