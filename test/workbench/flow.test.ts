// The workbench against a real broker: keys in, frames out, and the broker's record checked.
import { describe, expect, it } from 'vitest';
import { memoryDraftStore } from '../../src/workbench/index.js';
import { deskPerTest, KEYS, takeNext } from './harness.js';

const t = deskPerTest();
const { workbench } = t;

const lines = (frame: string) => frame.split('\n');
const lineWith = (frame: string, text: string) => lines(frame).findIndex((l) => l.includes(text));

describe('the queue', () => {
  it('lists enquiries longest wait first, with others\' and answered ones set apart', async () => {
    const first = await t.desk.post({ name: 'Ann First', text: 'first' });
    await t.desk.post({ name: 'Ben Second', text: 'second' });
    const third = await t.desk.post({ name: 'Cat Third', text: 'third' });
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: third })).ok).toBe(true);
    const m = await workbench();
    const frame = await m.waitFor((f) => f.includes('held by others'), 'the held-by-others group');
    expect(lineWith(frame, 'Ann First')).toBeGreaterThan(0);
    expect(lineWith(frame, 'Ann First')).toBeLessThan(lineWith(frame, 'Ben Second'));
    expect(lineWith(frame, 'Ben Second')).toBeLessThan(lineWith(frame, 'held by others (1)'));
    expect(lineWith(frame, 'held by others (1)')).toBeLessThan(lineWith(frame, 'Cat Third'));
    expect(lines(frame)[lineWith(frame, 'Cat Third')]).toContain('@bob');
    expect(lines(frame)[1]).toMatch(/^› /);
    expect(lines(frame)[0]).toContain('3 waiting');
    // The selection stays on its enquiry when the ranking moves under it.
    await m.press('j');
    await m.waitFor((f) => lines(f)[lineWith(f, 'Ben Second')]!.startsWith('›'), 'Ben selected');
    expect((await bob.send({ type: 'claim', enquiryId: first })).ok).toBe(true);
    const moved = await m.waitFor((f) => f.includes('held by others (2)'), 'Ann moved under held by others');
    expect(lines(moved)[lineWith(moved, 'Ben Second')]).toMatch(/^›/);
    expect(lineWith(moved, 'Ben Second')).toBe(1);
  });

  it('loads the whole conversation of a summary-only enquiry when it is selected', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'My claim number is 305JE126, when is the hearing?' });
    const m = await workbench();
    await m.waitFor((f) => /\d\d:\d\d Jane Smith: My claim number is 305JE126/.test(f), 'the loaded conversation');
  });

  it('loads it while the queue is busy: events arriving faster than the load delay do not keep putting it off', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'My claim number is 305JE126, when is the hearing?' });
    const m = await workbench();
    let loaded = false;
    const busy = (async () => {
      for (let i = 0; !loaded && i < 100; i++) {
        await t.desk.post({ name: `Busy ${i}`, text: 'hello', from: `busy${i}@example.org` });
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await m.waitFor((f) => /\d\d:\d\d Jane Smith: My claim number is 305JE126/.test(f), 'the loaded conversation', 3000).finally(() => (loaded = true));
    await busy;
  });

  it('filters by language, channel and text, and Esc puts the queue back', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    await t.desk.post({ name: 'Dafydd Jones', text: 'helo', language: 'cy' });
    await t.desk.post({ name: 'Sid Sms', text: 'text me', channel: 'sms', from: '+447700900001' });
    const m = await workbench();
    await m.waitFor((f) => f.includes('Sid Sms'), 'all three');
    await m.press('/', 'cy');
    let frame = await m.waitFor((f) => !f.includes('Jane Smith') && f.includes('1 shown'), 'only Welsh');
    expect(frame).toContain('Dafydd Jones');
    await m.press(KEYS.esc);
    frame = await m.waitFor((f) => f.includes('Jane Smith') && f.includes('Sid Sms'), 'the whole queue back');
    await m.press('/', 'sms', KEYS.enter);
    frame = await m.waitFor((f) => lines(f)[0]!.endsWith('│ / sms') && !f.includes('Dafydd'), 'the SMS filter kept');
    expect(frame).toContain('Sid Sms');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('Dafydd Jones') && !lines(f)[0]!.includes('│ /'), 'the filter cleared');
  });
});

