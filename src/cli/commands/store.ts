// `courtdesk store migrate --store URL`: creates or upgrades the PostgreSQL journal's tables, so a
// broker started with the same --store finds them (it refuses to start on a database without).
import { migrate, parseStoreUrl } from '../../broker/journal/pg-schema.js';
import { fail, parseFlags } from '../options.js';

const HELP = `usage: courtdesk store migrate --store postgres://USER@HOST:PORT/DB[?schema=NAME]

Creates the journal's tables in the schema NAME (default courtdesk), or upgrades them to this
release's version; running it again changes nothing. The URL may also come from COURTDESK_STORE.
Every broker node started with the same --store then shares one journal (docs/operations.md).
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('store', argv, { store: { type: 'string' } }, { positionals: true });
  if (!flags.ok) return fail('store', flags.message, 2);
  const { values, positionals } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals[0] !== 'migrate' || positionals.length > 1) return fail('store', 'the one action is migrate: courtdesk store migrate --store URL', 2);
  const raw = values.store ?? process.env.COURTDESK_STORE;
  if (!raw) return fail('store', 'give the database: courtdesk store migrate --store postgres://USER@HOST:PORT/DB', 2);
  let address;
  try {
    address = parseStoreUrl(raw);
  } catch (err) {
    return fail('store', (err as Error).message, 2);
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
