// Issue 12's fixes, each against a real broker: what an agent saw go wrong, and now does not.
import { describe, expect, it } from 'vitest';
import { deskPerTest, KEYS, takeNext } from './harness.js';

const t = deskPerTest();
const { workbench } = t;

const lines = (frame: string) => frame.split('\n');

describe('the conversation pane', () => {
  it('loads the conversation the filter moves the selection to, with no other event to prompt it', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?', from: 'jane@example.org' });
    await t.desk.post({ name: 'Dafydd Jones', text: 'Pryd mae fy ngwrandawiad?', from: 'dafydd@example.org', language: 'cy' });
    const m = await workbench({ token: t.desk.tokens.carys });
    await m.waitFor((f) => /\d\d:\d\d Jane Smith: When is my hearing\?/.test(f), "Jane's conversation");
    await m.press('/', 'dafydd');
    // Before, the pane said "Loading the whole conversation…" until the broker next sent anything.
    await m.waitFor((f) => /\d\d:\d\d Dafydd Jones: Pryd mae fy ngwrandawiad\?/.test(f), "Dafydd's conversation, loaded", 3000);
  });
});