describe('working an enquiry', () => {
  it('takes next: the longest-waiting free enquiry in the agent\'s languages', async () => {
    await t.desk.post({ name: 'Welsh Writer', text: 'helo', language: 'cy' });
    const english = await t.desk.post({ name: 'Eng Lish', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Eng Lish');
    const frame = m.frame();
    expect(lines(frame)[lineWith(frame, 'Eng Lish')]).toContain('@you');
    expect((await t.desk.get(english)).claimedBy).toBe('alice');
  });

  it('replies, handling batched keys, held backspace and a paste', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('rHello', ' theree', KEYS.backspace, ' jj', '\x7f\x7f', 'soon.', ' Line one\r\nline two');
    await m.waitFor((f) => f.includes('> Hello there soon. Line one line two'), 'the typed reply');
    await m.press(KEYS.enter);
    await m.waitFor((f) => /you: Hello there soon\. Line one line two \[recorded; no callback\]/.test(f), 'the reply in the conversation');
    const enquiry = await t.desk.get(id);
    expect(enquiry.messages.filter((x: { author: string }) => x.author === 'agent').map((x: { text: string }) => x.text)).toEqual([
      'Hello there soon. Line one line two',
    ]);
  });

  it('Ctrl-W, Ctrl-U, Home and End edit the reply', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('r', 'one two three', KEYS.ctrlW);
    await m.waitFor((f) => /^> one two\s*$/m.test(f), 'the last word deleted');
    await m.press(KEYS.home, 'zero ', KEYS.end, 'end');
    await m.waitFor((f) => f.includes('> zero one two end'), 'home and end');
    await m.press(KEYS.ctrlU);
    await m.waitFor((f) => /^>\s*$/m.test(f), 'the line cleared');
  });

  it('tags a valid case number, explains an invalid one, and removes a tag', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('#', '305je12');
    await m.waitFor((f) => f.includes('has 7 characters'), 'the live explanation');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('cannot add: "305JE12" has 7 characters'), 'Enter on an invalid number explains');
    expect((await t.desk.get(id)).caseNumbers).toEqual([]);
    await m.press('6');
    await m.waitFor((f) => f.includes('valid: 305JE126: County Court civil claim number'), 'the format named');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('Case numbers: 305JE126'), 'the tag in the pane');
    expect((await t.desk.get(id)).caseNumbers).toEqual(['305JE126']);
    await m.press('T');
    await m.waitFor((f) => f.includes('1. 305JE126'), 'the tag picker');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('Removed tag 305JE126'), 'the tag removed');
    expect((await t.desk.get(id)).caseNumbers).toEqual([]);
  });

  it('fills a Welsh canned reply, asking for the value it lacks', async () => {
    const id = await t.desk.post({ text: 'Helo, pryd mae fy ngwrandawiad?', language: 'cy', from: 'dafydd@example.org' });
    const m = await workbench({ token: t.desk.tokens.carys });
    await m.press('n');
    await m.waitFor((f) => f.includes('You hold'), 'claimed');
    await m.press('r', KEYS.tab);
    await m.waitFor((f) => f.includes('Canned replies in Welsh'), 'the Welsh list');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('The reply needs ((name))'), 'asked for the name');
    await m.press('Dafydd', KEYS.enter);
    await m.waitFor((f) => f.includes('carys ydw i a byddaf'), 'the filled reply');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('[recorded; no callback]'), 'sent');
    const texts = (await t.desk.get(id)).messages.filter((x: { author: string }) => x.author === 'agent').map((x: { text: string }) => x.text);
    expect(texts).toEqual(["Helo Dafydd, diolch am gysylltu â'r llys. carys ydw i a byddaf yn eich helpu gyda'ch ymholiad."]);
    expect(texts[0]).not.toContain('((');
  });

  it('keeps a draft per enquiry across switching and a restart', async () => {
    await t.desk.post({ name: 'Ann First', text: 'a' });
    await t.desk.post({ name: 'Ben Second', text: 'b' });
    const drafts = memoryDraftStore();
    const m = await workbench({ drafts });
    await takeNext(m, 'Ann First');
    await takeNext(m, 'Ben Second');
    await m.press('g', 'r', 'draft for Ann', KEYS.esc);
    await m.waitFor((f) => f.includes('Draft kept'), 'draft kept');
    await m.press('j', 'r');
    await m.waitFor((f) => f.includes('Reply to Ben Second') && /^>\s*$/m.test(f), "Ben's empty editor");
    await m.press(KEYS.esc, 'k', 'r');
    await m.waitFor((f) => f.includes('Reply to Ann First') && f.includes('> draft for Ann'), "Ann's draft back");
    await m.unmount();
    const again = await workbench({ drafts });
    await again.press('r');
    await again.waitFor((f) => f.includes('> draft for Ann'), 'the draft after a restart');
  });

  it('shows a refused reply plainly and keeps its text as a draft', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('r', 'you will hear soon');
    const sam = await t.desk.other(t.desk.tokens.sam);
    expect((await sam.send({ type: 'transfer', enquiryId: id, toAgent: 'bob' })).ok).toBe(true);
    await m.waitFor((f) => f.includes('held by bob'), 'the transfer seen');
    await m.press(KEYS.enter);
    await m.waitFor((f) => /not sent: .*held by bob.*kept as a draft/.test(f.replace(/\n/g, ' ')), 'the refusal');
    expect(m.drafts.load()[id]).toBe('you will hear soon');
  });

  it('releases, closes and reopens, moving the enquiry between groups', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    await t.desk.post({ name: 'Ben Second', text: 'hi' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('u');
    await m.waitFor((f) => f.includes("Released Jane Smith's enquiry"), 'released');
    expect((await t.desk.get(id)).claimedBy).toBeNull();
    await takeNext(m, 'Jane Smith');
    await m.press('x');
    let frame = await m.waitFor((f) => f.includes('closed (1)'), 'the closed group');
    expect(lines(frame)[lineWith(frame, 'Jane Smith')]).toMatch(/^›/);
    expect((await t.desk.get(id)).status).toBe('closed');
    await m.press('o');
    frame = await m.waitFor((f) => f.includes("Reopened Jane Smith's enquiry") && !f.includes('closed (1)'), 'reopened');
    expect((await t.desk.get(id)).status).not.toBe('closed');
  });

  it('toggles presence and shows it in the status line', async () => {
    const m = await workbench();
    expect(lines(m.frame())[0]).toMatch(/^alice \(available\)/);
    await m.press('p');
    await m.waitFor((f) => lines(f)[0]!.startsWith('alice (away)') && f.includes('You are away'), 'away');
    await m.press('p');
    await m.waitFor((f) => lines(f)[0]!.startsWith('alice (available)') && f.includes('You are available'), 'available');
  });

  it('Enter opens the conversation full height, Esc goes back', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    await t.desk.post({ name: 'Ben Second', text: 'hi' });
    await t.desk.post({ name: 'Cat Third', text: 'hey' });
    const m = await workbench();
    await m.waitFor((f) => f.includes('Cat Third'), 'all listed');
    const ruleAt = (f: string) => lines(f).findIndex((l) => l.startsWith('────'));
    const before = ruleAt(m.frame());
    await m.press(KEYS.enter);
    await m.waitFor((f) => ruleAt(f) > 0 && ruleAt(f) < before, 'the pane grown');
    await m.press(KEYS.esc);
    await m.waitFor((f) => ruleAt(f) === before, 'the pane back');
  });

  it('draws only ASCII with the ascii setting', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench({ settings: { ascii: true }, env: { NO_COLOR: '1' } });
    await m.press('n');
    await m.waitFor((f) => f.includes('You hold'), 'claimed');
    await m.press('a', 'checked', KEYS.enter);
    const frame = await m.waitFor((f) => f.includes('* note by you: checked'), 'the note');
    expect(lines(frame)[lineWith(frame, 'Jane Smith')]).toMatch(/^> /);
    expect(frame).toMatch(/^-{80}$/m);
    for (const f of m.stdout.frames) expect(f).toMatch(/^[\x00-\x7f]*$/);
  });
});

