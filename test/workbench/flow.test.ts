import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, mount, startDesk, type Desk, type Mounted } from './harness.js';

let desk: Desk;
let open: Mounted[] = [];

beforeAll(async () => {
  desk = await startDesk();
});
afterAll(async () => {
  await desk.close();
});
afterEach(async () => {
  for (const m of open) await m.unmount();
  open = [];
});

async function workbench(options: Parameters<typeof mount>[1]): Promise<Mounted> {
  const m = await mount(desk, options);
  open.push(m);
  return m;
}

describe('workbench', () => {
  it('shows the queue', async () => {
    await desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const m = await workbench({ token: desk.tokens.alice });
    const frame = await m.waitFor((f) => f.includes('Jane Smith'), 'Jane');
    console.log(frame);
  });
});
