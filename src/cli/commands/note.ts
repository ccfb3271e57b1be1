// `courtdesk note ENQUIRY --text T`: an internal note, never sent to the court user.
import { COMMON_HELP, enquiryCommand, enquiryId, requiredText, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk note ENQUIRY --text T [--json] [--broker URL --token T]

Adds an internal note to the enquiry's record: agents and supervisors see it, the court user
never does. You must hold the enquiry (a supervisor need not). With --json,
{"ok": true, "seq": N, "enquiry": {...summary}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { text: { type: 'string' } } as const;
  return runScripted({ name: 'note', help: HELP, argv, io, options, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const text = requiredText(script.values.text, '--text', HELP.split('\n')[0]!);
    await enquiryCommand(script, { type: 'note', enquiryId: id, text }, { done: `noted on ${id}`, unchanged: `noted on ${id}` });
  });
}
