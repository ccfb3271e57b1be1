// `courtdesk claim ENQUIRY | --next`: take an enquiry, or the one that has waited longest.
import { COMMON_HELP, enquiryCommand, enquiryId, runScripted, summarise, type AnyScript } from '../broker-command.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';
import type { TakenEnquiry } from '../../protocol/answers.js';

const HELP = `usage: courtdesk claim ENQUIRY | --next [--json] [--broker URL --token T]

Takes the enquiry, so that you (and nobody else) reply to it. Refused with ALREADY_CLAIMED when
another agent holds it. --next has the broker give you the next enquiry by its ranking rule
(urgent first, then the longest wait; an enquiry in Welsh goes to Welsh speakers first, and to
anyone after the broker's --language-first-seconds) and prints its id. It is refused with
NOTHING_WAITING when nothing is waiting for you, AWAY when you are set away, and AT_CAP when you
already hold as many enquiries as an agent may (the broker's --max-held). With --json,
{"ok": true, "seq": N, "enquiry": {...summary}}; seq is null when you already held it.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  const options = { next: { type: 'boolean' } } as const;
  return runScripted({ name: 'claim', help: HELP, argv, io, options, positionals: ['ENQUIRY'], minPositionals: 0 }, async (script) => {
    const [given] = script.positionals;
    if (script.values.next) {
      if (given !== undefined) throw new ExitError(EXIT.usage, `give an enquiry id or --next, not both; ${HELP.split('\n')[0]}`);
      return claimNext(script);
    }
    if (given === undefined) throw new ExitError(EXIT.usage, `name the enquiry, or pass --next for the one waiting longest; ${HELP.split('\n')[0]}`);
    const id = enquiryId(given);
    await enquiryCommand(script, { type: 'claim', enquiryId: id }, { done: `claimed ${id}`, unchanged: `claimed ${id} (you already held it)` });
  });
}

/** The broker decides which, by the one ranking rule (domain/routing.ts), so two agents never race for the same one. */
async function claimNext(script: AnyScript): Promise<void> {
  const session = await script.connect();
  const { seq, data } = await session.command({ type: 'take-next' });
  // Checked on arrival by the client (protocol/answers.ts).
  const taken = data as TakenEnquiry | undefined;
  if (!taken) throw new ExitError(EXIT.refused, 'the broker took an enquiry without saying which; update courtdesk or the broker so both speak the same protocol.');
  // The claim is durable before the ack, and its event reaches this socket first.
  const enquiry = session.client.state.enquiries.get(taken.enquiryId);
  script.print({ ok: true, seq, enquiry: enquiry ? summarise(enquiry, Date.now()) : { id: taken.enquiryId }, reason: taken.reason }, taken.enquiryId);
}
