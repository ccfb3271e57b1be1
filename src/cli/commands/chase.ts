// `courtdesk chase ENQUIRY ESCALATION`: follow up an email the court has not answered.
import { ESCALATION_COMMON_HELP, enquiryId, printEscalation, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk chase ENQUIRY ESCALATION [--broker URL --token T]

Sends the chase template to the same court, quoting the original email's subject and the date
it was sent, and prints the new (chase) escalation as JSON. Refused with ALREADY_ANSWERED when
the court has answered, and NOT_SENT while the original has not gone out yet. Chasing a chase
chases the original thread. Escalation ids are in \`courtdesk show ENQUIRY\`.

${ESCALATION_COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'chase', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY', 'ESCALATION'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const escalationId = script.positionals[1]!.trim();
    if (escalationId === '') throw new ExitError(EXIT.usage, 'the escalation id is empty; take it from courtdesk show ENQUIRY.');
    const session = await script.connect();
    const before = new Set(session.client.state.enquiries.get(id)?.escalations.map((x) => x.id) ?? []);
    await session.command({ type: 'chase', enquiryId: id, escalationId });
    const enquiry = await session.open(id);
    const chases = enquiry.escalations.filter((x) => x.chaseOf !== undefined && !before.has(x.id));
    printEscalation(script, chases[chases.length - 1]);
  });
}
