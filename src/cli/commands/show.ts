// `courtdesk show ENQUIRY`: one enquiry in full — conversation, case numbers, escalations.
import type { Enquiry, Message } from '../../domain/enquiry.js';
import { waitSeconds } from '../../domain/queue.js';
import { channelName, escalationText, formatTime, formatWait, replyStateText } from '../../workbench/format.js';
import { cleanLine, cleanText } from '../../workbench/text.js';
import { COMMON_HELP, enquiryId, runScripted } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk show ENQUIRY [--reason TEXT] [--json] [--broker URL --token T]

The whole enquiry: who wrote, on which channel and in which language, who holds it, its case
numbers, every message with its time and author (customer, agent reply with its delivery state,
internal note, court answer), and its escalations with their status. With --json, the enquiry
as the broker holds it (the same shape as GET /v1/enquiries/ID, notes included).

Reading it is recorded in the access log (courtdesk access-log), with --reason if given.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'show', help: HELP, argv, io, options: { reason: { type: 'string' } }, positionals: ['ENQUIRY'] }, async (script) => {
    const id = enquiryId(script.positionals[0]!);
    const reason = script.values.reason?.trim();
    const session = await script.connect();
    const enquiry = await session.open(id, reason || undefined);
    script.print(enquiry, describe(enquiry, Date.now()).join('\n'));
  });
}

function describe(e: Enquiry, now: number): string[] {
  const who = e.name ? `${cleanLine(e.name)} <${cleanLine(e.from)}>` : cleanLine(e.from);
  const status = e.status === 'waiting' ? `waiting ${formatWait(waitSeconds(e, now))}` : e.status;
  const lines = [
    `${e.id}  ${status}  ${channelName(e.channel)}  ${e.language}  ${who}  ${e.claimedBy ? `held by ${e.claimedBy}` : 'not held'}`,
    `case numbers: ${e.caseNumbers.length > 0 ? e.caseNumbers.join(', ') : 'none'}`,
    '',
    ...e.messages.flatMap((m) => messageLines(e, m, now)),
  ];
  if (e.escalations.length > 0) {
    lines.push('', 'escalations:');
    for (const x of e.escalations) {
      lines.push(`  ${x.id}  [${x.status}] ${escalationText(x, now)}  template ${x.template} (${x.language})${x.chaseOf ? `, chases ${x.chaseOf}` : ''}`);
    }
  }
  return lines;
}

function messageLines(e: Enquiry, m: Message, now: number): string[] {
  const author =
    m.author === 'customer'
      ? cleanLine(e.name ?? e.from)
      : m.author === 'agent'
        ? `${m.agent ?? 'agent'} (${replyStateText(m)})`
        : m.author === 'note'
          ? `note by ${m.agent ?? 'agent'}`
          : 'court';
  const [first = '', ...rest] = cleanText(m.text).split('\n');
  const time = formatTime(m.at, now);
  const indent = ' '.repeat(time.length + 2);
  return [`${time}  ${author}: ${first}`, ...rest.map((line) => `${indent}${line}`)];
}
