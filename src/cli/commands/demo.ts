// `courtdesk demo`: the zero-set-up way to see courtdesk. A broker in a temporary folder, a morning
// of enquiries already waiting, more arriving every few seconds, and the workbench logged in.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../../broker/broker.js';
import { outboxDir } from '../../broker/escalation/transports/outbox.js';
import { addToken } from '../../broker/tokens.js';
import { seedMorning } from '../../demo/seed.js';
import { playStream } from '../../demo/stream.js';
import { fail, parseFlags } from '../options.js';

const HELP = `usage: courtdesk demo [--no-ui] [--port N] [--pace SECONDS]

Starts a broker in a temporary folder with a morning's enquiries already waiting, plays a new
enquiry or follow-up every few seconds, and opens the workbench logged in as the agent "demo"
(English and Welsh). Court emails are not sent: they are written as .eml files to the
temporary folder's outbox/. Everything is deleted when it stops.

  --no-ui          keep the broker and the stream running and print how to connect
  --port N         port for the broker (default: any free port)
  --pace SECONDS   seconds between live enquiries (default 20)
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('demo', argv, { 'no-ui': { type: 'boolean' }, port: { type: 'string' }, pace: { type: 'string' } });
  if (!flags.ok) return fail('demo', flags.message, 2);
  const { values } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const pace = Number(values.pace ?? 20);
  const port = Number(values.port ?? 0);
  if (!(pace > 0) || !Number.isInteger(port) || port < 0) return fail('demo', '--pace takes seconds above 0 and --port a whole number', 2);

  const dataDir = await mkdtemp(join(tmpdir(), 'courtdesk-demo-'));
  // The workbench's drafts and unsent commands, kept apart from the user's own so the demo leaves none behind.
  const workbenchDir = await mkdtemp(join(tmpdir(), 'courtdesk-demo-workbench-'));
  const agentToken = await addToken(dataDir, { name: 'demo', role: 'agent', languages: ['en', 'cy'] });
  await addToken(dataDir, { name: 'bob', role: 'agent' });
  const intakeToken = await addToken(dataDir, { name: 'demo-intake', role: 'intake' });
  const seededIds = await seedMorning(dataDir, 'demo-intake');
  const logs: string[] = [];
  const broker = await startBroker({ dataDir, port, log: (line) => logs.push(line) });
  const stream = playStream(broker.url, intakeToken, seededIds, pace * 1000, (msg) => logs.push(msg));

  const cleanUp = async () => {
    stream.stop();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(workbenchDir, { recursive: true, force: true });
  };

  if (values['no-ui']) {
    process.stdout.write(
      `courtdesk demo: broker listening on ${broker.url} (data ${dataDir})\n` +
        `  agent token (demo, en+cy):  ${agentToken}\n` +
        `  intake token (demo-intake): ${intakeToken}\n` +
        `Open the workbench in another terminal (in this folder; \`courtdesk\` alone where it is installed globally):\n  npx courtdesk --broker ${broker.url} --token ${agentToken}\n` +
        `Court emails are not sent: they are written as .eml files to ${outboxDir(dataDir)}.\n` +
        `A new enquiry arrives every ${pace} s. Ctrl-C stops the demo and deletes its data.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await cleanUp();
    return 0;
  }

  const courtMail = outboxDir(dataDir);
  let code = 1;
  try {
    const workbench = await import('./workbench.js');
    code = await workbench.run(['--broker', broker.url, '--token', agentToken], { stateDir: workbenchDir });
    return code;
  } finally {
    const written = await countFiles(courtMail, '.eml');
    await cleanUp();
    process.stdout.write(
      `courtdesk demo: stopped, and its data deleted.\n` +
        `  Court emails are never sent by the demo: ${written === 1 ? '1 was' : `${written} were`} written as .eml files to\n` +
        `  ${courtMail} and deleted with the rest.\n`,
    );
    // The broker's own lines matter only when something went wrong; on a clean quit they would
    // fill the agent's terminal after the workbench has closed.
    if (code !== 0) for (const line of logs) process.stderr.write(`courtdesk broker: ${line}\n`);
  }
}

/** How many files with this ending a folder holds (0 when it does not exist). */
async function countFiles(dir: string, ending: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith(ending)).length;
}
