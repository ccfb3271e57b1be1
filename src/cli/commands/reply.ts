// `courtdesk reply ENQUIRY --text T`: answer the court user on the channel they wrote from.
import { COMMON_HELP, enquiryCommand, enquiryId, requiredText, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk reply ENQUIRY --text T [--json] [--broker URL --token T]

Sends T to the court user on their channel (up to 4,000 characters). You must hold the enquiry
(courtdesk claim ENQUIRY). Delivery happens after the broker records the reply: \`courtdesk show
ENQUIRY\` shows whether it was delivered. With --json, {"ok": true, "seq": N, "enquiry": {...}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { text: { type: 'string' } } as const;
  return runScripted({ name: 'reply', help: HELP, argv, io, options, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const text = requiredText(script.values.text, '--text', HELP.split('\n')[0]!);
    await enquiryCommand(script, { type: 'reply', enquiryId: id, text }, { done: `replied to ${id}`, unchanged: `replied to ${id}` });
  });
}
