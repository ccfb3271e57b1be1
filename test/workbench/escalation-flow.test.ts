// Escalating from the workbench against a real broker: the dialog end to end, Esc at every step,
// Welsh templates, the court used before listed first, chasing and recording the court's answer,
// refusals, and the frame kept within 80x24 throughout.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deskPerTest, KEYS, takeNext, type Mounted } from './harness.js';

const t = deskPerTest();
const { workbench } = t;

const lines = (frame: string) => frame.split('\n');
const LEEDS = 'leeds-combined-court-centre';

/** Presses the digit the template list gives `name`. */
async function chooseTemplate(m: Mounted, name: string): Promise<void> {
  const pattern = new RegExp(`(\\d)\\. ${name}\\b`);
  const frame = await m.waitFor((f) => f.includes('2 of 4') && pattern.test(f) && !f.includes('Loading the templates'), `the ${name} template listed`);
  await m.press(pattern.exec(frame)![1]!);
}

async function outboxFiles(): Promise<string[]> {
  return (await readdir(join(t.desk.dir, 'outbox')).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
}

describe('the escalation dialog', () => {
  it('picks a court by typing, a template, fills what is missing, previews the email in full and sends it', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'My hearing is the day after tomorrow and I have heard nothing.' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');

    await m.press('e');
    await m.waitFor((f) => f.includes("Escalate Jane Smith's enquiry to a court │ 1 of 4: choose the court"), 'step 1');
    await m.press('bris');
    let frame = await m.waitFor((f) => /^› Bristol Civil and Family Justice Centre +none unanswered$/m.test(f) && f.includes('matching "bris"'), 'Bristol found');
    expect(frame).toMatch(/^Court: bris/m);
    await m.press(KEYS.enter);

    await chooseTemplate(m, 'urgent-hearing');
    // Nothing is tagged yet: the template's case number is asked for (and tagged), then its hearing date.
    frame = await m.waitFor((f) => f.includes('3 of 4') && f.includes('› case number:'), 'the case number asked for');
    expect(frame).toMatch(/^To: Bristol Civil and Family Justice Centre$/m);
    await m.press('305je126', KEYS.enter);
    await m.waitFor((f) => f.includes('› hearing date:') && f.includes('case numbers: 305JE126'), 'the hearing date asked for');
    await m.press('Thursday 14 May at 10am', KEYS.enter);

    frame = await m.waitFor((f) => f.includes('4 of 4: check the email and send it'), 'the preview');
    expect(frame).toMatch(/^To: Bristol Civil and Family Justice Centre\n {4}<enquiries\.bristol\.countycourt@justice\.gov\.uk>$/m);
    expect(frame).toContain(`Subject: URGENT – hearing within 48 hours – case 305JE126 – our ref ${id}`);
    expect(frame).toContain('Urgent: hearing on Thursday 14 May at 10am');
    expect(frame).toMatch(/Lines 1-\d+ of \d+: j\/k or PgUp\/PgDn/);
    // The email is longer than the screen: scroll to its end.
    await m.press('G');
    frame = await m.waitFor((f) => /Lines \d+-(\d+) of \1:/.test(f), 'the end of the email');
    expect(frame).toContain('Courts and Tribunals Service Centre');
    await m.press('g');
    await m.waitFor((f) => f.includes('Lines 1-'), 'back at the top');

    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('Escalated to Bristol Civil and Family Justice Centre') && f.includes('n next'), 'the dialog closed with the outcome');
    const enquiry = await t.desk.get(id);
    expect(enquiry.caseNumbers).toEqual(['305JE126']);
    expect(enquiry.escalations).toHaveLength(1);
    expect(enquiry.escalations[0]).toMatchObject({ courtSlug: 'bristol-civil-and-family-justice-centre', template: 'urgent-hearing', language: 'en' });
    expect(enquiry.escalations[0].text).toContain('Thursday 14 May at 10am');
    // The default transport writes the email to DATA/outbox, and the pane follows it to "sent".
    await expect.poll(outboxFiles, { timeout: 10_000 }).toHaveLength(1);
    const eml = await readFile(join(t.desk.dir, 'outbox', (await outboxFiles())[0]!), 'utf8');
    expect(eml).toMatch(/^To: enquiries\.bristol\.countycourt@justice\.gov\.uk/m);
    expect(eml).toContain(id);
    frame = await m.waitFor((f) => /↗ \[sent\] Bristol Civil and Family Justice Centre, sent \d+s ago, chase due \d+ \w{3}/.test(f), 'the escalation in the pane');

    for (const f of m.stdout.frames) {
      expect(lines(f).length).toBeLessThanOrEqual(23);
      for (const line of lines(f)) expect(line.length).toBeLessThanOrEqual(80);
    }
    expect(m.stdout.frames.some((f) => f.includes('2 of 4'))).toBe(true);
  });

  it('backs out one step with Esc at every step, and closes from the first', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('e', 'leeds');
    await m.waitFor((f) => /^› Leeds Combined Court Centre/m.test(f) && f.includes('matching "leeds"'), 'Leeds found');
    await m.press(KEYS.enter);
    await m.waitFor((f) => f.includes('2 of 4') && f.includes('To: Leeds Combined Court Centre'), 'step 2');
    // Step 2 → step 1, with the search kept.
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('1 of 4') && /^Court: leeds/m.test(f), 'back at step 1');
    await m.press(KEYS.enter);
    await chooseTemplate(m, 'urgent-hearing');
    await m.waitFor((f) => f.includes('3 of 4') && f.includes('› case number:'), 'step 3');
    // Step 3 → step 2.
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('2 of 4') && f.includes('Tab: Welsh'), 'back at step 2');
    // A template that needs nothing more goes straight to the preview; Esc from there → step 2.
    await chooseTemplate(m, 'general');
    await m.waitFor((f) => f.includes('4 of 4') && f.includes('Subject: Enquiry from a court user'), 'the preview');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('2 of 4'), 'back at step 2 from the preview');
    // With fields: preview → the last field, → step 2 → step 1 → closed.
    await chooseTemplate(m, 'urgent-hearing');
    await m.waitFor((f) => f.includes('› case number:'), 'the case number asked for');
    await m.press('305JE126', KEYS.enter);
    await m.waitFor((f) => f.includes('› hearing date:'), 'the hearing date asked for');
    await m.press('tomorrow', KEYS.enter);
    await m.waitFor((f) => f.includes('4 of 4'), 'the preview');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('3 of 4') && f.includes('› hearing date: tomorrow'), 'back at the last field');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('2 of 4'), 'step 2');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('1 of 4'), 'step 1');
    await m.press(KEYS.esc);
    await m.waitFor((f) => !f.includes('of 4') && f.includes('n next'), 'closed');
    expect((await t.desk.get(id)).escalations).toEqual([]);
  });

  it('offers a Welsh enquiry the Welsh templates, and English ones on Tab', async () => {
    await t.desk.post({ name: 'Dafydd Jones', text: 'Pryd mae fy ngwrandawiad?', language: 'cy' });
    const m = await workbench({ token: t.desk.tokens.carys });
    await takeNext(m, 'Dafydd Jones');
    await m.press('e', 'cardiff');
    await m.waitFor((f) => /^› Cardiff Civil and Family Justice Centre/m.test(f) && f.includes('matching "cardiff"'), 'Cardiff found');
    await m.press(KEYS.enter);
    let frame = await m.waitFor((f) => f.includes("templates in Welsh, the enquiry's language"), 'Welsh templates');
    expect(frame).toContain('Unrhyw ymholiad arall');
    expect(frame).not.toContain('Any other enquiry');
    expect(frame).not.toMatch(/\d\. chase\b/);
    await m.press(KEYS.tab);
    frame = await m.waitFor((f) => f.includes('templates in English. Tab: Welsh'), 'English on Tab');
    expect(frame).toContain('Any other enquiry');
    await m.press(KEYS.tab);
    await chooseTemplate(m, 'general');
    frame = await m.waitFor((f) => f.includes('4 of 4'), 'the Welsh preview');
    expect(frame).toContain('Subject: Ymholiad gan ddefnyddiwr llys');
    expect(frame).toContain('Annwyl gydweithwyr yn Canolfan Cyfiawnder Sifil a Theulu Caerdydd');
  });

  it('lists the court already emailed first, with its unanswered count, and says this enquiry was emailed', async () => {
    const other = await t.desk.post({ name: 'Earlier Person', text: 'hello', from: 'earlier@example.org' });
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello again' });
    const sam = await t.desk.other(t.desk.tokens.sam);
    for (const enquiryId of [other, id]) {
      const o = await sam.send({ type: 'escalate', enquiryId, courtSlug: LEEDS, template: 'general' });
      expect(o.ok).toBe(true);
    }
    const m = await workbench();
    await m.press('j');
    await m.waitFor((f) => lines(f).some((l) => l.startsWith('›') && l.includes('Jane Smith')), 'Jane selected');
    await m.press('c');
    await m.waitFor((f) => f.includes("You hold Jane Smith's enquiry"), 'claimed');
    await m.press('e');
    const frame = await m.waitFor((f) => f.includes('1 of 4') && f.includes('courts.'), 'the court list');
    const rows = lines(frame);
    expect(rows[1]).toBe('Already emailed about this enquiry once:');
    expect(rows[2]).toMatch(/^ {2}↗ \[(queued|sent)\] Leeds Combined Court Centre/);
    const first = rows.findIndex((l) => l.startsWith('› '));
    expect(rows[first]).toMatch(/^› Leeds Combined Court Centre +used here │ 2 unanswered, oldest \d+ \w{3}$/);
    // The directory continues after it in its own order, Leeds not repeated.
    expect(rows[first + 1]).toMatch(/^ {2}Birmingham Civil and Family Justice Centre +none unanswered$/);
    expect(rows.filter((l) => l.includes('Leeds Combined Court Centre'))).toHaveLength(2);
  });
});

