// `courtdesk close ENQUIRY`: the conversation is finished.
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk close ENQUIRY [--json] [--broker URL --token T]

Closes an enquiry you hold. If the court user writes again it reopens by itself;
\`courtdesk reopen ENQUIRY\` reopens it by hand. With --json, {"ok": true, "seq": N, "enquiry": {...}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'close', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    await enquiryCommand(script, { type: 'close', enquiryId: id }, { done: `closed ${id}`, unchanged: `${id} was already closed` });
  });
}
