#!/usr/bin/env node
// The CLI, bundled into dist/bundle/ by `npm run build` (which `npm install` runs through the
// prepare script): a few files to load instead of hundreds of modules (scripts/bundle-cli.js).
import('../dist/bundle/main.js').then((cli) => cli.main(process.argv.slice(2)));
