// The saved config in a temp folder (COURTDESK_CONFIG_DIR), and the login/logout/settings commands.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, fileDraftStore, loadConfig, outboxFile, resolveLogin, saveLogin, saveSetting } from '../../src/cli/config.js';
import { run as login } from '../../src/cli/commands/login.js';
import { run as logout } from '../../src/cli/commands/logout.js';
import { run as settings } from '../../src/cli/commands/settings.js';
import { notInteractive, run as workbench } from '../../src/cli/commands/workbench.js';
import { startDesk, type Desk } from './harness.js';

let dir: string;
const saved = { ...process.env };

/** Runs a command with its stdout and stderr captured. */
async function cli(command: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await command(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-config-'));
  process.env.COURTDESK_CONFIG_DIR = dir;
  delete process.env.COURTDESK_BROKER;
  delete process.env.COURTDESK_TOKEN;
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(dir, { recursive: true, force: true });
});

describe('saved config', () => {
  it('lives in COURTDESK_CONFIG_DIR and starts with the default settings', () => {
    expect(configDir()).toBe(dir);
    const config = loadConfig();
    expect(config.dir).toBe(dir);
    expect(config.settings).toEqual({ slaAmberMinutes: 20, slaRedMinutes: 60, theme: 'auto', ascii: false, fps: 20 });
    expect(config.token).toBeNull();
  });

  it('keeps the token in a file only its owner can read', async () => {
    const path = saveLogin('http://127.0.0.1:7340', 'secret-token');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(loadConfig()).toMatchObject({ broker: 'http://127.0.0.1:7340', token: 'secret-token' });
  });

  it('lets flags, then COURTDESK_BROKER/COURTDESK_TOKEN, override what was saved', () => {
    const stored = { broker: 'http://saved:1', token: 'saved' };
    expect(resolveLogin({}, stored, {})).toEqual({ ok: true, broker: 'http://saved:1', token: 'saved' });
    expect(resolveLogin({}, stored, { COURTDESK_BROKER: 'http://env:2', COURTDESK_TOKEN: 'env' })).toEqual({ ok: true, broker: 'http://env:2', token: 'env' });
    expect(resolveLogin({ broker: 'http://flag:3', token: 'flag' }, stored, { COURTDESK_BROKER: 'http://env:2' })).toEqual({
      ok: true,
      broker: 'http://flag:3',
      token: 'flag',
    });
    const none = resolveLogin({}, { broker: null, token: null }, {});
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toMatch(/courtdesk login --broker URL --token T/);
  });

  it('reports a hand-edited file that breaks the schema instead of wiping it', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ settings: { fps: 'fast' } }));
    expect(() => loadConfig()).toThrow(/cannot be read.*settings reset/);
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toContain('fast');
  });

  it('reads back what conf wrote, and refuses what its schema refuses', async () => {
    saveLogin('http://127.0.0.1:7340', 'secret-token');
    saveSetting('fps', 10);
    expect(loadConfig()).toMatchObject({ broker: 'http://127.0.0.1:7340', token: 'secret-token', settings: { fps: 10, slaAmberMinutes: 20 } });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ settings: { theme: 'no-color' }, other: 1 }));
    expect(loadConfig().settings).toMatchObject({ theme: 'no-color', fps: 20 });
    const refused = async (content: unknown, why: RegExp) => {
      await writeFile(join(dir, 'config.json'), JSON.stringify(content));
      expect(() => loadConfig()).toThrow(why);
    };
    await refused({ token: 42 }, /token must be a string/);
    await refused({ settings: { fps: 2.5 } }, /settings.fps must be a whole number; 2.5 is not/);
    await refused({ settings: { fps: 61 } }, /settings.fps must be from 1 to 60; 61 is out of range/);
    await refused({ settings: { theme: 'dark' } }, /settings.theme must be one of auto, no-color/);
    await refused({ settings: { ascii: 'yes' } }, /settings.ascii must be true or false/);
    await refused({ settings: { colour: true } }, /no setting "colour"/);
    await refused({ settings: [] }, /settings must be an object/);
    await refused([], /does not hold a JSON object/);
  });

  it('keeps one outbox per broker and token', () => {
    expect(outboxFile(dir, 'http://a', 't1')).not.toBe(outboxFile(dir, 'http://a', 't2'));
    expect(outboxFile(dir, 'http://a', 't1')).toBe(outboxFile(dir, 'http://a', 't1'));
    expect(outboxFile(dir, 'http://a', 't1')).not.toContain('t1');
  });

  it('keeps drafts in a 0600 file, batching writes until flushed', async () => {
    const store = fileDraftStore(dir, 'http://a', 't1');
    store.save({ E1: 'half a reply' });
    store.save({ E1: 'half a reply, more' });
    store.flush();
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(fileDraftStore(dir, 'http://a', 't1').load()).toEqual({ E1: 'half a reply, more' });
    await writeFile(store.path, 'not json');
    expect(fileDraftStore(dir, 'http://a', 't1').load()).toEqual({});
  });

  it("keeps each login's drafts apart, so another broker's enquiry ids never show up", () => {
    const first = fileDraftStore(dir, 'http://a', 't1');
    first.save({ E1: 'for broker a' });
    first.flush();
    expect(fileDraftStore(dir, 'http://b', 't1').load()).toEqual({});
    expect(fileDraftStore(dir, 'http://a', 't2').load()).toEqual({});
    expect(first.path).not.toContain('t1');
  });

  it('hands a drafts.json from an earlier version to the first login that opens drafts', async () => {
    await writeFile(join(dir, 'drafts.json'), JSON.stringify({ E9: 'typed before the upgrade' }));
    expect(fileDraftStore(dir, 'http://a', 't1').load()).toEqual({ E9: 'typed before the upgrade' });
    expect(fileDraftStore(dir, 'http://b', 't2').load()).toEqual({});
    expect(fileDraftStore(dir, 'http://a', 't1').load()).toEqual({ E9: 'typed before the upgrade' });
  });
});

