// `courtdesk escalate ENQUIRY --court SLUG --template NAME [--field k=v]...`: email the hearing
// centre about an enquiry, from a template, and print the escalation the broker recorded.
import type { Language } from '../../domain/events.js';
import { ESCALATION_COMMON_HELP, enquiryId, EXIT, printEscalation, processIo, runScripted, ScriptError, type Io } from '../scripted.js';

const HELP = `usage: courtdesk escalate ENQUIRY --court SLUG --template NAME [--field NAME=VALUE]... [--language en|cy]

Emails the court (by its slug in the directory: courtdesk courts list --search NAME) using a
template (courtdesk templates list), and prints the escalation as JSON: its id, status (queued,
then sent), the court's address, subject and the email as sent. You must hold the enquiry.
The template's language defaults to the enquiry's. Fields the template asks for that the
enquiry cannot supply (a hearing date, say) are given with --field, once per field; when any
is missing the command fails (exit 1, MISSING_FIELDS) naming every one.
\`courtdesk chase ENQUIRY ESCALATION\` follows up one the court has not answered.

${ESCALATION_COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = {
    court: { type: 'string' },
    template: { type: 'string' },
    field: { type: 'string', multiple: true },
    language: { type: 'string' },
  } as const;
  return runScripted({ name: 'escalate', help: HELP, argv, io, options, positionals: ['ENQUIRY'] }, async (script) => {
    const { values } = script;
    const usage = HELP.split('\n')[0]!;
    const id = enquiryId(script.positionals[0]!);
    const courtSlug = values.court?.trim();
    const template = values.template?.trim();
    if (!courtSlug) throw new ScriptError(EXIT.usage, `--court SLUG is required (find it with courtdesk courts list --search NAME); ${usage}`);
    if (!template) throw new ScriptError(EXIT.usage, `--template NAME is required (see courtdesk templates list); ${usage}`);
    const language = values.language;
    if (language !== undefined && language !== 'en' && language !== 'cy') {
      throw new ScriptError(EXIT.usage, `--language must be en or cy (got ${JSON.stringify(language)}).`);
    }
    const fields = parseFields(values.field ?? []);

    const session = await script.connect();
    const before = new Set(session.client.state.enquiries.get(id)?.escalations.map((x) => x.id) ?? []);
    await session.command({
      type: 'escalate',
      enquiryId: id,
      courtSlug,
      template,
      ...(language ? { language: language as Language } : {}),
      ...(Object.keys(fields).length > 0 ? { fields } : {}),
    });
    const enquiry = await session.open(id);
    const created = enquiry.escalations.filter((x) => !before.has(x.id));
    printEscalation(script, created[created.length - 1] ?? enquiry.escalations[enquiry.escalations.length - 1]);
  });
}

/** `--field hearingDate=26 November 2026` → { hearingDate: '26 November 2026' }; the value may hold `=`. */
function parseFields(given: string[]): Record<string, string> {
  // A Map, so a field named "toString" or "__proto__" is a field like any other.
  const fields = new Map<string, string>();
  for (const item of given) {
    const at = item.indexOf('=');
    const name = at < 0 ? '' : item.slice(0, at).trim();
    if (name === '') throw new ScriptError(EXIT.usage, `--field wants NAME=VALUE (got ${JSON.stringify(item)}), e.g. --field hearingDate="26 November 2026 at 10am".`);
    if (fields.has(name)) throw new ScriptError(EXIT.usage, `--field ${name} is given twice; give each field once.`);
    fields.set(name, item.slice(at + 1));
  }
  return Object.fromEntries(fields);
}

