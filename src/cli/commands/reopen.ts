// `courtdesk reopen ENQUIRY`: bring a closed enquiry back to the queue.
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk reopen ENQUIRY [--json] [--broker URL --token T]

Reopens a closed enquiry (any agent may). Refused with NOT_CLOSED when it is open.
With --json, {"ok": true, "seq": N, "enquiry": {...summary}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'reopen', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    await enquiryCommand(script, { type: 'reopen', enquiryId: id }, { done: `reopened ${id}`, unchanged: `${id} was already open` });
  });
}
