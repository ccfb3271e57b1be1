// Writes docs/records.md's "Who may do what" from the role table (src/domain/permissions.ts).
// Run after changing the table: npm run build && node scripts/permissions-doc.js
// (test/docs/permissions-doc.test.ts fails until the page matches).
import { readFile, writeFile } from 'node:fs/promises';

const { withPermissionsSection } = await import('../dist/protocol/permissions-doc.js');
const page = new URL('../docs/records.md', import.meta.url);
const before = await readFile(page, 'utf8').catch(() => '# Records\n');
const after = withPermissionsSection(before);
if (after === before) {
  console.log('docs/records.md: "Who may do what" is up to date');
} else {
  await writeFile(page, after);
  console.log('docs/records.md: "Who may do what" rewritten from src/domain/permissions.ts');
}
