// The supervisor's wallboard and the transfer picker, in the real workbench against a real broker:
// the board is pushed live as enquiries arrive and agents take them, marks bad figures with a
// symbol at 80x24, and `t` hands an enquiry to an agent picked with their load shown.
import { describe, expect, it } from 'vitest';
import { deskPerTest, KEYS } from './harness.js';

const t = deskPerTest();

describe('the wallboard', () => {
  it('opens with w for a supervisor, updates live from the broker, fits 80x24 and closes with Esc', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    await t.desk.post({ name: 'Gareth Jones', text: 'Pryd mae fy ngwrandawiad?', language: 'cy' });
    const alice = await t.desk.other(t.desk.tokens.alice);
    const m = await t.workbench({ token: t.desk.tokens.sam, columns: 80, rows: 24 });
    await m.waitFor((f) => f.includes('2 waiting'), 'the queue');

    await m.press('w');
    const first = await m.waitFor((f) => f.includes('Waiting now 2: en 1, cy 1'), 'the board');
    const lines = first.split('\n');
    // Shorter than the terminal: a frame of its full height is cleared and written again on every render.
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(first).toMatch(/Today: received 2 +answered 0/);
    expect(first).toContain('first replies within 20 min: none answered yet');
    expect(first).toMatch(/alice +available +0\/3/);

    // Live: an agent takes one and replies; nobody asked the broker again.
    const taken = await alice.send({ type: 'take-next' });
    expect(taken.ok).toBe(true);
    const id = taken.ok ? taken.data.enquiryId : '';
    expect((await alice.send({ type: 'reply', enquiryId: id, text: 'It is on 3 March.' })).ok).toBe(true);
    const after = await m.waitFor((f) => f.includes('Waiting now 1') && /answered 1/.test(f), 'the board after the reply');
    expect(after).toContain('first replies within 20 min: 100% (target 80%)');
    expect(after).toMatch(new RegExp(`alice +available +1/3 +${id}`));

    await m.press(KEYS.esc);
    await m.waitFor((f) => !f.includes('Waiting now') && f.includes('1 waiting'), 'the queue again');
    await m.unmount();
  });

  it('is refused to an agent; marks bad figures with a symbol; a supervisor releases and sets presence from it', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const agent = await t.workbench({ token: t.desk.tokens.alice, columns: 80, rows: 24 });
    await agent.waitFor((f) => f.includes('1 waiting'), 'the queue');
    await agent.press('w');
    await agent.waitFor((f) => f.includes('only supervisors and auditors see the wallboard'), 'the refusal');
    await agent.unmount();

    // bob takes it and goes away holding it: a supervisor must see that.
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'take-next' })).ok).toBe(true);
    expect((await bob.send({ type: 'presence', state: 'away' })).ok).toBe(true);
    const m = await t.workbench({ token: t.desk.tokens.sam, columns: 80, rows: 24, env: { NO_COLOR: '1' } });
    await m.press('w');
    const board = await m.waitFor((f) => /bob +away/.test(f), 'bob on the board');
    expect(board).toMatch(/bob +away ⚠ +1\/3/);

    // The worst agent is on top: j selects bob, u releases what he has held longest, p makes him available.
    await m.press('j');
    await m.waitFor((f) => f.includes('Selected: bob'), 'bob selected');
    await m.press('u');
    await m.waitFor((f) => /bob +away +0\/3/.test(f), 'bob holding nothing, so no longer marked');
    expect((await t.desk.get(id)).claimedBy).toBeNull();
    await m.press('p');
    await m.waitFor((f) => /bob +available +0\/3/.test(f), 'bob available again');
    await m.unmount();
  });
});

describe('transfer with t', () => {
  it('from the wallboard: a supervisor hands what an away agent holds to an agent online, and is back on the board', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    await t.desk.other(t.desk.tokens.carys);
    expect((await bob.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
    expect((await bob.send({ type: 'presence', state: 'away' })).ok).toBe(true);
    const m = await t.workbench({ token: t.desk.tokens.sam, columns: 80, rows: 24 });
    await m.press('w');
    await m.waitFor((f) => /bob +away ⚠ +1\/3/.test(f), 'bob on the board');
    await m.press('j', 't');
    const picker = await m.waitFor((f) => f.includes('to whom?') && f.includes('carys  holds 0 of 3'), 'the picker');
    expect(picker).not.toMatch(/\d bob  holds/);
    const row = picker.split('\n').find((l) => l.includes('carys  holds'))!;
    await m.press(row.match(/(\d)/)![1]!);
    await m.waitFor((f) => /carys +available +1\/3/.test(f) && f.includes('Wallboard'), 'carys holding it, on the board');
    expect((await t.desk.get(id)).claimedBy).toBe('carys');
    await m.unmount();
  });


  it('lists the agents online with their load, and hands the enquiry to the one picked', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: await t.desk.post({ name: 'Other', text: 'x' }) })).ok).toBe(true);
    const m = await t.workbench({ token: t.desk.tokens.alice, columns: 80, rows: 24 });
    await m.waitFor((f) => f.includes('Jane Smith'), 'the queue');
    await m.press('c');
    await m.waitFor(() => m.client.state.enquiries.get(id)?.claimedBy === 'alice', 'the claim');
    await m.press('t');
    const picker = await m.waitFor((f) => f.includes('to whom?') && f.includes('bob  holds 1 of 3  en cy'), 'the picker');
    // alice holds it: she is not offered to herself.
    expect(picker).not.toMatch(/\d alice  holds/);
    const row = picker.split('\n').find((l) => l.includes('bob  holds'))!;
    await m.press(row.match(/(\d)/)![1]!);
    await m.waitFor((f) => f.includes(`Transferred ${id} to bob.`), 'the transfer');
    expect((await t.desk.get(id)).claimedBy).toBe('bob');
    await m.unmount();
  });

  it('is refused for an enquiry the agent does not hold, saying who does', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
    const m = await t.workbench({ token: t.desk.tokens.alice, columns: 80, rows: 24 });
    await m.waitFor((f) => f.includes('Jane Smith'), 'the queue');
    await m.press('t');
    await m.waitFor((f) => f.includes('bob holds it'), 'the refusal');
    await m.unmount();
  });

  it("lets a supervisor release anyone's from the queue with u; an agent only their own", async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
    const alice = await t.workbench({ token: t.desk.tokens.alice, columns: 80, rows: 24 });
    await alice.waitFor((f) => f.includes('Jane Smith'), 'the queue');
    await alice.press('u');
    await alice.waitFor((f) => f.includes('you do not hold it'), "the refusal for bob's enquiry");
    await alice.unmount();
    const m = await t.workbench({ token: t.desk.tokens.sam, columns: 80, rows: 24 });
    await m.waitFor((f) => f.includes('Jane Smith'), 'the queue');
    await m.press('u');
    await m.waitFor((f) => f.includes("Released Jane Smith's enquiry to the queue."), 'the release');
    expect((await t.desk.get(id)).claimedBy).toBeNull();
    await m.unmount();
  });
});
