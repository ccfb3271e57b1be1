// The virtual terminal and the runner, driven by a tiny app written straight to the streams: the
// screen is what an emulator makes of the bytes, and steps pass or fail on it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseScript } from '../../src/screen-script/parse.js';
import { frameScreen } from '../../src/screen-script/report.js';
import { playScript, snapshotPath, type PlayOptions } from '../../src/screen-script/runner.js';
import { VirtualTerminal } from '../../src/screen-script/virtual-terminal.js';

let term: VirtualTerminal;
let dir: string;
beforeEach(async () => {
  term = new VirtualTerminal(20, 5);
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-script-'));
});
afterEach(async () => {
  term.dispose();
  await rm(dir, { recursive: true, force: true });
});

const SETTLE = { quietMs: 20, maxMs: 500 };

function write(data: string): Promise<void> {
  return new Promise((resolve) => term.stdout.write(data, () => resolve()));
}

/** An app that reads keys from the terminal's input and shows the last one, named, on line 2. */
function echoApp(): void {
  term.stdin.setEncoding('utf8');
  term.stdin.on('readable', () => {
    let chunk: string | null;
    while ((chunk = term.stdin.read() as string | null) !== null) {
      const shown = JSON.stringify(chunk);
      term.stdout.write(`\u001b[2;1H\u001b[2Kgot ${shown}`);
    }
  });
}

async function play(source: string, options: Partial<PlayOptions> = {}) {
  const parsed = parseScript(source, { rows: term.rows });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return playScript(parsed.steps, term, { timeoutMs: 300, snapshotDir: dir, settle: SETTLE, ...options });
}

describe('the virtual terminal', () => {
  it('shows what an emulator makes of the output: line feeds, cursor moves, erases, wide characters', async () => {
    await write('first line\nsecond\n');
    await write('\u001b[1;7H\u001b[K!');
    await write('\u001b[3;1H名前 Jane');
    expect(term.screen()).toEqual(['first !', 'second', '名前 Jane', '', '']);
  });

  it('wraps at the right edge and scrolls at the bottom, as a terminal does', async () => {
    await write('a'.repeat(25));
    expect(term.screen().slice(0, 2)).toEqual(['a'.repeat(20), 'aaaaa']);
    await write('\n2\n3\n4\n5');
    expect(term.screen()).toEqual(['aaaaa', '2', '3', '4', '5']);
  });

  it('is a TTY whose raw mode the app can turn on, and whose keys arrive on a readable stdin', async () => {
    expect(term.stdout.isTTY).toBe(true);
    expect(term.stdout.columns).toBe(20);
    expect(term.stdout.rows).toBe(5);
    let raw = false;
    void term.stdin.whenRaw().then(() => (raw = true));
    await Promise.resolve();
    expect(raw).toBe(false);
    term.stdin.setRawMode(true);
    await term.stdin.whenRaw();
    echoApp();
    term.send('\u001b[A');
    await term.settle(SETTLE);
    expect(term.screen()[1]).toBe('got "\\u001b[A"');
  });

  it('answers a query on the input, as a terminal does', async () => {
    echoApp();
    await write('\u001b[5;3H\u001b[6n');
    await term.settle(SETTLE);
    expect(term.screen()[1]).toBe('got "\\u001b[5;3R"');
  });
});

describe('playScript', () => {
  it('presses keys one at a time, each drawn before the next', async () => {
    echoApp();
    const result = await play('press j\nexpect-line 2 got "j"\npress ctrl+u enter\nexpect got "\\r"\nexpect-not "\\u0015"');
    expect(result).toEqual({ ok: true, steps: 5 });
  });

  it('types text as one input, as a paste arrives', async () => {
    echoApp();
    expect(await play('type hello there\nexpect got "hello there"')).toEqual({ ok: true, steps: 2 });
  });

  it('waits for text that comes later', async () => {
    setTimeout(() => void write('\u001b[4;1Hlater'), 100);
    expect(await play('wait-for later 2000')).toEqual({ ok: true, steps: 1 });
  });

  it('fails a wait-for that times out, with the screen as it was', async () => {
    await write('nothing yet');
    const result = await play('# waits\nwait-for Tagged 305JE126 150');
    expect(result).toMatchObject({ ok: false, step: { line: 2, kind: 'wait-for' }, screen: ['nothing yet', '', '', '', ''] });
    expect(result.ok === false && result.message).toBe(
      '"Tagged 305JE126" did not appear within 150 ms (the number ending the line was read as the timeout; to wait for text that ends in a number, quote it: wait-for "Tagged 305JE126 150")',
    );
  });

  it('uses the default timeout when the step gives none', async () => {
    const start = Date.now();
    const result = await play('wait-for "never 2"', { timeoutMs: 200 });
    expect(result.ok === false && result.message).toBe('"never 2" did not appear within 200 ms');
    expect(Date.now() - start).toBeGreaterThanOrEqual(200);
  });

  it('fails expect, expect-not and expect-line with what is wrong', async () => {
    await write('alice | connected\nJane Smith');
    expect(await play('expect connected\nexpect Bob')).toMatchObject({ ok: false, step: { line: 2 }, message: '"Bob" is not on the screen' });
    expect(await play('expect-not Jane')).toMatchObject({ ok: false, message: '"Jane" is on the screen (line 2)' });
    expect(await play('expect-line 1 Jane')).toMatchObject({ ok: false, message: 'line 1 does not contain "Jane"; it is on line 2' });
    expect(await play('expect-line 3 Nobody')).toMatchObject({ ok: false, message: 'line 3 does not contain "Nobody"' });
    expect(await play('expect-line 2 Jane\nexpect-not Bob')).toEqual({ ok: true, steps: 2 });
  });

  it('sleeps', async () => {
    const start = Date.now();
    await play('sleep 120');
    // Node's timers count from the event loop's cached clock, which can lag Date.now() by a
    // millisecond or so: a 120 ms timer may be seen to fire after 119.
    expect(Date.now() - start).toBeGreaterThanOrEqual(115);
  });

  it('writes a snapshot of every row, adding .txt when the name has none', async () => {
    await write('top\n\n  middle');
    expect(await play('snapshot shots/first\nsnapshot second.screen')).toEqual({ ok: true, steps: 2 });
    expect(await readFile(join(dir, 'shots', 'first.txt'), 'utf8')).toBe('top\n\n  middle\n\n\n');
    expect(await readFile(join(dir, 'second.screen'), 'utf8')).toBe('top\n\n  middle\n\n\n');
    expect(snapshotPath('/abs/x', dir)).toBe('/abs/x.txt');
  });

  it('fails a snapshot that cannot be written', async () => {
    await write('x');
    await writeFile(join(dir, 'blocker'), 'a file, not a folder');
    const result = await play('snapshot blocker/inner');
    expect(result).toMatchObject({ ok: false, step: { kind: 'snapshot' } });
    expect(result.ok === false && result.message).toMatch(new RegExp(`^cannot write the snapshot to ${join(dir, 'blocker', 'inner.txt')}: .*(EEXIST|ENOTDIR)`));
  });
});

describe('frameScreen', () => {
  it('boxes the screen with numbered rows, padding wide characters by their cells', () => {
    expect(frameScreen(['名前', 'ab', ''], 5)).toEqual(['  +-----+', '1 |名前 |', '2 |ab   |', '3 |     |', '  +-----+']);
  });
});
