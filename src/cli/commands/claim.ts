// `courtdesk claim ENQUIRY | --next`: take an enquiry, or the one that has waited longest.
import { nextFor } from '../../domain/queue.js';
import { COMMON_HELP, enquiryCommand, enquiryId, EXIT, processIo, runScripted, ExitError, summarise, type AnyScript, type Io } from '../broker-command.js';

const HELP = `usage: courtdesk claim ENQUIRY | --next [--json] [--broker URL --token T]

Takes the enquiry, so that you (and nobody else) reply to it. Refused with ALREADY_CLAIMED when
another agent holds it. --next takes the free enquiry that has waited longest, in one of your
languages, and prints its id; it fails when nothing is waiting for you. With --json,
{"ok": true, "seq": N, "enquiry": {...summary}}; seq is null when you already held it.

${COMMON_HELP}`;

/** Attempts for --next when other agents keep taking the enquiry first. */
const NEXT_ATTEMPTS = 5;

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

async function claimNext(script: AnyScript): Promise<void> {
  const session = await script.connect();
  const { state } = session.client;
  const lost = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const next = nextFor(lost.size === 0 ? state : { ...state, enquiries: without(state.enquiries, lost) }, session.agent);
    if (!next) {
      throw new ExitError(EXIT.refused, `NOTHING_WAITING: no free enquiry is waiting in ${session.agent.languages.join(' or ')}.`);
    }
    try {
      const { seq } = await session.command({ type: 'claim', enquiryId: next.id });
      const enquiry = state.enquiries.get(next.id) ?? next;
      script.print({ ok: true, seq, enquiry: summarise(enquiry, Date.now()) }, next.id);
      return;
    } catch (err) {
      // Another agent took it between our look at the queue and our claim. Their claim event may
      // reach us after our refusal, so skip that enquiry rather than wait for the state to say so.
      if (!(err instanceof ExitError && err.message.startsWith('ALREADY_CLAIMED:')) || attempt === NEXT_ATTEMPTS) throw err;
      lost.add(next.id);
    }
  }
}

function without<V>(map: ReadonlyMap<string, V>, ids: ReadonlySet<string>): Map<string, V> {
  return new Map([...map].filter(([id]) => !ids.has(id)));
}
