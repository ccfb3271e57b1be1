// The conventions a command-line user expects, through the real binary.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/broker.js';

const courtdesk = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('courtdesk conventions', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(courtdesk('--version')).toMatchObject({ status: 0, stdout: `courtdesk ${version}\n` });
  });

  it('help COMMAND is that command\'s --help', () => {
    const viaHelp = courtdesk('help', 'token');
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toBe(courtdesk('token', '--help').stdout);
    expect(viaHelp.stdout).toMatch(/courtdesk token add NAME/);
  });

  it('an unknown command or option names the near miss, exit 2', () => {
    expect(courtdesk('clam', 'E1')).toMatchObject({ status: 2, stderr: 'courtdesk: unknown command "clam"; did you mean "claim"? Run `courtdesk help` to see the commands.\n' });
    expect(courtdesk('help', 'tokn')).toMatchObject({ status: 2, stderr: expect.stringMatching(/did you mean "token"/) });
    expect(courtdesk('queue', '--jsno')).toMatchObject({ status: 2, stderr: 'courtdesk queue: unknown option --jsno; did you mean --json? Run `courtdesk queue --help`.\n' });
    expect(courtdesk('xyzzy').stderr).toBe('courtdesk: unknown command "xyzzy". Run `courtdesk help` to see the commands.\n');
  });
});
