// Writes docs/workbench.md's key tables from the workbench's key tables (src/workbench/keymap.ts,
// each dialog in src/workbench/dialogs/, the editing keys in dialogs/line-editor.ts).
// Run after changing one: npm run build && node scripts/workbench-keys-doc.js
// (test/docs/workbench-keys-doc.test.ts fails until the page matches).
import { readFile, writeFile } from 'node:fs/promises';

const { withKeysBlocks } = await import('../dist/workbench/keys-doc.js');
const page = new URL('../docs/workbench.md', import.meta.url);
const before = await readFile(page, 'utf8');
const after = withKeysBlocks(before);
if (after === before) {
  console.log('docs/workbench.md: the key tables are up to date');
} else {
  await writeFile(page, after);
  console.log('docs/workbench.md: the key tables rewritten from the workbench key tables');
}
