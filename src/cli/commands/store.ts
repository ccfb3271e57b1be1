// `courtdesk store migrate --store URL`: creates or upgrades the PostgreSQL journal's tables, so a
// broker started with the same --store finds them (it refuses to start on a database without).
// `courtdesk store import --data DIR --store URL` moves a file journal there (store-import.ts).
import { migrate, parseStoreUrl } from '../../broker/journal/pg-schema.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';
import { runImport } from './store-import.js';

const HELP = `usage: courtdesk store migrate --store postgres://USER@HOST:PORT/DB[?schema=NAME]
       courtdesk store import --data DIR --store postgres://USER@HOST:PORT/DB[?schema=NAME]

migrate creates the journal's tables in the schema NAME (default courtdesk), or upgrades them to
this release's version; running it again changes nothing. Every broker node started with the same
--store then shares one journal (docs/operations.md).

import copies the file journal of the data folder DIR (journal.ndjson and its content keys) into
a schema just migrated, verifying every record's place in the hash chain as it copies; a damaged
journal is refused and nothing is imported. Stop the broker using DIR first.

The URL may also come from COURTDESK_STORE, and DIR from COURTDESK_DATA.
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('store', argv, { store: { type: 'string' }, data: { type: 'string' } }, { positionals: true });
  if (!flags.ok) return fail('store', flags.message, 2);
  const { values, positionals } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const action = positionals[0];
  if ((action !== 'migrate' && action !== 'import') || positionals.length > 1) {
    return fail('store', 'the actions are migrate and import: courtdesk store migrate --store URL, courtdesk store import --data DIR --store URL', 2);
  }
  const raw = values.store ?? process.env.COURTDESK_STORE;
  if (!raw) return fail('store', `give the database: courtdesk store ${action} --store postgres://USER@HOST:PORT/DB`, 2);
  let address;
  try {
    address = parseStoreUrl(raw);
  } catch (err) {
    return fail('store', (err as Error).message, 2);
  }
  if (action === 'import') {
    if (!values.data && !process.env.COURTDESK_DATA) return fail('store', 'give the folder of the file journal: courtdesk store import --data DIR --store URL', 2);
    return runImport(dataDirFrom(values.data), address);
  }
  try {
    const { from, to } = await migrate(address);
    const where = `${address.shown} (schema ${address.schema})`;
    process.stdout.write(from === to ? `${where}: the journal tables are already at version ${to}\n` : `${where}: journal tables ${from === 0 ? 'created' : `upgraded from version ${from}`} at version ${to}\n`);
    return 0;
  } catch (err) {
    return fail('store', (err as Error).message);
  }
}
