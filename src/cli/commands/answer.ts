// `courtdesk answer ENQUIRY ESCALATION --text T`: record what the court said.
import { ESCALATION_COMMON_HELP, enquiryId, printEscalation, requiredText, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk answer ENQUIRY ESCALATION --text T [--broker URL --token T]

Records the court's answer to an escalation (when it came by phone or to a mailbox courtdesk
does not read): T joins the enquiry's conversation as the court's message, and the escalation
and any chases of it become "answered". Prints the answered escalation as JSON.

${ESCALATION_COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { text: { type: 'string' } } as const;
  return runScripted({ name: 'answer', help: HELP, argv, io, options, positionals: ['ENQUIRY', 'ESCALATION'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const escalationId = script.positionals[1]!.trim();
    if (escalationId === '') throw new ExitError(EXIT.usage, 'the escalation id is empty; take it from courtdesk show ENQUIRY.');
    const text = requiredText(script.values.text, '--text', HELP.split('\n')[0]!);
    const session = await script.connect();
    await session.command({ type: 'answer-escalation', enquiryId: id, escalationId, text });
    const enquiry = await session.open(id);
    printEscalation(script, enquiry.escalations.find((x) => x.id === escalationId));
  });
}