describe('chasing and answers', () => {
  it('C chases the oldest unanswered escalation after saying how often it was chased; A records the court\'s answer', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('C');
    await m.waitFor((f) => f.includes('C (chase): it has not been escalated (e escalates).'), 'nothing to chase');
    const sam = await t.desk.other(t.desk.tokens.sam);
    expect((await sam.send({ type: 'escalate', enquiryId: id, courtSlug: LEEDS, template: 'general' })).ok).toBe(true);
    await m.waitFor((f) => /↗ \[sent\] Leeds Combined Court Centre, sent/.test(f), 'the escalation sent');

    await m.press('C');
    let frame = await m.waitFor((f) => f.includes('Chase Leeds Combined Court Centre'), 'the chase question');
    expect(frame).toMatch(/Sent \d+ \w{3}, not chased yet; a chase is due \d+ \w{3}\./);
    expect(frame).toContain('y send the chase  n cancel');
    await m.press('n');
    await m.waitFor((f) => !f.includes('Chase Leeds') && f.includes('n next'), 'not chased');
    expect((await t.desk.get(id)).escalations).toHaveLength(1);

    await m.press('C', 'y');
    await m.waitFor((f) => f.includes('Chase sent to Leeds Combined Court Centre'), 'chased');
    frame = await m.waitFor((f) => /↗ \[chased\] Leeds Comb.*…, sent \d+s ago, chased once \d+s ago, chase due \d+ \w{3}$/m.test(f), 'the chase in the pane');
    let enquiry = await t.desk.get(id);
    expect(enquiry.escalations).toHaveLength(2);
    expect(enquiry.escalations[1]).toMatchObject({ template: 'chase', chaseOf: enquiry.escalations[0].id });
    await m.press('C');
    await m.waitFor((f) => f.includes('chased once already'), 'the count quoted');
    await m.press(KEYS.esc);

    await m.press('A');
    frame = await m.waitFor((f) => f.includes("The court's answer to"), 'the answer editor');
    await m.press('Listed for 14 May at 10am.', KEYS.enter);
    await m.waitFor((f) => f.includes("Recorded Leeds Combined Court Centre's answer."), 'recorded');
    frame = await m.waitFor((f) => f.includes('court: Listed for 14 May at 10am.') && /↗ \[answered\] Leeds Combined Court Centre, answered/.test(f), 'the answer in the pane');
    enquiry = await t.desk.get(id);
    expect(enquiry.escalations.map((x: { status: string }) => x.status)).toEqual(['answered', 'answered']);
    await m.press('A');
    await m.waitFor((f) => f.includes('A (answer): no escalation of it is waiting for the court.'), 'nothing left to answer');
    // Both keys are in the help, from the same table that dispatches them.
    await m.press('?');
    frame = await m.waitFor((f) => f.startsWith('Keys'), 'the help');
    expect(frame).toMatch(/^C +chase the oldest escalation the court has not answered \(asks first\)/m);
    expect(frame).toMatch(/^A +record the court's answer to an escalation \(not now: no escalation of/m);
    for (const f of m.stdout.frames) expect(lines(f).length).toBeLessThanOrEqual(23);
  });

  it('A asks which escalation when several wait', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const sam = await t.desk.other(t.desk.tokens.sam);
    for (const courtSlug of [LEEDS, 'bristol-civil-and-family-justice-centre']) {
      expect((await sam.send({ type: 'escalate', enquiryId: id, courtSlug, template: 'general' })).ok).toBe(true);
    }
    const m = await workbench();
    await takeNext(m, 'Jane Smith');
    await m.press('A');
    await m.waitFor((f) => f.includes('Which escalation did the court answer?') && f.includes('2. Bristol Civil and Family Justice Centre'), 'the choice');
    await m.press('2');
    await m.waitFor((f) => f.includes("The court's answer to Bristol Civil and Family Justice Centre"), 'the editor for Bristol');
    await m.press(KEYS.esc);
    await m.waitFor((f) => f.includes('Which escalation'), 'back to the choice');
    await m.press(KEYS.up, KEYS.enter, 'We have the form.', KEYS.enter);
    await m.waitFor((f) => f.includes("Recorded Leeds Combined Court Centre's answer."), 'recorded for Leeds');
    const statuses = (await t.desk.get(id)).escalations.map((x: { courtSlug: string; status: string }) => `${x.courtSlug}:${x.status}`);
    expect(statuses).toEqual([`${LEEDS}:answered`, expect.stringMatching(/^bristol-civil-and-family-justice-centre:(queued|sent)$/)]);
  });
});

