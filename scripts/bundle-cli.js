// Bundles the CLI into dist/bundle/, which is what bin/courtdesk.js loads. Loading the workbench
// from tsc's dist/ meant reading and compiling about 600 modules (Ink alone pulls in
// es-toolkit/compat's 415 for one `throttle`) before the first frame; the bundle is a few files.
// Code splitting keeps every command lazy: main.js is only the command table, and each command's
// chunks are loaded when it runs, so the workbench never loads the broker's code and vice versa
// (test/scripts/bundle-cli.test.ts checks both).
// tsc's dist/ stays as it is: tests, benchmarks and other scripts import modules from it.
// Run: node scripts/bundle-cli.js (npm run build does, after tsc).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** esbuild's options for the CLI bundle (the test builds with them too, in memory). */
export const bundleOptions = {
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: `${root}dist/bundle`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  tsconfig: 'tsconfig.build.json',
  chunkNames: 'chunks/[name]-[hash]',
  // Readable output, not minified: a stack trace names the real functions, and esbuild's
  // `// src/…` comments say which file each part came from. The maps give src/ lines under
  // `node --enable-source-maps` (not on by default: Node would read every map at start).
  sourcemap: 'linked',
  sourcesContent: false,
  // NODE_ENV is left to run time: the CLI sets `production` unless told otherwise, so React's
  // development build is bundled too but only evaluated when asked for (about 10 ms of parsing).
  // Ink imports react-devtools-core only when DEV=true, in a chunk of its own; it is not
  // installed, so DEV=true fails as it would unbundled.
  // pg loads its optional native binding (pg-native, not installed) only when asked for.
  external: ['react-devtools-core', 'pg-native'],
  // Bundled CommonJS packages (React, ws, nodemailer…) call require() for Node's built-ins, which
  // an ES module does not have.
  banner: { js: "import { createRequire as __courtdeskRequire } from 'node:module'; const require = __courtdeskRequire(import.meta.url);" },
  logLevel: 'warning',
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await rm(bundleOptions.outdir, { recursive: true, force: true });
  await build(bundleOptions);
}
