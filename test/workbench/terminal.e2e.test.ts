// The real binary in a real pseudo-terminal: tmux runs `courtdesk --broker URL --token T` at 80x24
// and the test reads the captured screen. Needs the build (npm test builds it first) and tmux.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDesk, type Desk } from './harness.js';

const BIN = fileURLToPath(new URL('../../bin/courtdesk.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));
const SOCKET = `courtdesk-e2e-${process.pid}`;

let desk: Desk;
let configDir: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'wb');
}

async function waitForScreen(test: (s: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = screen();
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is needed for this test (.ci/run installs it): apt-get install tmux');
  if (!existsSync(BUNDLE)) throw new Error('the CLI bundle is not built: run `npm run build` (npm test does) first');
  desk = await startDesk();
  configDir = await mkdtemp(join(tmpdir(), 'courtdesk-e2e-config-'));
});

afterAll(async () => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  await desk?.close();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

it('runs in a real terminal: draws the queue in 80x24, takes, replies and quits', async () => {
  const id = await desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
  await desk.post({ name: 'Dafydd Jones', text: 'Pryd mae fy ngwrandawiad?', language: 'cy' });
  // CI makes Ink print only its last frame; the workbench undoes that itself, and `env -u` makes sure.
  const command = `env -u CI COURTDESK_CONFIG_DIR='${configDir}' TERM=xterm-256color '${process.execPath}' '${BIN}' --broker ${desk.url} --token ${desk.tokens.carys}; echo "EXITED $?"; sleep 60`;
  tmux('new-session', '-d', '-s', 'wb', '-x', '80', '-y', '24', command);

  let s = await waitForScreen((x) => x.includes('Dafydd Jones'), 'the queue');
  const rows = s.split('\n');
  expect(rows[0]).toMatch(/^carys .*connected .*2 waiting/);
  expect(rows[1]).toMatch(/^› .*WEB EN Jane Smith/);
  expect(rows[2]).toMatch(/^ {2}.*WEB CY Dafydd Jones/);
  // The frame stops short of the last row, so Ink never has to clear the whole screen.
  expect(rows.slice(0, 24).at(-1)!.trim()).toBe('');
  expect(s).toMatch(/\? help {2}q quit/);

  tmux('send-keys', '-t', 'wb', 'n');
  await waitForScreen((x) => x.includes("You hold Jane Smith's enquiry"), 'the claim');
  tmux('send-keys', '-t', 'wb', 'r');
  tmux('send-keys', '-t', 'wb', '-l', 'Your hearing is on Mondayy');
  tmux('send-keys', '-t', 'wb', 'BSpace');
  await waitForScreen((x) => x.includes('> Your hearing is on Monday'), 'the typed reply');
  tmux('send-keys', '-t', 'wb', 'Enter');
  s = await waitForScreen((x) => x.includes('you: Your hearing is on Monday [recorded; no callback]'), 'the reply sent');
  const agentTexts = (await desk.get(id)).messages.filter((m: { author: string }) => m.author === 'agent').map((m: { text: string }) => m.text);
  expect(agentTexts).toEqual(['Your hearing is on Monday']);

  tmux('send-keys', '-t', 'wb', '?');
  await waitForScreen((x) => x.startsWith('Keys'), 'the help overlay');
  tmux('send-keys', '-t', 'wb', 'Escape');
  await waitForScreen((x) => !x.startsWith('Keys'), 'help closed');
  tmux('send-keys', '-t', 'wb', 'q');
  // Jane's enquiry is still held: quitting asks first (issue 12).
  await waitForScreen((x) => x.includes('1 enquiry held') && x.includes('Quit now? y / n'), 'the question');
  tmux('send-keys', '-t', 'wb', 'y');
  s = await waitForScreen((x) => x.includes('EXITED 0'), 'a clean exit');
  // Drawn on the alternate screen: quitting gives the terminal back as it was.
  expect(s).not.toContain('q quit');
  expect(s).not.toContain('Jane Smith');
  tmux('kill-session', '-t', 'wb');
});

it('runs the demo and leaves nothing behind: no drafts, no outbox, says where court emails went', async () => {
  const demoConfig = await mkdtemp(join(tmpdir(), 'courtdesk-e2e-demo-config-'));
  try {
    const command = `env -u CI COURTDESK_CONFIG_DIR='${demoConfig}' TERM=xterm-256color '${process.execPath}' '${BIN}' demo --pace 600; echo "EXITED $?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'demo', '-x', '80', '-y', '24', command);
    const demoScreen = () => tmux('capture-pane', '-p', '-t', 'demo');
    const waitFor = async (test: (s: string) => boolean, what: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const s = demoScreen();
        if (test(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor((x) => /^demo .*connected/.test(x), 'the demo queue');
    tmux('send-keys', '-t', 'demo', 'n');
    await waitFor((x) => x.includes('You hold'), 'the claim');
    tmux('send-keys', '-t', 'demo', 'r');
    tmux('send-keys', '-t', 'demo', '-l', 'half a reply');
    await waitFor((x) => x.includes('> half a reply'), 'the typed draft');
    tmux('send-keys', '-t', 'demo', 'Escape');
    tmux('send-keys', '-t', 'demo', 'q');
    await waitFor((x) => /Quit now\?/.test(x), 'the quit question');
    tmux('send-keys', '-t', 'demo', 'y');
    const s = await waitFor((x) => x.includes('EXITED 0'), 'the demo to stop');
    expect(s.replace(/\n\s*/g, ' ')).toMatch(/Court emails are never sent by the demo: \d+ (was|were) written as \.eml files to \S+outbox and deleted/);
    expect(s).not.toContain('courtdesk broker:');
    expect(await readdir(demoConfig)).toEqual([]);
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', 'demo']);
    await rm(demoConfig, { recursive: true, force: true });
  }
});
