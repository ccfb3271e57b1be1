// Entry point: picks the command and loads only its module, so `courtdesk` (the workbench) does not
// pay for the broker's code at start-up and vice versa.
type CommandModule = { run(argv: string[]): Promise<number> };

/** Every command, its one-line summary, and its module. `courtdesk help` prints this table. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  workbench: { summary: 'open the agent workbench (the default: `courtdesk --broker URL --token T`)', load: () => import('./commands/workbench.js') },
  login: { summary: 'check a token against a broker and save both (login --broker URL --token T)', load: () => import('./commands/login.js') },
  logout: { summary: 'forget the saved broker and token', load: () => import('./commands/logout.js') },
  settings: { summary: 'show or change workbench settings (SLA thresholds, theme, ascii, fps)', load: () => import('./commands/settings.js') },
  broker: { summary: 'run the broker (HTTP intake + agent websocket + journal)', load: () => import('./commands/broker.js') },
  queue: { summary: 'print the ranked queue (--json for scripts)', load: () => import('./commands/queue.js') },
  show: { summary: 'print one enquiry with its conversation (show ENQUIRY)', load: () => import('./commands/show.js') },
  stats: { summary: "the wallboard's figures: waiting, today, agents, courts (stats [--since ISO] [--json])", load: () => import('./commands/stats.js') },
  'access-log': { summary: 'who read which conversation, when and why (access-log [--enquiry ID] [--agent NAME])', load: () => import('./commands/access-log.js') },
  claim: { summary: 'claim an enquiry (claim ENQUIRY, or claim --next)', load: () => import('./commands/claim.js') },
  release: { summary: 'release an enquiry you hold', load: () => import('./commands/release.js') },
  reply: { summary: 'reply to the customer (reply ENQUIRY --text T)', load: () => import('./commands/reply.js') },
  tag: { summary: 'tag a case number (tag ENQUIRY CASE)', load: () => import('./commands/tag.js') },
  untag: { summary: 'remove a case number tag (untag ENQUIRY CASE)', load: () => import('./commands/untag.js') },
  note: { summary: 'add an internal note (note ENQUIRY --text T)', load: () => import('./commands/note.js') },
  close: { summary: 'close an enquiry you hold', load: () => import('./commands/close.js') },
  transfer: { summary: 'hand an enquiry to a named agent (transfer ENQUIRY --to AGENT)', load: () => import('./commands/transfer.js') },
  reopen: { summary: 'reopen a closed enquiry', load: () => import('./commands/reopen.js') },
  send: { summary: 'post an enquiry through HTTP intake (send --text T, intake token)', load: () => import('./commands/send.js') },
  escalate: { summary: 'email the court (escalate ENQUIRY --court SLUG --template NAME [--field k=v])', load: () => import('./commands/escalate.js') },
  chase: { summary: 'chase an unanswered escalation (chase ENQUIRY ESCALATION)', load: () => import('./commands/chase.js') },
  answer: { summary: "record the court's answer (answer ENQUIRY ESCALATION --text T)", load: () => import('./commands/answer.js') },
  export: { summary: 'a transcript of a case or an enquiry for disclosure (export --case 305JE126 [--format html])', load: () => import('./commands/export.js') },
  script: { summary: 'play a script against the workbench in a virtual terminal (script FILE)', load: () => import('./commands/script.js') },
  courts: { summary: 'list, search or import the court directory (courts list|import)', load: () => import('./commands/courts.js') },
  templates: { summary: 'list or check court email templates (templates list|check)', load: () => import('./commands/templates.js') },
  demo: { summary: 'a broker with a morning of enquiries and the workbench, in a temporary folder', load: () => import('./commands/demo.js') },
  retention: { summary: 'remove the personal content of enquiries closed before a date (retention apply --closed-before D)', load: () => import('./commands/retention.js') },
  store: { summary: 'create or upgrade the PostgreSQL journal tables (store migrate --store URL)', load: () => import('./commands/store.js') },
  token: { summary: 'add, list or revoke access tokens (token add NAME --role ROLE)', load: () => import('./commands/token.js') },
  journal: { summary: "verify the journal, read-only (journal verify [--heads F --public-key K]), or print its signing key (journal key)", load: () => import('./commands/journal.js') },
};

const USAGE = `usage: courtdesk [COMMAND] [OPTIONS]

With no command, opens the agent workbench.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run \`courtdesk help COMMAND\` (or \`courtdesk COMMAND --help\`) for a command's options, and
\`courtdesk --version\` for the version. Exit codes are the same for every command
(docs/scripting.md): 0 done, 1 refused or failed, 2 bad usage, 3 broker unreachable, 4 token rejected.`;

export async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === 'version') {
    const { packageVersion } = await import('../broker/package-root.js');
    process.stdout.write(`courtdesk ${packageVersion()}\n`);
    return;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    // `courtdesk help COMMAND` is that command's --help.
    if (rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0])) return main([rest[0], '--help']);
    if (rest[0] !== undefined) return await unknownCommand(rest[0]);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const name = first === undefined || first.startsWith('-') ? 'workbench' : first;
  const args = name === 'workbench' && first !== 'workbench' ? argv : rest;
  // Object.hasOwn: `courtdesk toString` must be an unknown command, not Object.prototype's method.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return await unknownCommand(name);
  try {
    process.exitCode = await (await command.load()).run(args);
  } catch (err) {
    process.stderr.write(`courtdesk ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

async function unknownCommand(name: string): Promise<void> {
  // Loaded only here: the table alone is what every start pays for.
  const { closest } = await import('./options.js');
  const near = closest(name, Object.keys(COMMANDS));
  process.stderr.write(`courtdesk: unknown command "${name}"${near ? `; did you mean "${near}"?` : '.'} Run \`courtdesk help\` to see the commands.\n`);
  process.exitCode = 2;
}
