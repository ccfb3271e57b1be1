// docs/workbench.md's key tables, generated from the tables the workbench dispatches with (the
// queue's keymap, each dialog's modes, the text fields' editing keys), so the page cannot drift
// from what the keys do. Written by scripts/workbench-keys-doc.js;
// test/docs/workbench-keys-doc.test.ts fails when the page is out of date.
import { dialogSpecs, type AnySpec } from './dialogs/registry.js';
import { EDITING_KEYS } from './dialogs/line-editor.js';
import type { Binding } from './keys/context.js';
import { queueKeys } from './keymap.js';

const HOW = 'after changing a key table, run `npm run build && node scripts/workbench-keys-doc.js`';

/** The generated blocks, by the name in their markers. */
export function keysBlocks(queue: readonly Binding[] = queueKeys(), dialogs: readonly AnySpec[] = dialogSpecs()): Record<'queue' | 'dialogs', string> {
  const queueRows = queue.map((b) => `| ${keysOf(b.label, b.keys)} | ${cell(b.help)} | ${cell(b.needs)} |`);
  const dialogTables = dialogs.flatMap((spec) =>
    Object.values(spec.modes).flatMap((mode) => [
      `**${mode.title}**${mode.typing ? ' (a text field: the editing keys below work too)' : ''}:`,
      '',
      '| key | what it does |',
      '| --- | --- |',
      ...mode.keys.map((k) => `| ${k.keys.length === 0 ? `*${k.label}*` : keysOf(k.label, k.keys)} | ${cell(k.help)} |`),
      '',
    ]),
  );
  const editing = ['**In every text field**:', '', '| key | what it does |', '| --- | --- |', ...EDITING_KEYS.map((k) => `| ${keysOf(k.label, k.keys)} | ${cell(k.help)} |`)];
  return {
    queue: ['| key | what it does | when |', '| --- | --- | --- |', ...queueRows].join('\n'),
    dialogs: [...dialogTables, ...editing].join('\n'),
  };
}

/** `doc` with each generated block replaced between its markers. */
export function withKeysBlocks(doc: string, blocks = keysBlocks()): string {
  let out = doc;
  for (const [name, body] of Object.entries(blocks)) {
    const begin = `<!-- keys:${name} generated from the key tables: ${HOW} -->`;
    const end = `<!-- keys:${name} end -->`;
    const from = out.indexOf(`<!-- keys:${name} `);
    const to = out.indexOf(end);
    if (from === -1 || to === -1) throw new Error(`docs/workbench.md has no "<!-- keys:${name} ... -->" and "${end}" markers: put them where its key table goes.`);
    out = `${out.slice(0, from)}${begin}\n\n${body}\n\n${out.slice(to)}`;
  }
  return out;
}

/** `j Down` → `` `j` `Down` ``; `Enter or 1-9` → `` `Enter` or `1-9` ``; and `^C` when Ctrl-C does it too. */
function keysOf(label: string, keys: readonly string[]): string {
  const parts = label.split(' ').map((p) => (p === 'or' ? p : `\`${p}\``));
  if (keys.includes('ctrl-c') && !label.includes('^C')) parts.push('`^C`');
  return parts.join(' ');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
