import './force-colour.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mount, startDesk, type Desk, type Mounted } from './harness.js';

// Colour codes (SGR): what NO_COLOR forbids. Ink's cursor show/hide codes are not colour.
const SGR = /\x1b\[[0-9;]*m/;

const plain = (f: string) => f.replace(/\x1b\[[0-9;]*m/g, '');

let desk: Desk;
let m: Mounted | null = null;

beforeEach(async () => {
  desk = await startDesk();
  await desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
  await desk.post({ name: 'Dafydd Jones', text: 'Helo', language: 'cy' });
});
afterEach(async () => {
  await m?.unmount();
  m = null;
  await desk.close();
});

async function frames(env: NodeJS.ProcessEnv, settings = {}): Promise<string[]> {
  m = await mount(desk, { token: desk.tokens.alice, env, settings });
  await m.waitFor((f) => f.includes('Dafydd Jones'), 'the queue');
  await m.press('j', '?');
  await m.waitFor((f) => f.includes('Keys'), 'the help overlay');
  await m.press('\x1b', 'k');
  await m.waitFor((f) => plain(f).split('\n')[1]!.startsWith('› ') && !f.includes('Keys'), 'the first row selected');
  return m.stdout.frames;
}

describe('colour', () => {
  it('is used by default, so the NO_COLOR tests below can fail', async () => {
    expect((await frames({})).some((f) => SGR.test(f))).toBe(true);
  });

  it('NO_COLOR leaves out every colour code, and the selection still shows by its marker', async () => {
    const all = await frames({ NO_COLOR: '1' });
    for (const f of all) expect(f).not.toMatch(SGR);
    const last = all.at(-1)!.split('\n');
    expect(last[1]).toMatch(/^› .*Jane Smith/);
    expect(last[2]).toMatch(/^ {2}.*Dafydd Jones/);
  });

  it('the no-color setting does the same without NO_COLOR', async () => {
    for (const f of await frames({}, { theme: 'no-color' })) expect(f).not.toMatch(SGR);
  });
});
