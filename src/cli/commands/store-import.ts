// `courtdesk store import --data DIR --store URL`: moves a file journal into PostgreSQL, checking
// every record's place in the hash chain as it copies; a damaged journal is refused whole.
import { importFileJournal } from '../../broker/journal/pg-import.js';
import type { StoreAddress } from '../../broker/journal/pg-schema.js';
import { fail } from '../options.js';

export async function runImport(dataDir: string, address: StoreAddress): Promise<number> {
  try {
    const done = await importFileJournal(dataDir, address);
    const where = `${address.shown} (schema ${address.schema})`;
    process.stdout.write(`imported ${done.records} record(s) and ${done.keys} content key(s) from ${dataDir} into ${where}; every record verified in the hash chain\n`);
    if (done.tornBytes > 0) process.stdout.write(`left out ${done.tornBytes} byte(s) after the last complete record: a write torn by a crash, never acknowledged\n`);
    if (done.missingKeys > 0) process.stdout.write(`warning: ${done.missingKeys} content key(s) the records use are not in ${dataDir}/content-keys.ndjson; that content reads as missing\n`);
    process.stdout.write(`start the brokers with --store ${address.shown}; keep ${dataDir} as it is until they run well\n`);
    return 0;
  } catch (err) {
    return fail('store import', `${(err as Error).message}${/damaged|not a journal/.test((err as Error).message) ? ' Nothing was imported.' : ''}`);
  }
}
