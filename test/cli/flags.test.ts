// Flag parsing shared by every command: one sentence for bad usage, pointing at the command's help,
// and exit code 2 from each command alike.
import { describe, expect, it } from 'vitest';
import { run as broker } from '../../src/cli/commands/broker.js';
import { run as courts } from '../../src/cli/commands/courts.js';
import { run as demo } from '../../src/cli/commands/demo.js';
import { run as login } from '../../src/cli/commands/login.js';
import { run as logout } from '../../src/cli/commands/logout.js';
import { run as queue } from '../../src/cli/commands/queue.js';
import { run as script } from '../../src/cli/commands/script.js';
import { run as settings } from '../../src/cli/commands/settings.js';
import { run as templates } from '../../src/cli/commands/templates.js';
import { run as token } from '../../src/cli/commands/token.js';
import { run as workbench } from '../../src/cli/commands/workbench.js';
import { parseFlags } from '../../src/cli/options.js';
import type { Io } from '../../src/cli/script-io.js';
import { capture } from '../helpers/capture.js';

const UNKNOWN = (option: string) => `unknown option ${option}.`;

describe('parseFlags', () => {
  it('returns the values and positionals, and knows --help and -h for every command', () => {
    const flags = parseFlags('token', ['add', 'alice', '--role', 'agent', '-h'], { role: { type: 'string' } }, { positionals: true });
    expect(flags).toEqual({ ok: true, values: { role: 'agent', help: true }, positionals: ['add', 'alice'] });
    expect(parseFlags('broker', ['--help'], {})).toMatchObject({ ok: true, values: { help: true } });
  });

  it('says what was wrong in one sentence and where the help is', () => {
    expect(parseFlags('broker', ['--frobnicate'], {})).toEqual({ ok: false, message: 'unknown option --frobnicate. Run `courtdesk broker --help`.' });
    // Not parseArgs's own words (which explain positionals starting with a dash), and a near miss is named.
    expect(parseFlags('token', ['--frobnicate'], {}, { positionals: true })).toEqual({ ok: false, message: `${UNKNOWN('--frobnicate')} Run \`courtdesk token --help\`.` });
    expect(parseFlags('broker', ['--prot', '1'], { port: { type: 'string' } })).toEqual({ ok: false, message: 'unknown option --prot; did you mean --port? Run `courtdesk broker --help`.' });
    expect(parseFlags('broker', ['--port'], { port: { type: 'string' } })).toEqual({
      ok: false,
      message: "Option '--port <value>' argument missing. Run `courtdesk broker --help`.",
    });
    expect(parseFlags('broker', ['extra'], {})).toEqual({
      ok: false,
      message: "Unexpected argument 'extra'. This command does not take positional arguments. Run `courtdesk broker --help`.",
    });
    // parseArgs spreads this one over three lines, each a sentence of its own.
    const ambiguous = parseFlags('script', ['-s', '-80x24'], { size: { type: 'string', short: 's' } });
    expect(ambiguous).toEqual({
      ok: false,
      message:
        "Option '-s' argument is ambiguous. Did you forget to specify the option argument for '-s'? " +
        "To specify an option argument starting with a dash use '--size=-XYZ' or '-s-XYZ'. Run `courtdesk script --help`.",
    });
  });

  it('treats a malformed options table as a bug, not as bad usage', () => {
    expect(() => parseFlags('token', [], { role: { type: 'number' as 'string' } })).toThrow(TypeError);
  });
});

describe('every command', () => {
  const printing = { broker, courts, demo, login, logout, settings, templates, token, workbench };
  for (const [name, run] of Object.entries(printing)) {
    it(`${name} refuses an unknown option with exit 2 and one line naming its help`, async () => {
      const result = await capture(run, ['--bogus']);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toBe(`courtdesk ${name}: unknown option --bogus. Run \`courtdesk ${name} --help\`.\n`);
    });
  }

  for (const [name, run] of Object.entries({ script, queue })) {
    it(`${name} (which writes through its Io) refuses it the same way`, async () => {
      let stdout = '';
      let stderr = '';
      const io: Io = { out: (text) => void (stdout += text), err: (text) => void (stderr += text), env: {} };
      expect(await run(['--bogus'], io)).toBe(2);
      expect({ stdout, stderr }).toEqual({ stdout: '', stderr: `courtdesk ${name}: ${UNKNOWN('--bogus')} Run \`courtdesk ${name} --help\`.\n` });
    });
  }
});
