// Issue 12's fixes, each against a real broker: what an agent saw go wrong, and now does not.
import { describe, expect, it } from 'vitest';
import { addToken, revokeToken, TOKEN_POLL_MS } from '../../src/broker/tokens.js';
import { parseCaseNumber } from '../../src/domain/case-number.js';
import { textWidth } from '../../src/workbench/text.js';
import { deskPerTest, KEYS, takeNext } from './harness.js';

const t = deskPerTest();
const { workbench } = t;

const lines = (frame: string) => frame.split('\n');
const LEEDS = 'leeds-combined-court-centre';

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

describe('the queue', () => {
  /** The queue's lines: between the status line and the rule above the conversation. */
  const queueLines = (frame: string) => {
    const all = lines(frame);
    const rule = all.findIndex((l, i) => i > 0 && /^─+$/.test(l));
    return all.slice(1, rule);
  };

  it('shows every waiting enquiry when the conversation leaves lines blank', async () => {
    for (let i = 1; i <= 9; i++) await t.desk.post({ name: `Person ${i}`, text: `Question ${i}`, from: `p${i}@example.org` });
    const m = await workbench();
    const frame = await m.waitFor((f) => /\d\d:\d\d Person 1: Question 1/.test(f), 'the first conversation');
    // 80x24 gave the queue 8 lines whatever it held: the ninth was hidden above blank pane lines.
    expect(queueLines(frame).filter((l) => /Person \d/.test(l))).toHaveLength(9);
    expect(lines(frame).length).toBeLessThanOrEqual(23);
  });

  it('never draws a group heading with none of its rows under it', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `sentence ${i} of a long account of the case`).join('. ');
    await t.desk.post({ name: 'Person 1', text: long, from: 'p1@example.org' });
    for (let i = 2; i <= 7; i++) await t.desk.post({ name: `Person ${i}`, text: `Question ${i}`, from: `p${i}@example.org` });
    const held = await t.desk.post({ name: 'Held Elsewhere', text: 'mine', from: 'held@example.org' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: held })).ok).toBe(true);
    const m = await workbench();
    const frame = await m.waitFor((f) => f.includes('sentence 39 of a long') && f.includes('Person 7'), 'the long conversation');
    const queue = queueLines(frame);
    expect(queue).toHaveLength(8);
    const heading = queue.findIndex((l) => l.includes('held by others'));
    // Seven rows and the heading filled the eight lines, the heading last with its row cut off.
    if (heading !== -1) expect(queue[heading + 1]).toContain('Held Elsewhere');
    expect(queue.at(-1)).not.toContain('held by others');
    await m.press('G');
    const bottom = await m.waitFor((f) => f.includes('Held Elsewhere'), 'the held row at the bottom');
    expect(queueLines(bottom).findIndex((l) => l.includes('held by others'))).toBe(queueLines(bottom).findIndex((l) => l.includes('Held Elsewhere')) - 1);
  });
});

describe('asking first', () => {
  it('x asks before closing an enquiry whose court email is unanswered; n keeps it open, y closes it', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    const sam = await t.desk.other(t.desk.tokens.sam);
    const sent = await sam.send({ type: 'escalate', enquiryId: id, courtSlug: LEEDS, template: 'general' });
    if (!sent.ok) throw new Error(`escalate refused: ${sent.error.message}`);
    await m.waitFor((f) => /↗ \[(queued|sent)\] Leeds Combined Court Centre/.test(f), 'the escalation in the pane');
    await m.press('x');
    // Before, x closed it at once, and the court's unanswered email went out of sight with it.
    let frame = await m.waitFor((f) => f.includes('Close it anyway? y / n'), 'the question');
    expect(frame.replaceAll('\n', ' ')).toMatch(/Leeds Combined Court Centre has not answered the email about Jane Smith's enquiry \((not sent yet|sent \d+ \w{3})\)\./);
    expect(frame).toContain('y close it  n keep it open');
    await m.press('n');
    await m.waitFor((f) => !f.includes('Close it anyway?'), 'kept open');
    expect((await t.desk.get(id)).status).toBe('waiting');
    await m.press('x', 'y');
    frame = await m.waitFor((f) => f.includes("Closed Jane Smith's enquiry"), 'closed');
    expect((await t.desk.get(id)).status).toBe('closed');
  });

  it('x closes at once when no court owes an answer', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('x');
    await m.waitFor((f) => f.includes("Closed Jane Smith's enquiry"), 'closed');
    expect((await t.desk.get(id)).status).toBe('closed');
  });

  it('n while away is refused by the broker, and works again once available', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await m.waitFor((f) => f.includes('Jane Smith'), 'the queue');
    await m.press('p');
    await m.waitFor((f) => f.includes('You are away.'), 'away');
    await m.press('n');
    // Before, n claimed the longest-waiting enquiry whatever the agent's presence.
    await m.waitFor((f) => /Could not take the next enquiry: .*away/i.test(f), 'the refusal');
    expect((await t.desk.get(id)).claimedBy ?? null).toBeNull();
    await m.press('p');
    await m.waitFor((f) => f.includes('You are available.'), 'available');
    await takeNext(m, 'Jane Smith');
  });

  it('quitting while holding enquiries warns that nobody else can take them', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    let exited = false;
    void m.instance.waitUntilExit().then(() => (exited = true));
    await m.press('q');
    // Before, q quit at once, leaving the enquiry held by an agent who had gone.
    await m.waitFor((f) => f.includes('You have 1 enquiry held (nobody else can take it: u releases).') && f.includes('Quit now? y / n'), 'the warning');
    expect(exited).toBe(false);
    await m.press(KEYS.esc);
    await m.waitFor((f) => !f.includes('Quit now?'), 'stayed');
    await m.press('u');
    await m.waitFor((f) => f.includes("Released Jane Smith's enquiry"), 'released');
    await m.press('q');
    await expect.poll(() => exited).toBe(true);
  });
});

