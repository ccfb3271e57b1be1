// `courtdesk script FILE`: the real workbench, headless in a virtual terminal, driven by a script of
// key presses and screen checks. A CI job proves with it that an agent can do the work through
// the screen, not only that the broker takes commands.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { BrokerClient } from '../../client/types.js';
import { parseScript, type Step } from '../../screen-script/parse.js';
import { frameScreen } from '../../screen-script/report.js';
import { playScript, type PlayResult } from '../../screen-script/runner.js';
import { VirtualTerminal } from '../../screen-script/virtual-terminal.js';
import { parseFlags } from '../options.js';
import { parseTimeout, resolveBrokerLogin } from '../broker-command.js';
import { connect, seconds } from '../broker-session.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk script FILE [--broker URL --token T] [--size 80x24] [--timeout-ms N] [--snapshots DIR]

Runs the agent workbench headless in a virtual terminal and plays FILE, one step per line:
  press KEY [KEY...]   keys as a terminal sends them: a character (n, G, ?), enter, esc, tab,
                       shift+tab, backspace, delete, space, up, down, left, right, home, end,
                       pageup, pagedown, ctrl+a … ctrl+z
  type TEXT            text arriving at once, as a paste does
  wait-for TEXT [MS]   wait until TEXT is on the screen (at most --timeout-ms, or MS)
  expect TEXT          TEXT is on the screen now
  expect-not TEXT      TEXT is not on the screen now
  expect-line N TEXT   line N of the screen (from 1) contains TEXT
  sleep MS             wait MS milliseconds
  snapshot NAME        write the screen to NAME (.txt added if it has no extension)
  # ...                a comment; blank lines are skipped too
Write TEXT in double quotes, as a JSON string, to keep spaces at its ends, use escapes, or
end a wait-for's text with a number ("Position 2").

Options:
  --broker URL      broker to use (else COURTDESK_BROKER, else the one \`courtdesk login\` saved)
  --token T         agent token (else COURTDESK_TOKEN, else the saved one)
  --size COLSxROWS  the terminal's size (default 80x24)
  --timeout-ms N    how long wait-for waits, and the broker may take to answer (default 5000)
  --snapshots DIR   where snapshots go (default: the script's folder)
  -h, --help        show this help

Exit codes: 0 every step passed; 1 a step failed (the step, its line and the screen on stderr);
2 the script cannot be read or parsed, or bad usage; 3 broker unreachable; 4 token rejected.
`;

const DEFAULT_SIZE = { columns: 80, rows: 24 };
const DEFAULT_TIMEOUT_MS = 5000;
/** A press is drawn once the app has been quiet a little longer than one frame at the workbench's 20 fps. */
const SETTLE = { quietMs: 70, maxMs: 1000 };
/** How long the workbench may take to draw and start listening for keys. */
const START_MS = 10_000;

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    return await runScript(argv, io);
  } catch (err) {
    if (!(err instanceof ExitError)) throw err;
    io.err(`courtdesk script: ${err.message}\n`);
    return err.exitCode;
  }
}