describe('refusals', () => {
  it('e on an enquiry not held says so; a refusal at sending is shown in the dialog with its reason', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'hello' });
    const m = await workbench();
    await m.waitFor((f) => f.includes('Jane Smith'), 'listed');
    await m.press('e');
    await m.waitFor((f) => f.includes('e (escalate): claim it first: press c.'), 'not held');

    await m.press('c');
    await m.waitFor((f) => f.includes("You hold Jane Smith's enquiry"), 'claimed');
    await m.press('e', 'leeds');
    await m.waitFor((f) => f.includes('matching "leeds"'), 'Leeds found');
    await m.press(KEYS.enter);
    await chooseTemplate(m, 'general');
    await m.waitFor((f) => f.includes('4 of 4'), 'the preview');
    // A supervisor hands the enquiry to bob while alice reads the email.
    const sam = await t.desk.other(t.desk.tokens.sam);
    expect((await sam.send({ type: 'transfer', enquiryId: id, toAgent: 'bob' })).ok).toBe(true);
    await m.press('y');
    const frame = await m.waitFor((f) => f.includes(`Enquiry ${id} is held by bob. This is an agent token,`), 'the refusal');
    expect(frame).toContain('4 of 4');
    expect((await t.desk.get(id)).escalations).toEqual([]);
    await m.press(KEYS.esc, KEYS.esc, KEYS.esc);
    await m.waitFor((f) => !f.includes('of 4'), 'closed');
    await m.press('C');
    await m.waitFor((f) => f.includes('C (chase): bob holds it.'), 'chase refused too');
  });
});
