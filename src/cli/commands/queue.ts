// `courtdesk queue`: the ranked queue as the workbench shows it, for scripts and quick looks.
import { rankQueue } from '../../domain/queue.js';
import { channelShort, displayName, formatWait } from '../../workbench/format.js';
import { cleanLine, fit } from '../../workbench/text.js';
import { COMMON_HELP, runScripted, summarise, type EnquirySummary } from '../broker-command.js';
import { processIo, type Io } from '../script-io.js';

const HELP = `usage: courtdesk queue [--json] [--broker URL --token T]

The open enquiries in queue order: waiting ones first, longest wait first, then those awaiting
the customer. One line each: id, wait (m:ss, or h:mm past an hour), channel, language, name,
who holds it, and the start of the latest message. With --json, an array of enquiry summaries
(no conversations; \`courtdesk show ID\` has those) with \`waitSeconds\` added.

${COMMON_HELP}`;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'queue', help: HELP, argv, io, options: {}, positionals: [] }, async (script) => {
    const session = await script.connect();
    const now = Date.now();
    const queue = rankQueue(session.client.state.enquiries.values()).map((e) => summarise(e, now));
    script.print(queue, queue.length === 0 ? 'The queue is empty.' : queueLines(queue).join('\n'));
  });
}

function queueLines(queue: EnquirySummary[]): string[] {
  const idWidth = Math.max(...queue.map((e) => e.id.length));
  return queue.map((e) =>
    [
      e.id.padEnd(idWidth),
      (e.status === 'waiting' ? formatWait(e.waitSeconds) : 'replied').padStart(7),
      channelShort(e.channel).padEnd(3),
      e.language,
      fit(displayName(e), 20),
      fit(e.claimedBy ?? '-', 10),
      cleanLine(e.preview),
    ].join('  '),
  );
}