describe('times in words', () => {
  it('"sent Ns ago" ticks with the clocks', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'When is my hearing?' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    const sam = await t.desk.other(t.desk.tokens.sam);
    expect((await sam.send({ type: 'escalate', enquiryId: id, courtSlug: LEEDS, template: 'general' })).ok).toBe(true);
    const ago = (f: string) => /\[sent\] Leeds Combined Court Centre, sent (\d+)s ago/.exec(f)?.[1];
    const first = ago(await m.waitFor((f) => ago(f) !== undefined, 'the escalation sent'));
    // The pane was redrawn once a minute: the seconds stood still while the queue's clocks ran.
    await m.waitFor((f) => Number(ago(f) ?? -1) >= Number(first) + 2, 'the seconds to move on, twice', 5000);
  });
});

describe('guidance that must be read, at 80 columns', () => {
  /** The frame's text with line breaks and the indentation of wrapped lines folded into single spaces. */
  const flat = (frame: string) => frame.replace(/\s+/g, ' ');

  it("wraps the tag field's reason a number cannot be added (a bad check digit)", async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    const bad = parseCaseNumber('1712345678901239');
    if (bad.ok) throw new Error('the check digit should be wrong');
    await m.press('#', '1712345678901239', KEYS.enter);
    const frame = await m.waitFor((f) => f.includes('cannot add:'), 'the refusal');
    expect(flat(frame)).toContain(`cannot add: ${bad.reason}`.replace(/\s+/g, ' '));
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines(frame).length).toBeLessThanOrEqual(23);
  });

  it('wraps why a key does nothing just now in the help', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    const id = [...bob.state.enquiries.keys()][0]!;
    expect((await bob.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
    const m = await workbench();
    await m.waitFor((f) => f.includes('@bob'), 'held by bob');
    await m.press('?');
    const frame = await m.waitFor((f) => f.startsWith('Keys'), 'the help');
    expect(flat(frame)).toContain('escalate to a court by email: court, template, details, preview, send (not now: bob holds it)');
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('wraps "Terminal too small" on a terminal too narrow for it', async () => {
    const m = await workbench();
    m.stdout.resize(30, 12);
    const frame = await m.waitFor((f) => f.includes('Terminal'), 'the message');
    expect(flat(frame)).toContain('Terminal too small (30x12): courtdesk needs at least 40x10. q quits.');
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(30);
  });
});

describe('a long agent name at 80x24', () => {
  it('is cut with an ellipsis so the status line keeps its connection state and waiting count', async () => {
    const name = 'bartholomew.featherstonehaugh-smythe.contact-centre.cardiff-team';
    const token = await addToken(t.desk.dir, { name, role: 'agent', languages: ['en'] });
    // The running broker reads the new token at its next poll of the file.
    for (let tries = 0; ; tries++) {
      const known = await t.desk.other(token).then(
        (c) => c.close().then(() => true),
        () => false,
      );
      if (known) break;
      if (tries > 40) throw new Error('the broker never accepted the new token');
      await new Promise((resolve) => setTimeout(resolve, TOKEN_POLL_MS));
    }
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench({ token });
    const status = lines(await m.waitFor((f) => f.includes('1 waiting'), 'the waiting count'))[0]!;
    expect(status).toMatch(/^bartholomew\.feather… \(available\) │ connected │ 1 waiting/);
    expect(textWidth(status)).toBeLessThanOrEqual(80);
  });
});

describe('a refused token', () => {
  it('says why in full under the conversation, where the status line cuts it', async () => {
    const m = await workbench();
    await revokeToken(t.desk.dir, 'alice');
    const frame = await m.waitFor((f) => f.includes('refused:'), 'the refusal');
    const reason = 'The broker revoked this token (close 4001). Ask a supervisor for a new token, then sign in again.';
    expect(lines(frame)[0]!.replace(/\s+/g, ' ')).not.toContain(reason);
    expect(frame.replace(/\s+/g, ' ')).toContain(reason);
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(80);
  });
});