async function runScript(argv: string[], io: Io): Promise<number> {
  const flags = parseFlags(
    'script',
    argv,
    { broker: { type: 'string' }, token: { type: 'string' }, size: { type: 'string' }, 'timeout-ms': { type: 'string' }, snapshots: { type: 'string' } },
    { positionals: true },
  );
  if (!flags.ok) throw new ExitError(EXIT.usage, flags.message);
  const { values, positionals } = flags;
  if (values.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  const usage = HELP.split('\n')[0]!;
  if (positionals.length === 0) throw new ExitError(EXIT.usage, `missing FILE; ${usage}`);
  if (positionals.length > 1) throw new ExitError(EXIT.usage, `one script at a time (got ${positionals.length}: ${positionals.join(' ')}); ${usage}`);
  const file = positionals[0]!;
  const size = parseSize(values.size);
  const timeoutMs = parseTimeout(values['timeout-ms'], DEFAULT_TIMEOUT_MS);

  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    throw new ExitError(EXIT.usage, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const script = parseScript(source, { rows: size.rows });
  if (!script.ok) {
    for (const p of script.problems) io.err(`courtdesk script: ${file}:${p.line}: ${p.message}\n`);
    return EXIT.usage;
  }

  const login = resolveBrokerLogin({ broker: values.broker, token: values.token }, io);
  const session = await connect(login.broker, login.token, timeoutMs);
  try {
    const result = await playOnWorkbench(script.steps, session.client, size, {
      timeoutMs,
      snapshotDir: values.snapshots === undefined ? dirname(resolve(file)) : resolve(values.snapshots),
      io,
    });
    if (result.ok) {
      io.out(`courtdesk script: ${file} passed (${result.steps} step${result.steps === 1 ? '' : 's'})\n`);
      return EXIT.ok;
    }
    io.err(`courtdesk script: ${file}:${result.step.line}: ${result.step.source} — ${result.message}\n`);
    io.err(`The screen (${size.columns}x${size.rows}) at that moment:\n${frameScreen(result.screen, size.columns).join('\n')}\n`);
    return EXIT.refused;
  } finally {
    await session.client.close();
  }
}

async function playOnWorkbench(
  steps: readonly Step[],
  client: BrokerClient,
  size: { columns: number; rows: number },
  options: { timeoutMs: number; snapshotDir: string; io: Io },
): Promise<PlayResult> {
  // Ink reads CI once, when it is first imported, and then draws only the final frame: a script
  // run in CI must see every frame, as an agent's terminal does.
  if (process.env.CI || process.env.CONTINUOUS_INTEGRATION) {
    process.env.CI = 'false';
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  process.env.NODE_ENV ??= 'production';
  const { renderWorkbench } = await import('../../workbench/index.js');
  const terminal = new VirtualTerminal(size.columns, size.rows);
  const instance = renderWorkbench({
    client,
    stdout: terminal.stdout as unknown as NodeJS.WriteStream,
    stderr: terminal.stderr as unknown as NodeJS.WriteStream,
    stdin: terminal.stdin as unknown as NodeJS.ReadStream,
    env: options.io.env,
  });
  try {
    // Keys sent before Ink listens would be lost: start once raw mode is on and the first frame is drawn.
    if (!(await within(terminal.stdin.whenRaw(), START_MS))) throw new ExitError(EXIT.refused, `the workbench did not start listening for keys within ${seconds(START_MS)}`);
    await terminal.settle(SETTLE);
    return await playScript(steps, terminal, {
      timeoutMs: options.timeoutMs,
      snapshotDir: options.snapshotDir,
      settle: SETTLE,
      onStep: (step, ms) => options.io.out(`ok ${String(step.line).padStart(3)}  ${step.source}${ms >= 100 ? `  (${seconds(ms)})` : ''}\n`),
    });
  } finally {
    instance.unmount();
    await instance.waitUntilExit().catch(() => {});
    terminal.dispose();
    dropCursorRestore();
  }
}

/**
 * Ink's cursor helper (restore-cursor) writes "show the cursor" to the process's own stderr as
 * the process exits, though the workbench drew on the virtual terminal and never hid the real
 * cursor: in a CI log that is a stray escape. That one write is dropped; everything else passes.
 */
function dropCursorRestore(): void {
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => (chunk === SHOW_CURSOR ? true : write(chunk, ...rest))) as typeof process.stderr.write;
}

const SHOW_CURSOR = '\u001B[?25h';

function parseSize(text: string | undefined): { columns: number; rows: number } {
  if (text === undefined) return DEFAULT_SIZE;
  const match = /^(\d+)x(\d+)$/i.exec(text.trim());
  const columns = Number(match?.[1]);
  const rows = Number(match?.[2]);
  if (!match || columns < 2 || rows < 2 || columns > 1000 || rows > 1000) {
    throw new ExitError(EXIT.usage, `--size must be COLSxROWS, like 80x24 or 100x30, each from 2 to 1000 (got ${JSON.stringify(text)}).`);
  }
  return { columns, rows };
}


/** True when the promise settles within `ms`. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
