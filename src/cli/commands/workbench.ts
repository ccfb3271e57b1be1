// `courtdesk` with no command: the agent workbench. Starts the broker connection first and loads
// Ink and React while the handshake is in flight, so start-up costs the larger of the two, not both.
import { ConfigError, fileDraftStore, loadConfig, outboxFile, resolveLogin } from '../saved-config.js';
import { fail, parseFlags } from '../options.js';
import { connectChecked } from './login.js';

const HELP = `usage: courtdesk [workbench] [--broker URL] [--token TOKEN] [--ascii] [--no-color]

Opens the agent workbench in this terminal. Without --broker/--token it uses
COURTDESK_BROKER/COURTDESK_TOKEN, then what \`courtdesk login\` saved.
  --ascii      plain ASCII symbols and lines (also: courtdesk settings set ascii true)
  --no-color   no colour (also NO_COLOR=1, or courtdesk settings set theme no-color)
Press ? in the workbench for every key; docs/workbench.md has the full guide.
`;

/** `stateDir`: where drafts and unsent commands are kept instead of the config folder (the demo keeps them in its own temporary folder, so they go when it does). */
export async function run(argv: string[], options: { stateDir?: string } = {}): Promise<number> {
  const flags = parseFlags('workbench', argv, { broker: { type: 'string' }, token: { type: 'string' }, ascii: { type: 'boolean' }, 'no-color': { type: 'boolean' } });
  if (!flags.ok) return fail('workbench', flags.message, 2);
  const { values } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const why = notInteractive(process.stdin, process.stdout, process.env);
  if (why) {
    return fail(
      'workbench',
      `the workbench needs an interactive terminal, and ${why}. For scripts and pipes use the scripted and JSON commands instead: courtdesk queue --json, courtdesk claim --next, courtdesk reply ENQUIRY --text T (docs/scripting.md; \`courtdesk help\` lists them).`,
      2,
    );
  }

  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail('workbench', err.message);
    throw err;
  }
  const login = resolveLogin({ broker: values.broker, token: values.token }, config);
  if (!login.ok) return fail('workbench', login.reason, 2);
  const settings = {
    ...config.settings,
    ...(values.ascii ? { ascii: true } : {}),
    ...(values['no-color'] ? { theme: 'no-color' as const } : {}),
  };

  // React's development build is several times slower per frame and is chosen when NODE_ENV is unset.
  process.env.NODE_ENV ??= 'production';
  // Ink prints only the last frame when CI is set; an agent at a terminal needs every frame.
  if (process.env.CI || process.env.CONTINUOUS_INTEGRATION) {
    process.env.CI = 'false';
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  const view = import('../../workbench/index.js');
  // Awaited below; this only keeps an early return from leaving a rejection unhandled.
  view.catch(() => {});
  const stateDir = options.stateDir ?? config.dir;
  const checked = await connectChecked(login.broker, login.token, { outboxFile: outboxFile(stateDir, login.broker, login.token) });
  if (!checked.ok) return fail('workbench', checked.reason, checked.exitCode);
  const client = checked.client;
  const drafts = fileDraftStore(stateDir, login.broker, login.token);
  const leaveScreen = useAlternateScreen(process.stdout);
  try {
    const { renderWorkbench } = await view;
    const instance = renderWorkbench({ client, settings, drafts });
    await instance.waitUntilExit();
  } finally {
    leaveScreen();
    drafts.flush();
    await client.close();
  }
  const unsent = client.pending.filter((p) => p.command.type !== 'open').length;
  if (unsent > 0) process.stderr.write(`courtdesk: ${unsent} unsent command${unsent === 1 ? '' : 's'} kept; they go when you next open the workbench.\n`);
  return 0;
}

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';

/**
 * Draws the workbench on the terminal's alternate screen, as k9s and lazygit do: on quit the
 * terminal shows what it showed before, not the last frame and its "Quit now?". The screen is
 * given back on every way out, a crash included, because a terminal left on the alternate screen
 * looks empty to the agent. Returns the function that gives it back (safe to call twice).
 */
function useAlternateScreen(stdout: NodeJS.WriteStream): () => void {
  stdout.write(ENTER_ALTERNATE_SCREEN);
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    process.off('exit', leave);
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  };
  process.on('exit', leave);
  return leave;
}

/** Why this terminal cannot run the workbench, or null when it can. */
export function notInteractive(stdin: { isTTY?: boolean }, stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv): string | null {
  if (!stdin.isTTY) return 'standard input is not a terminal';
  if (!stdout.isTTY) return 'standard output is not a terminal';
  if (env.TERM === 'dumb') return 'TERM=dumb cannot draw it';
  return null;
}
