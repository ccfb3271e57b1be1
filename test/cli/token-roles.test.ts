// `courtdesk token add` makes a token of every role, auditors included, and says which roles there
// are; the real binary, and the token it prints used against a real broker.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/domain/events.js';
import { BIN, makeTokens, RawAgent, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

let dataDir: string;
let t: TestBroker | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

function courtdesk(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'token', ...args, '--data', dataDir], { encoding: 'utf8' });
}

describe('courtdesk token and roles', () => {
  it('adds an auditor token that reads the queue and may change nothing', async () => {
    dataDir = await tempDir();
    const added = courtdesk('add', 'audrey', '--role', 'auditor');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('Token for audrey (auditor)');
    const token = added.stdout.trimEnd().split('\n').at(-1)!;
    expect(courtdesk('list').stdout).toMatch(/audrey\s+auditor/);

    t = await startTestBroker({}, { dataDir, tokens: await makeTokens(dataDir) });
    const audrey = await RawAgent.connect(t.url, token);
    expect((await audrey.welcome()).agent).toMatchObject({ name: 'audrey', role: 'auditor' });
    const ack = await audrey.command({ type: 'presence', ref: 'p', state: 'available' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ack.error.message).toBe('This is an auditor token, which may not set presence (available or away); only agent or supervisor tokens may, so use a token with one of those roles.');
    audrey.close();
  });

  it('names every role in its help and when the role is missing or unknown', async () => {
    dataDir = await tempDir();
    const help = courtdesk('--help');
    expect(help.stdout).toContain(`--role ${ROLES.join('|')}`);
    const missing = courtdesk('add', 'eve');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`courtdesk token: give a role: --role ${ROLES.join(', ')}`);
    const unknown = courtdesk('add', 'eve', '--role', 'admin');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`unknown role "admin": use one of ${ROLES.join(', ')}`);
    expect(ROLES).toContain('auditor');
  });
});
