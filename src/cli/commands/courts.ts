// `courtdesk courts list|import`: the court directory escalations are sent to.
import { CourtDirectory, courtsFilePath, importCourtsFile } from '../../broker/escalation/court-directory.js';
import { NOT_A_COUNTY_COURT, type Court } from '../../domain/courts.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage:
  courtdesk courts list [--json] [--search Q] [--data DIR]
  courtdesk courts import FILE [--data DIR]

"list" shows the built-in County Court hearing centres plus any imported into DIR/courts.json
(imported entries win for the same slug). --search matches names and slugs, best first.
"import" reads a Find a Court or Tribunal JSON export, keeps County Courts with a valid civil
enquiries inbox, reports what it skipped and why, and replaces the previous import in one step.
DIR defaults to $COURTDESK_DATA or ./courtdesk-data.
`;

function printCourts(courts: readonly Court[]): void {
  for (const c of courts) {
    process.stdout.write(`${c.name}${c.welsh ? '  (Wales: Welsh)' : ''}\n  ${c.slug}  ${c.email}\n`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('courts', argv, { json: { type: 'boolean' }, search: { type: 'string' }, data: { type: 'string' } }, { positionals: true });
  if (!flags.ok) return fail('courts', flags.message, 2);
  const { values, positionals } = flags;
  const [action, file, ...extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dataDir = dataDirFrom(values.data);
  switch (action) {
    case 'list': {
      if (file !== undefined) return fail('courts', `"list" takes no arguments; to search, use --search "${file}"`, 2);
      let directory: CourtDirectory;
      try {
        directory = await CourtDirectory.load(dataDir);
      } catch (err) {
        return fail('courts', (err as Error).message);
      }
      const courts = values.search === undefined ? directory.courts : directory.search(values.search);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(courts, null, 2)}\n`);
        return 0;
      }
      if (courts.length === 0) return fail('courts', `no court matches "${values.search}"`);
      printCourts(courts);
      const imported = directory.importedCount > 0 ? `${directory.importedCount} imported into ${courtsFilePath(dataDir)}` : 'none imported';
      process.stdout.write(`\n${courts.length} of ${directory.courts.length} courts (${imported})\n`);
      return 0;
    }
    case 'import': {
      if (!file) return fail('courts', 'name the file: courtdesk courts import FILE', 2);
      if (extra.length > 0) return fail('courts', 'import one file at a time', 2);
      let report;
      try {
        report = await importCourtsFile(dataDir, file);
      } catch (err) {
        return fail('courts', (err as Error).message);
      }
      const notCounty = report.skipped.filter((s) => s.reason === NOT_A_COUNTY_COURT);
      const others = report.skipped.filter((s) => s.reason !== NOT_A_COUNTY_COURT);
      const n = report.courts.length;
      if (report.written) process.stdout.write(`Imported ${n} court${n === 1 ? '' : 's'} into ${report.path}.\n`);
      if (report.skipped.length > 0) {
        process.stdout.write(`Skipped ${report.skipped.length}:\n`);
        if (notCounty.length > 0) process.stdout.write(`  ${notCounty.length} not County Courts\n`);
        for (const s of others) process.stdout.write(`  ${s.slug || '-'} (${s.name}): ${s.reason}\n`);
      }
      if (!report.written) {
        return fail('courts', `nothing imported: ${file} has no County Court with a usable civil enquiries inbox; the directory is unchanged`);
      }
      return 0;
    }
    default:
      return fail('courts', `unknown action "${action}": use list or import`, 2);
  }
}
