// `courtdesk retention apply`: removes the personal content of enquiries closed before a date, on
// a data folder whose broker is stopped (a running broker does it itself with --retain-closed).
import { BrokerCore } from '../../broker/core.js';
import { FileJournalStore } from '../../broker/journal/file-store.js';
import { applyRetention } from '../../broker/retention.js';
import { checkClosedBefore } from '../../domain/retention.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage: courtdesk retention apply --closed-before YYYY-MM-DD [--dry-run] [--json] [--data DIR]

Removes the personal content (names, numbers, message, reply and note texts, email bodies) of
every enquiry closed before the date, by destroying its content key: the journal still verifies,
counts and times stay, and the content reads as "removed under the retention policy on DATE"
everywhere. A retention.applied event records what was removed and under which rule.

--dry-run lists what would be removed and changes nothing. The broker must be stopped; a running
broker applies a rule itself with --retain-closed PERIOD. See docs/records.md.
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    'retention',
    argv,
    { 'closed-before': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, data: { type: 'string' } },
    { positionals: true },
  );
  if (!flags.ok) return fail('retention', flags.message, 2);
  const { values, positionals } = flags;
  if (values.help || positionals[0] !== 'apply') {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (!values['closed-before']) return fail('retention', 'give the date: --closed-before YYYY-MM-DD (enquiries closed before it are removed)', 2);
  const date = checkClosedBefore(values['closed-before'], new Date());
  if (!date.ok) return fail('retention', date.message, 2);
  const dataDir = dataDirFrom(values.data);
  const dryRun = values['dry-run'] === true;

  const core = new BrokerCore(new FileJournalStore({ dir: dataDir }), {
    recentLimit: 0,
    checkpointDir: dataDir,
    checkpointEvery: 0,
    checkpointMinIntervalMs: 0,
    log: (line) => process.stderr.write(`courtdesk retention: ${line}\n`),
  });
  try {
    await core.open();
  } catch (err) {
    const message = (err as Error).message;
    return fail('retention', /another broker/.test(message) ? `${message}; stop it first, or run it with --retain-closed PERIOD` : message);
  }
  try {
    const done = await applyRetention(core, { rule: `closed before ${date.date}`, closedBefore: date.date, dryRun });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(done)}\n`);
    } else if (done.enquiryIds.length === 0) {
      process.stdout.write(`No enquiry closed before ${date.date} still has its content; nothing to remove.\n`);
    } else if (dryRun) {
      process.stdout.write(`Would remove the personal content of ${done.enquiryIds.length} enquiries closed before ${date.date}:\n${done.enquiryIds.join('\n')}\n`);
    } else {
      const unsealed = done.enquiryIds.length - done.keysDestroyed;
      process.stdout.write(
        `Removed the personal content of ${done.enquiryIds.length} enquiries closed before ${date.date} (journal seq ${done.seq}).\n` +
          (unsealed > 0
            ? `${unsealed} of them were written before content was sealed: they read as removed everywhere, but their words stay in journal.ndjson (docs/records.md).\n`
            : ''),
      );
    }
    return 0;
  } catch (err) {
    return fail('retention', `${(err as Error).message}; nothing more was removed, and running it again finishes the job`);
  } finally {
    // A dry run writes nothing, a checkpoint included.
    await core.close({ checkpoint: !dryRun });
  }
}
