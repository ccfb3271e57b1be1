// docs/workbench.md's key tables are the workbench's key tables as the code has them: this fails
// when the page is out of date (fix: npm run build && node scripts/workbench-keys-doc.js).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dialogSpecs } from '../../src/workbench/dialogs/registry.js';
import { keysBlocks, withKeysBlocks } from '../../src/workbench/keys-doc.js';
import { queueKeys } from '../../src/workbench/keymap.js';

const PAGE = new URL('../../docs/workbench.md', import.meta.url);

describe('docs/workbench.md, the key tables', () => {
  it('are the tables the workbench dispatches with', async () => {
    const page = await readFile(PAGE, 'utf8');
    expect(page, 'docs/workbench.md is out of date with the key tables: run npm run build && node scripts/workbench-keys-doc.js').toBe(withKeysBlocks(page));
  });

  it('would notice a key changed, in the queue or in a dialog', async () => {
    const page = await readFile(PAGE, 'utf8');
    const queue = queueKeys().map((b) => (b.keys.includes('r') ? { ...b, help: 'answer the customer' } : b));
    expect(withKeysBlocks(page, keysBlocks(queue))).not.toBe(page);
    expect(keysBlocks(queue).queue).toContain('| `r` | answer the customer | you hold it |');
    const dialogs = dialogSpecs().map((spec) => (spec.kind === 'chase' ? { ...spec, modes: { ask: { ...spec.modes.ask!, keys: [] } } } : spec));
    expect(withKeysBlocks(page, keysBlocks(queueKeys(), dialogs))).not.toBe(page);
  });

  it('list every key of every table, and replace only what is between the markers', () => {
    const blocks = keysBlocks();
    for (const b of queueKeys()) expect(blocks.queue).toContain(`| ${b.help} |`);
    for (const spec of dialogSpecs()) for (const mode of Object.values(spec.modes)) {
      expect(blocks.dialogs).toContain(`**${mode.title}**`);
      for (const row of mode.keys) expect(blocks.dialogs).toContain(`| ${row.help.replaceAll('|', '\\|')} |`);
    }
    const doc = 'before\n<!-- keys:queue -->\nstale\n<!-- keys:queue end -->\nmiddle\n<!-- keys:dialogs -->\n<!-- keys:dialogs end -->\nafter\n';
    const written = withKeysBlocks(doc);
    expect(written.startsWith('before\n<!-- keys:queue generated')).toBe(true);
    expect(written).not.toContain('stale');
    expect(written).toContain('\nmiddle\n');
    expect(written.endsWith('<!-- keys:dialogs end -->\nafter\n')).toBe(true);
    expect(withKeysBlocks(written)).toBe(written);
    expect(() => withKeysBlocks('# no markers\n')).toThrow(/markers/);
  });
});
