// The Workbench component mounted with ink-testing-library (100 columns, no rows: drawn for 24).
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/client/broker-client.js';
import type { BrokerClient } from '../../src/client/types.js';
import { Controller, DEFAULT_SETTINGS, Workbench } from '../../src/workbench/index.js';
import { makeTheme } from '../../src/workbench/theme.js';
import { Ticker } from '../../src/workbench/ticker.js';
import { startDesk, type Desk } from './harness.js';

let desk: Desk;
let client: BrokerClient;
let app: ReturnType<typeof render> | null = null;

beforeEach(async () => {
  desk = await startDesk();
  await desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
  client = createBrokerClient({ url: desk.url, token: desk.tokens.alice });
  await client.ready();
});
afterEach(async () => {
  app?.unmount();
  app = null;
  await client.close();
  await desk.close();
});

async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frame:\n${app?.lastFrame()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('draws at 100 columns, ticks the wait clock every second, and opens help from the keymap', async () => {
  const controller = new Controller({ client, settings: DEFAULT_SETTINGS });
  const theme = makeTheme(DEFAULT_SETTINGS, { NO_COLOR: '1' });
  app = render(<Workbench controller={controller} theme={theme} ticker={new Ticker()} />);
  await until(() => app!.lastFrame()!.includes('Jane Smith'), 'the queue');
  const frame = app.lastFrame()!;
  expect(frame.split('\n').length).toBeLessThanOrEqual(23);
  expect(Math.max(...frame.split('\n').map((l) => l.length))).toBe(100);
  const clock = () => /\s(\d+:\d\d) WEB/.exec(app!.lastFrame()!)?.[1];
  const first = clock();
  await until(() => clock() !== first, 'the clock to tick');
  app.stdin.write('?');
  await until(() => app!.lastFrame()!.startsWith('Keys'), 'the help overlay');
  expect(app.lastFrame()).toContain('take next: the one the routing rule puts first (urgent, Welsh, longest wait)');
  controller.dispose();
});
