// `courtdesk templates list|check`: the court email templates, built in and the user's own.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTemplates, userTemplatesDir, type TemplateLibrary } from '../../broker/escalation/template-loader.js';
import { LANGUAGES } from '../../domain/events.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage:
  courtdesk templates list [--json] [--dir DIR]
  courtdesk templates check [--dir DIR]

Templates are built in (English and Welsh) and can be added to or replaced from a folder of your
own: DIR/en/<name>.md and DIR/cy/<name>.md. DIR defaults to $COURTDESK_TEMPLATES, else the
templates folder in the data folder ($COURTDESK_DATA or ./courtdesk-data) when it exists.
"check" exits 1 listing every problem, such as a field nobody provides. See docs/templates.md.
`;

/** --dir, else COURTDESK_TEMPLATES, else DATA/templates when it exists. */
function userDir(flag: string | undefined): string | undefined {
  const given = flag ?? process.env.COURTDESK_TEMPLATES;
  if (given) return resolve(given);
  const fallback = userTemplatesDir(dataDirFrom(undefined));
  return existsSync(fallback) ? fallback : undefined;
}

function summary(library: TemplateLibrary) {
  return library.names().map(({ name, languages }) => {
    const versions = languages.map((l) => library.get(name, l)!);
    const first = versions[0]!;
    return {
      name,
      languages,
      description: first.description,
      fields: [...new Set(versions.flatMap((t) => t.fields))],
      ask: first.ask,
      files: versions.map((t) => t.file),
    };
  });
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('templates', argv, { json: { type: 'boolean' }, dir: { type: 'string' } }, { positionals: true });
  if (!flags.ok) return fail('templates', flags.message, 2);
  const { values, positionals } = flags;
  const [action, ...extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) return fail('templates', `"${action}" takes no arguments`, 2);
  const dir = userDir(values.dir);
  const library = await loadTemplates(dir === undefined ? {} : { userDir: dir });

  switch (action) {
    case 'list': {
      const list = summary(library);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      } else {
        for (const t of list) {
          process.stdout.write(`${t.name.padEnd(24)} ${t.languages.join(' ').padEnd(6)} ${t.description ?? ''}\n`);
          process.stdout.write(`  fields: ${t.fields.join(', ')}\n`);
          if (t.ask.length > 0) process.stdout.write(`  agent types: ${t.ask.join(', ')}\n`);
        }
      }
      for (const p of library.problems) process.stderr.write(`courtdesk templates: ${p}\n`);
      if (library.problems.length > 0) process.stderr.write('courtdesk templates: those files were left out; run `courtdesk templates check`\n');
      return 0;
    }
    case 'check': {
      for (const { name, languages } of library.names()) {
        const absent = LANGUAGES.filter((l) => !languages.includes(l));
        if (absent.length > 0) process.stdout.write(`note: ${name} has no ${absent.join(', ')} version\n`);
      }
      if (library.problems.length > 0) {
        for (const p of library.problems) process.stdout.write(`${p}\n`);
        const n = library.problems.length;
        return fail('templates', `${n} problem${n === 1 ? '' : 's'} found; those files are not used`);
      }
      process.stdout.write(`${library.templates.length} templates OK${dir ? ` (built in, and ${dir})` : ' (built in)'}\n`);
      return 0;
    }
    default:
      return fail('templates', `unknown action "${action}": use list or check`, 2);
  }
}
