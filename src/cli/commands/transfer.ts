// `courtdesk transfer ENQUIRY --to AGENT`: hand an enquiry to a named agent.
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { processIo, ExitError, EXIT, type Io } from '../script-io.js';

const HELP = `usage: courtdesk transfer ENQUIRY --to AGENT [--json] [--broker URL --token T]

Hands the enquiry to AGENT (a token name), who then holds it. An agent may transfer what they
hold; a supervisor may transfer any enquiry. With --json, {"ok": true, "seq": N, "enquiry": {...}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { to: { type: 'string' } } as const;
  return runScripted({ name: 'transfer', help: HELP, argv, io, options, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const to = script.values.to?.trim();
    if (!to) throw new ExitError(EXIT.usage, `--to AGENT is required; usage: ${HELP.split('\n')[0]!.replace('usage: ', '')}`);
    await enquiryCommand(script, { type: 'transfer', enquiryId: id, toAgent: to }, { done: `transferred ${id} to ${to}`, unchanged: `${id} is already held by ${to}; nothing changed` });
  });
}
