// `courtdesk untag ENQUIRY CASE`: remove a case number tagged by mistake.
import { parseCaseNumber } from '../../domain/case-number.js';
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk untag ENQUIRY CASE [--json] [--broker URL --token T]

Removes a case number from the enquiry (written as when it was tagged, in any case or spacing).
Refused with NOT_TAGGED when the enquiry does not carry it. You must hold the enquiry.
With --json, {"ok": true, "seq": N, "enquiry": {...summary}}.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'untag', help: HELP, argv, io, options: {}, positionals: ['ENQUIRY', 'CASE'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const written = script.positionals[1]!;
    const parsed = parseCaseNumber(written);
    const shown = parsed.ok ? parsed.caseNumber : written.trim();
    await enquiryCommand(script, { type: 'untag', enquiryId: id, caseNumber: written }, { done: `untagged ${shown} from ${id}`, unchanged: `${id} did not carry ${shown}` });
  });
}