describe('connection', () => {
  it('queues a reply while offline and sends it once on reconnect', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench({ minReconnectDelayMs: 1500, maxReconnectDelayMs: 1500 });
    await takeNext(m, 'Jane Smith');
    t.desk.broker.dropAllSockets();
    await m.waitFor((f) => /reconnecting in \ds/.test(lines(f)[0]!), 'reconnecting shown');
    await m.press('r', 'sent while offline', KEYS.enter);
    const queued = await m.waitFor((f) => f.includes('[queued]'), 'the queued reply');
    expect(lines(queued)[0]).toMatch(/offline with 1 unsent, reconnecting in \ds/);
    await m.waitFor((f) => f.includes('sent while offline [recorded; no callback]') && lines(f)[0]!.includes('connected'), 'sent after reconnecting');
    const frame = m.frame();
    expect(frame.match(/you: sent while offline/g)).toHaveLength(1);
    const replies = (await t.desk.get(id)).messages.filter((x: { text: string }) => x.text === 'sent while offline');
    expect(replies).toHaveLength(1);
  });

  it('shows a claim race lost while offline', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench({ minReconnectDelayMs: 1500, maxReconnectDelayMs: 1500 });
    await m.waitFor((f) => f.includes('Jane Smith'), 'Jane listed');
    t.desk.broker.dropAllSockets();
    await m.waitFor((f) => /reconnecting in/.test(lines(f)[0]!), 'offline');
    const bob = await t.desk.other(t.desk.tokens.bob);
    expect((await bob.send({ type: 'claim', enquiryId: id })).ok).toBe(true);
    await m.press('c');
    await m.waitFor((f) => /Could not claim Jane Smith's enquiry: .*already held by bob/.test(f), 'the lost race');
  });
});

