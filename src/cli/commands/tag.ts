// `courtdesk tag ENQUIRY CASE`: record the County Court case number an enquiry is about.
import { parseCaseNumber } from '../../domain/case-number.js';
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk tag ENQUIRY CASE [--json] [--broker URL --token T]

Tags the enquiry with a case number: a civil claim number (305JE126), a Money Claim Online
number (A1QZ1234) or a 16-digit reference (1712 3456 7890 1238, quoted when it has spaces).
The number is upper-cased and stored without spaces or dashes; an 8-character number of an
older local format is accepted as "unverified". You must hold the enquiry. With --json,
{"ok": true, "seq": N, "enquiry": {...summary}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'tag', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY', 'CASE'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const written = script.positionals[1]!;
    // Checked here too, so a typo is a usage error (exit 2) without a round trip; the broker checks again.
    const parsed = parseCaseNumber(written);
    if (!parsed.ok) throw new ExitError(EXIT.usage, parsed.reason);
    await enquiryCommand(
      script,
      { type: 'tag', enquiryId: id, caseNumber: written },
      { done: `tagged ${id} with ${parsed.caseNumber} (${parsed.description})`, unchanged: `${id} was already tagged with ${parsed.caseNumber}` },
    );
  });
}