describe('courtdesk settings', () => {
  it('sets, shows and resets settings, refusing bad values with the reason', async () => {
    expect((await cli(settings, 'set', 'slaAmberMinutes', '10')).code).toBe(0);
    expect(loadConfig().settings.slaAmberMinutes).toBe(10);
    const bad = await cli(settings, 'set', 'fps', '500');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('fps must be from 1 to 60; 500 is out of range.');
    const crossed = await cli(settings, 'set', 'slaRedMinutes', '5');
    expect(crossed.code).toBe(1);
    expect(crossed.err).toMatch(/slaRedMinutes \(5\) must be more than slaAmberMinutes \(10\)/);
    const shown = await cli(settings, '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ slaAmberMinutes: 10, slaRedMinutes: 60 });
    expect((await cli(settings, 'get', 'theme')).out).toBe('auto\n');
    expect((await cli(settings, 'reset')).code).toBe(0);
    expect(loadConfig().settings.slaAmberMinutes).toBe(20);
    expect((await cli(settings, 'get', 'colour')).err).toMatch(/no setting "colour"/);
  });

  it('reset repairs a file that cannot be read', async () => {
    await writeFile(join(dir, 'config.json'), '{ not json');
    expect((await cli(settings)).err).toMatch(/cannot be read/);
    expect((await cli(settings, 'reset')).code).toBe(0);
    expect(loadConfig().settings.fps).toBe(20);
  });
});

describe('courtdesk login and logout', () => {
  let desk: Desk;
  beforeEach(async () => {
    desk = await startDesk();
  });
  afterEach(async () => {
    await desk.close();
  });

  it('checks the token with the broker, saves both, and logout forgets the token', async () => {
    const result = await cli(login, '--broker', desk.url, '--token', desk.tokens.alice);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Logged in to .* as alice \(agent; languages en\)/);
    expect(result.out).not.toContain(desk.tokens.alice);
    expect(loadConfig()).toMatchObject({ broker: desk.url, token: desk.tokens.alice });
    expect((await stat(loadConfig().path)).mode & 0o777).toBe(0o600);
    expect((await cli(logout)).out).toContain('Logged out');
    expect(loadConfig().token).toBeNull();
  });

  it('says in one sentence what is wrong with a rejected token, refused connection or bad URL, with the exit codes every command uses', async () => {
    const rejected = await cli(login, '--broker', desk.url, '--token', 'not-a-real-token');
    expect(rejected.code).toBe(4);
    expect(rejected.err).toMatch(/did not accept this token.*copied whole.*courtdesk token add/);
    expect(rejected.err).not.toMatch(/\n\s+at /);

    const closedPort = new URL(desk.url);
    closedPort.port = '1';
    const refused = await cli(login, '--broker', closedPort.toString(), '--token', desk.tokens.alice);
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/Nothing is listening at .*connection refused.*courtdesk broker/);

    const badUrl = await cli(login, '--broker', 'localhost:7340', '--token', desk.tokens.alice);
    expect(badUrl.code).toBe(2);
    expect(badUrl.err).toMatch(/did you mean http:\/\/localhost:7340/);
    expect(loadConfig().token).toBeNull();
  });
});

describe('courtdesk workbench outside a terminal', () => {
  it('exits 2 and points to the scripted and JSON commands', async () => {
    // Under vitest stdin is not a terminal.
    const result = await cli(workbench, '--broker', 'http://127.0.0.1:1', '--token', 't');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/needs an interactive terminal.*scripted and JSON commands/);
  });

  it('knows TERM=dumb and piped streams', () => {
    expect(notInteractive({ isTTY: true }, { isTTY: true }, { TERM: 'xterm' })).toBeNull();
    expect(notInteractive({ isTTY: true }, { isTTY: true }, { TERM: 'dumb' })).toMatch(/TERM=dumb/);
    expect(notInteractive({}, { isTTY: true }, {})).toMatch(/input is not a terminal/);
    expect(notInteractive({ isTTY: true }, { isTTY: false }, {})).toMatch(/output is not a terminal/);
  });
});