describe('screen', () => {
  it('shows every key in the ? overlay, from the same table as the footer', async () => {
    const m = await workbench({ columns: 130, rows: 40 });
    await m.press('?');
    const frame = await m.waitFor((f) => f.startsWith('Keys'), 'the help overlay');
    for (const text of ['take next', 'reply to the customer', 'tag a County Court case number', 'escalate to a court', 'filter:', 'switch between available and away', 'back out of any dialog', 'quit']) {
      expect(frame).toContain(text);
    }
    expect(frame).toMatch(/reply to the customer.*\(not now: no enquiry is selected\)/);
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('n next') && !f.startsWith('Keys'), 'back to the queue');
  });

  it('asks before quitting with a draft, and quits on y', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('r', 'unfinished', KEYS.esc, 'q');
    await m.waitFor((f) => f.includes('You have 1 draft') && f.includes('Quit now? y / n'), 'the question');
    await m.press('n');
    await m.waitFor((f) => !f.includes('Quit now?'), 'stayed');
    let exited = false;
    void m.instance.waitUntilExit().then(() => (exited = true));
    await m.press('q', 'y');
    await expect.poll(() => exited).toBe(true);
  });

  it('quits at once when nothing would be left behind', async () => {
    const m = await workbench();
    let exited = false;
    void m.instance.waitUntilExit().then(() => (exited = true));
    await m.press('q');
    await expect.poll(() => exited).toBe(true);
  });

  it('follows a resize', async () => {
    await t.desk.post({ name: 'Jane Smith', text: 'a long message '.repeat(12) });
    const m = await workbench();
    await m.waitFor((f) => f.includes('Jane Smith'), 'listed');
    m.stdout.resize(120, 30);
    let frame = await m.waitFor((f) => lines(f).some((l) => l.length > 80), 'the wider frame');
    expect(lines(frame).length).toBeLessThanOrEqual(29);
    expect(Math.max(...lines(frame).map((l) => l.length))).toBeLessThanOrEqual(120);
    const before = m.stdout.frames.length;
    m.stdout.resize(50, 12);
    frame = await m.waitFor((f) => lines(f).every((l) => l.length <= 50), 'the narrower frame');
    expect(frame).toContain('Jane');
    // Not one frame after the resize is drawn for the old size.
    for (const f of m.stdout.frames.slice(before)) {
      expect(lines(f).length).toBeLessThanOrEqual(11);
      expect(Math.max(...lines(f).map((l) => l.length))).toBeLessThanOrEqual(50);
    }
  });

  it('never draws more than 23 lines or 80 columns in 80x24, whatever is open', async () => {
    for (let i = 0; i < 40; i++) await t.desk.post({ name: `Person ${i} with a rather long name indeed`, text: `message ${i} `.repeat(20), language: i % 3 === 0 ? 'cy' : 'en' });
    const m = await workbench({ token: t.desk.tokens.carys });
    await m.waitFor((f) => f.includes('40 waiting'), 'all listed');
    await m.press('n');
    await m.waitFor((f) => f.includes('You hold'), 'claimed');
    await m.press('G', 'g', 'j', 'j', 'k', 'k', '?', 'j', 'j', KEYS.esc, 'r', 'x'.repeat(200), KEYS.tab, 'j', KEYS.esc, KEYS.esc, '#', '12', KEYS.enter, KEYS.esc);
    await m.press('/', 'cy', KEYS.enter, 'a', 'note', KEYS.esc, 'q');
    await m.waitFor((f) => f.includes('Quit now?'), 'the quit question');
    expect(m.stdout.frames.length).toBeGreaterThan(20);
    for (const seen of ['Keys', 'Canned replies in Welsh', 'Tag a case number', '│ / cy', 'Internal note', 'Quit now?']) {
      expect(m.stdout.frames.some((f) => f.includes(seen))).toBe(true);
    }
    for (const frame of m.stdout.frames) {
      const l = lines(frame);
      expect(l.length).toBeLessThanOrEqual(23);
      for (const line of l) expect(line.length).toBeLessThanOrEqual(80);
    }
  });
});
