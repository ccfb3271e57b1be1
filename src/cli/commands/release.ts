// `courtdesk release ENQUIRY`: put an enquiry you hold back in the queue for someone else.
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk release ENQUIRY [--json] [--broker URL --token T]

Gives up an enquiry you hold, so another agent can take it; a supervisor may release anyone's.
With --json, {"ok": true, "seq": N, "enquiry": {...summary}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'release', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    await enquiryCommand(script, { type: 'release', enquiryId: id }, { done: `released ${id}`, unchanged: `${id} was not held; nothing changed` });
  });
}
