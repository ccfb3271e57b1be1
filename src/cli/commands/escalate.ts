// `courtdesk escalate ENQUIRY --court SLUG --template NAME [--field k=v]...`: email the hearing
// centre about an enquiry, from a template, and print the escalation the broker recorded.
import type { Language } from '../../domain/events.js';
import { isUnanswered } from '../../domain/escalations.js';
import { ESCALATION_COMMON_HELP, enquiryId, printEscalation, runScripted } from '../broker-command.js';
import type { Session } from '../broker-session.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk escalate ENQUIRY --court SLUG --template NAME [--field NAME=VALUE]... [--language en|cy]

Emails the court (by its slug in the directory: courtdesk courts list --search NAME) using a
template (courtdesk templates list), and prints the escalation as JSON: its id, status (queued,
then sent), the court's address, subject and the email as sent. You must hold the enquiry.
The template's language defaults to the enquiry's. Fields the template asks for that the
enquiry cannot supply (a hearing date, say) are given with --field, once per field; when any
is missing the command fails (exit 1, MISSING_FIELDS) naming every one.
--court takes the court's slug, or any words the directory search finds one court by
(\`--court cardiff\`); several matches are listed for you to choose from. An unanswered email
to the same court already on the enquiry stops the command (exit 1): chase that one with
\`courtdesk chase ENQUIRY ESCALATION\`, or pass --again to send another anyway.

${ESCALATION_COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = {
    court: { type: 'string' },
    template: { type: 'string' },
    field: { type: 'string', multiple: true },
    language: { type: 'string' },
    again: { type: 'boolean' },
  } as const;
  return runScripted({ name: 'escalate', help: HELP, argv, io, options, positionals: ['ENQUIRY'] }, async (script) => {
    const { values } = script;
    const usage = HELP.split('\n')[0]!;
    const id = enquiryId(script.positionals[0]!);
    const courtGiven = values.court?.trim();
    const template = values.template?.trim();
    if (!courtGiven) throw new ExitError(EXIT.usage, `--court SLUG is required (find it with courtdesk courts list --search NAME); ${usage}`);
    if (!template) throw new ExitError(EXIT.usage, `--template NAME is required (see courtdesk templates list); ${usage}`);
    const language = values.language;
    if (language !== undefined && language !== 'en' && language !== 'cy') {
      throw new ExitError(EXIT.usage, `--language must be en or cy (got ${JSON.stringify(language)}).`);
    }
    const fields = parseFields(values.field ?? []);

    const session = await script.connect();
    const courtSlug = await findCourt(session, courtGiven);
    const existing = session.client.state.enquiries.get(id)?.escalations ?? [];
    const pending = existing.find((x) => x.courtSlug === courtSlug && isUnanswered(x));
    if (pending && !values.again) {
      throw new ExitError(
        EXIT.refused,
        `ALREADY_ESCALATED: ${id} already has an unanswered email to ${pending.courtName} (${pending.id}, ${pending.status}); chase it with courtdesk chase ${id} ${pending.id}, or send another with --again`,
      );
    }
    const before = new Set(existing.map((x) => x.id));
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

/** The slug for what was given: a slug as it is, or the one court the directory's search finds. */
async function findCourt(session: Session, given: string): Promise<string> {
  const answer = await session.client.send({ type: 'list-courts', query: given });
  if (!answer.ok) throw new ExitError(EXIT.refused, `${answer.error.code}: ${answer.error.message}`);
  const courts = (answer.data ?? []) as Array<{ slug: string; name: string }>;
  if (courts.some((c) => c.slug === given)) return given;
  if (courts.length === 1) return courts[0]!.slug;
  if (courts.length === 0) throw new ExitError(EXIT.refused, `UNKNOWN_COURT: no court in the directory matches "${given}"; search with courtdesk courts list --search NAME`);
  const listed = courts.slice(0, 5).map((c) => `${c.slug} (${c.name})`).join(', ');
  throw new ExitError(EXIT.usage, `--court "${given}" matches ${courts.length} courts: ${listed}${courts.length > 5 ? ', …' : ''}; give one slug`);
}

/** `--field hearingDate=26 November 2026` → { hearingDate: '26 November 2026' }; the value may hold `=`. */
function parseFields(given: string[]): Record<string, string> {
  // A Map, so a field named "toString" or "__proto__" is a field like any other.
  const fields = new Map<string, string>();
  for (const item of given) {
    const at = item.indexOf('=');
    const name = at < 0 ? '' : item.slice(0, at).trim();
    if (name === '') throw new ExitError(EXIT.usage, `--field wants NAME=VALUE (got ${JSON.stringify(item)}), e.g. --field hearingDate="26 November 2026 at 10am".`);
    if (fields.has(name)) throw new ExitError(EXIT.usage, `--field ${name} is given twice; give each field once.`);
    fields.set(name, item.slice(at + 1));
  }
  return Object.fromEntries(fields);
}

