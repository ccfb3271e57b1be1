// The CLI bundle keeps every command lazy: built in memory with the real options
// (scripts/bundle-cli.js), each command's chunks must hold only what that command uses.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/bundle-cli.js', import.meta.url));

let meta: Metafile;
beforeAll(async () => {
  const { bundleOptions } = (await import(pathToFileURL(SCRIPT).href)) as { bundleOptions: BuildOptions };
  ({ metafile: meta } = await build({ ...bundleOptions, write: false, metafile: true, logLevel: 'silent' }));
});

/** The source modules in an entry's chunk and every chunk it imports statically, i.e. what loading it loads. */
function loadedBy(entryPoint: string): string[] {
  const outputs = meta.outputs;
  const entry = Object.keys(outputs).find((file) => outputs[file]!.entryPoint === entryPoint);
  if (!entry) throw new Error(`no chunk for ${entryPoint}`);
  const chunks = new Set<string>();
  const visit = (file: string) => {
    if (chunks.has(file)) return;
    chunks.add(file);
    for (const imported of outputs[file]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return [...chunks].flatMap((file) => Object.keys(outputs[file]!.inputs));
}

it('starts with the command table alone', () => {
  expect(loadedBy('src/cli/main.ts')).toEqual(['src/cli/main.ts']);
});

it("never loads the broker's code, mail or HTTP client for the workbench", () => {
  for (const entry of ['src/cli/commands/workbench.ts', 'src/workbench/index.tsx']) {
    const loaded = loadedBy(entry);
    expect(loaded.length).toBeGreaterThan(5);
    expect(loaded.filter((m) => /^src\/broker\/|node_modules\/(nodemailer|undici)\//.test(m))).toEqual([]);
  }
});

it('loads Ink and React only with the view, after the command has set NODE_ENV', () => {
  expect(loadedBy('src/cli/commands/workbench.ts').filter((m) => /node_modules\/(ink|react)\//.test(m))).toEqual([]);
  expect(loadedBy('src/workbench/index.tsx').some((m) => m.startsWith('node_modules/ink/'))).toBe(true);
});

it('never loads the workbench, Ink or React for the broker', () => {
  const loaded = loadedBy('src/cli/commands/broker.ts');
  expect(loaded.some((m) => m.startsWith('src/broker/'))).toBe(true);
  expect(loaded.filter((m) => /^src\/workbench\/|node_modules\/(ink|react|react-reconciler|yoga-layout)\//.test(m))).toEqual([]);
});
