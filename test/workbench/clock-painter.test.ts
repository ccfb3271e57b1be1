import './force-colour.js';
import './not-ci.js';
import xterm from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient } from '../../src/client/types.js';
import { TerminalInput, TerminalOutput } from '../../src/screen-script/virtual-terminal.js';
import { clockChanges, patchBytes, type PaintLine } from '../../src/workbench/clock-painter.js';
import { renderWorkbench, type WorkbenchInstance } from '../../src/workbench/index.js';
import { startDesk, type Desk } from './harness.js';

const row = (clock: string, name = 'Jane Smith', role: 'amber' | undefined = undefined): PaintLine => ({
  runs: [[{ text: '  ', role: undefined }], [{ text: clock, role }], [{ text: 'WEB EN ', role: 'dim' }, { text: name, role: 'strong' }]],
  live: [false, true, false],
  inverse: false,
});

describe('clockChanges', () => {
  it('lists the clocks whose text moved', () => {
    expect(clockChanges([row(' 0:05 '), row(' 0:07 ')], [row(' 0:06 '), row(' 0:07 ')])).toEqual([{ line: 0, run: 1, text: ' 0:06 ' }]);
    expect(clockChanges([row(' 0:05 ')], [row(' 0:05 ')])).toEqual([]);
  });

  it('asks for a frame when anything but clock text changes, or a clock changes width', () => {
    expect(clockChanges([row(' 0:05 ')], [row(' 0:06 ', 'Jane Smyth')])).toBeNull();
    expect(clockChanges([row(' 0:05 ')], [row(' 0:06 ', 'Jane Smith', 'amber')])).toBeNull();
    expect(clockChanges([row(' 9:59 ')], [row('10:00 ')])).toEqual([{ line: 0, run: 1, text: '10:00 ' }]);
    expect(clockChanges([row('59:59 ')], [row(' 1:00  ')])).toBeNull();
    expect(clockChanges([row(' 0:05 ')], [row(' 0:05 '), row(' 0:05 ')])).toBeNull();
    expect(clockChanges([row(' 0:05 ')], [{ ...row(' 0:06 '), inverse: true }])).toBeNull();
    // Ink might measure other characters differently: only plain ASCII keeps its cells.
    expect(clockChanges([row(' 0:05 ')], [row(' 0:0٦ ')])).toBeNull();
  });
});

describe('patchBytes', () => {
  it('moves up from the line below the frame to the cell, draws in the run style, and comes back', () => {
    const bytes = patchBytes([{ x: 3, y: 1, text: '0:06', role: 'amber', inverse: false }], 23, () => ({ open: '<', close: '>' }));
    expect(bytes).toBe('\x1b[?2026h\x1b[22A\x1b[4G<0:06>\x1b[22B\r\x1b[?2026l');
  });

  it('draws several clocks top to bottom with one move per line, never a move of 0', () => {
    const at = (x: number, y: number, text: string) => ({ x, y, text, role: undefined, inverse: false });
    const bytes = patchBytes([at(6, 5, '7'), at(6, 2, '1'), at(70, 2, '9')], 20, () => ({ open: '', close: '' }));
    expect(bytes).toBe('\x1b[?2026h\x1b[18A\x1b[7G1\x1b[71G9\x1b[3B\x1b[7G7\x1b[15B\r\x1b[?2026l');
  });
});

type Cell = [string, number, number, number, boolean, boolean, boolean];

function cells(term: xterm.Terminal): Cell[][] {
  const buffer = term.buffer.active;
  const out: Cell[][] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.baseY + y)!;
    const row: Cell[] = [];
    for (let x = 0; x < term.cols; x++) {
      const c = line.getCell(x)!;
      row.push([c.getChars(), c.getFgColorMode(), c.getFgColor(), c.getBgColor(), c.isBold() !== 0, c.isDim() !== 0, c.isInverse() !== 0]);
    }
    out.push(row);
  }
  return out;
}

const text = (term: xterm.Terminal) => cells(term).map((r) => r.map((c) => c[0] || ' ').join('').trimEnd());
const isPatch = (w: string) => w.startsWith('\x1b[?2026h\x1b[') && /\x1b\[\d+A/.test(w);
// Ink's frames start by erasing the last one.
const isFrame = (w: string) => w.includes('\x1b[2K');

async function until(test: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let desk: Desk | null = null;
let client: BrokerClient | null = null;
let instance: WorkbenchInstance | null = null;
afterEach(async () => {
  instance?.unmount();
  await instance?.waitUntilExit().catch(() => {});
  await client?.close();
  await desk?.close();
  instance = null;
  client = null;
  desk = null;
});

describe('the clock painter on a real terminal', () => {
  it('draws ticks in place, and a whole frame drawn after them shows exactly the same cells', async () => {
    desk = await startDesk();
    await desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    await desk.post({ name: 'Dafydd Jones', text: 'Helo, mae gen i gwestiwn', language: 'cy' });
    await desk.post({ name: 'Sam Patel', text: 'Can I pay in instalments?' });
    client = createBrokerClient({ url: desk.url, token: desk.tokens.carys });
    await client.ready();
    const term = new xterm.Terminal({ cols: 80, rows: 24, allowProposedApi: true, scrollback: 0, convertEol: true });
    const writes: string[] = [];
    const stdout = new TerminalOutput(
      (data, done) => {
        writes.push(data);
        term.write(data, done);
      },
      80,
      24,
    );
    const flushed = () => new Promise<void>((resolve) => term.write('', resolve));
    instance = renderWorkbench({
      client,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: new TerminalOutput((_d, done) => done(), 80, 24) as unknown as NodeJS.WriteStream,
      stdin: new TerminalInput() as unknown as NodeJS.ReadStream,
      env: {},
    });
    await until(() => text(term).some((l) => l.includes('Helo, mae gen i gwestiwn')), 'the first frame with its conversation');
    // The selected enquiry's whole conversation arrives after the first frame: let it land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const clockOf = () => text(term)[1]!.slice(4, 10);
    const first = clockOf();
    const from = writes.length;
    await until(() => writes.slice(from).filter(isPatch).length >= 2, 'two seconds drawn in place');
    await flushed();
    expect(writes.slice(from).some(isFrame)).toBe(false);
    expect(clockOf()).not.toBe(first);
    const painted = cells(term);
    expect(painted.flat().some(([, mode]) => mode !== 0)).toBe(true);

    // A frame of Ink's (here for a resize to the same size) at the same second: the same screen.
    const beforeFrame = writes.length;
    stdout.emit('resize');
    await until(() => writes.slice(beforeFrame).some(isFrame), 'a whole frame');
    await flushed();
    expect(text(term)).toEqual(painted.map((r) => r.map((c) => c[0] || ' ').join('').trimEnd()));
    expect(cells(term)).toEqual(painted);
  });
});
