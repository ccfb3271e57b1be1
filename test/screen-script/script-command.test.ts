// `courtdesk script` in-process: the real workbench in a virtual terminal against a real broker,
// scripts passing and failing, and the broker's record checked behind the screen.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/script.js';
import type { Io } from '../../src/cli/script-io.js';
import { postEnquiry, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closedPort } from '../helpers/ports.js';

let t: TestBroker;
let dir: string;
beforeEach(async () => {
  t = await startTestBroker();
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-script-'));
});
afterEach(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes the script to DIR/NAME and runs `courtdesk script` on it in-process, as alice unless told. */
async function script(lines: string[], args: string[] = [], name = 'test.script'): Promise<Result> {
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (s) => void (stdout += s), err: (s) => void (stderr += s), env: { COURTDESK_CONFIG_DIR: dir } };
  const login = args.includes('--broker') ? [] : ['--broker', t.url, '--token', t.tokens.agent];
  const code = await run([file, ...login, ...args], io);
  return { code, stdout, stderr };
}

/** The framed screen a failure prints, as its rows. */
function screenRows(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^\s*\d+ \|/.test(l))
    .map((l) => l.replace(/^\s*\d+ \|/, '').replace(/\|$/, ''));
}

describe('courtdesk script', () => {
  it('plays a smoke script: take next, reply, tag, escalate — and the broker has them', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Jane Smith', text: 'When is the hearing for my claim?' });
    const result = await script([
      '# The enquiry is in the queue',
      'wait-for Jane Smith',
      'expect-line 1 alice',
      '',
      '# Take the longest-waiting enquiry',
      'press n',
      "wait-for You hold Jane Smith's enquiry",
      '',
      '# Reply',
      'press r',
      'wait-for Reply to Jane Smith',
      'type Thank you, we are checking with the court.',
      'expect > Thank you, we are checking with the court.',
      'press enter',
      'wait-for you: Thank you, we are checking with the court. [recorded; no callback]',
      '',
      '# Tag the case number',
      'press #',
      'type 305je126',
      'press enter',
      'wait-for Tagged 305JE126.',
      'expect Case numbers: 305JE126',
      'expect-not Nothing is waiting',
      '',
      '# Escalate to the court: search, template, the one detail missing, read the email, send',
      'press e',
      'wait-for 1 of 4: choose the court',
      'type leeds',
      'wait-for matching "leeds"',
      'press enter',
      'wait-for templates in English',
      'press 4',
      'wait-for › hearing date:',
      'type 14 May at 10am',
      'press enter',
      'wait-for 4 of 4: check the email and send it',
      'expect Subject: URGENT – hearing within 48 hours – case 305JE126',
      'press y',
      'wait-for Escalated to Leeds Combined Court Centre',
      'wait-for "[sent] Leeds Combined Court Centre"',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok +2 {2}wait-for Jane Smith/m);
    expect(result.stdout).toMatch(/^ok +23 {2}expect-not Nothing is waiting/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(`courtdesk script: ${join(dir, 'test.script')} passed (31 steps)`);

    const res = await t.get(`/v1/enquiries/${id}`, t.tokens.agent);
    expect(res.status).toBe(200);
    const enquiry = (await res.json()) as {
      claimedBy: string;
      caseNumbers: string[];
      messages: Array<{ author: string; text: string }>;
      escalations: Array<{ courtSlug: string; template: string; status: string; text: string }>;
    };
    expect(enquiry.claimedBy).toBe('alice');
    expect(enquiry.caseNumbers).toEqual(['305JE126']);
    expect(enquiry.messages.filter((m) => m.author === 'agent').map((m) => m.text)).toEqual(['Thank you, we are checking with the court.']);
    expect(enquiry.escalations).toMatchObject([{ courtSlug: 'leeds-combined-court-centre', template: 'urgent-hearing', status: 'sent' }]);
    expect(enquiry.escalations[0]!.text).toContain('14 May at 10am');
    // The default transport left the email in DATA/outbox.
    expect((await readdir(join(t.dataDir, 'outbox'))).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('fails an expect with exit 1, naming the step and its line, and prints the screen', async () => {
    await postEnquiry(t.url, t.tokens.intake, { name: 'Jane Smith', text: 'hello' });
    const result = await script(['wait-for Jane Smith', '# wrong on purpose', 'expect Tagged 305JE126', 'press n']);
    expect(result.code).toBe(1);
    const [first, second] = result.stderr.split('\n');
    expect(first).toBe(`courtdesk script: ${join(dir, 'test.script')}:3: expect Tagged 305JE126 — "Tagged 305JE126" is not on the screen`);
    expect(second).toBe('The screen (80x24) at that moment:');
    const rows = screenRows(result.stderr);
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.length === 80)).toBe(true);
    expect(rows[0]).toMatch(/^alice \(available\) │ connected │ 1 waiting/);
    expect(rows.some((r) => r.includes('Jane Smith'))).toBe(true);
    expect(result.stderr).toMatch(/^ {3}\+-{80}\+$/m);
    expect(result.stderr).toMatch(/^ 1 \|alice/m);
    expect(result.stderr).toMatch(/^24 \|/m);
    // Steps after the failure do not run: nothing was claimed.
    expect(result.stdout).toBe('ok   1  wait-for Jane Smith\n');
  });

  it('fails a wait-for that times out, with the screen', async () => {
    const result = await script(['wait-for Jane Smith'], ['--timeout-ms', '400']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`courtdesk script: ${join(dir, 'test.script')}:1: wait-for Jane Smith — "Jane Smith" did not appear within 400 ms`);
    expect(screenRows(result.stderr)[0]).toMatch(/^alice \(available\) │ connected │ 0 waiting/);
  });

  it('refuses a script it cannot parse with exit 2 and the lines, before connecting', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await script(['press n', 'click r', 'press entr', 'type', 'expect-line 25 x'], ['--broker', url, '--token', t.tokens.agent], 'bad.script');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const file = join(dir, 'bad.script');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `courtdesk script: ${file}:2: unknown step "click"; the steps are press, type, wait-for, expect, expect-not, expect-line, sleep, snapshot (and # for a comment)`,
      expect.stringMatching(new RegExp(`^courtdesk script: ${file}:3: unknown key "entr"; keys are enter, `)),
      `courtdesk script: ${file}:4: type needs the text; write \`type TEXT\``,
      `courtdesk script: ${file}:5: expect-line 25 is below the screen, which has 24 lines (--size COLSxROWS makes it taller)`,
    ]);
  });

  it('writes snapshots next to the script, or into --snapshots DIR', async () => {
    await postEnquiry(t.url, t.tokens.intake, { name: 'Jane Smith', text: 'hello' });
    expect((await script(['wait-for Jane Smith', 'snapshot screens/queue'])).code).toBe(0);
    const shot = await readFile(join(dir, 'screens', 'queue.txt'), 'utf8');
    const lines = shot.split('\n');
    expect(lines).toHaveLength(25);
    expect(lines[24]).toBe('');
    expect(lines[0]).toMatch(/^alice \(available\) │ connected │ 1 waiting/);
    expect(shot).toContain('Jane Smith');

    const elsewhere = join(dir, 'elsewhere');
    expect((await script(['wait-for Jane Smith', 'snapshot queue.screen'], ['--snapshots', elsewhere])).code).toBe(0);
    expect(await readFile(join(elsewhere, 'queue.screen'), 'utf8')).toContain('Jane Smith');
  });

  it('draws at the size given with --size', async () => {
    await postEnquiry(t.url, t.tokens.intake, { name: 'Jane Smith', text: 'hello' });
    const wide = await script(['wait-for Jane Smith', 'snapshot wide', 'expect-line 30 nothing'], ['--size', '100x30']);
    expect(wide.code).toBe(1);
    const rows = screenRows(wide.stderr);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.length === 100)).toBe(true);
    const lines = (await readFile(join(dir, 'wide.txt'), 'utf8')).split('\n').slice(0, -1);
    expect(lines).toHaveLength(30);
    expect(lines).toContain('─'.repeat(100));

    await script(['wait-for Jane Smith', 'snapshot narrow']);
    const narrow = (await readFile(join(dir, 'narrow.txt'), 'utf8')).split('\n').slice(0, -1);
    expect(narrow).toHaveLength(24);
    expect(narrow).toContain('─'.repeat(80));
    expect(Math.max(...narrow.map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('exits 3 with one line when the broker cannot be reached, 4 when it rejects the token', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const down = await script(['wait-for waiting'], ['--broker', url, '--token', t.tokens.agent]);
    expect(down).toEqual({ code: 3, stdout: '', stderr: `courtdesk script: cannot reach the broker at ${url}: ECONNREFUSED — is it running? start it with courtdesk broker\n` });
    const wrong = await script(['wait-for waiting'], ['--broker', t.url, '--token', 'cdt_wrong']);
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(new RegExp(`^courtdesk script: the broker at ${t.url} rejected the token: [^\\n]*\\n$`));
  });

  it('exits 2 for bad usage: no file, a missing file, a bad size, no broker configured', async () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      const value: Io = { out: (s) => void (out.stdout += s), err: (s) => void (out.stderr += s), env: { COURTDESK_CONFIG_DIR: dir } };
      return { out, io: value };
    };
    const a = io();
    expect(await run([], a.io)).toBe(2);
    expect(a.out.stderr).toBe('courtdesk script: missing FILE; usage: courtdesk script FILE [--broker URL --token T] [--size 80x24] [--timeout-ms N] [--snapshots DIR]\n');
    const b = io();
    expect(await run([join(dir, 'nope.script')], b.io)).toBe(2);
    expect(b.out.stderr).toBe(`courtdesk script: cannot read ${join(dir, 'nope.script')}: ENOENT\n`);
    const c = io();
    expect(await run(['x.script', '--size', '80by24'], c.io)).toBe(2);
    expect(c.out.stderr).toBe('courtdesk script: --size must be COLSxROWS, like 80x24 or 100x30, each from 2 to 1000 (got "80by24").\n');
    await writeFile(join(dir, 'ok.script'), 'wait-for waiting\n');
    const d = io();
    expect(await run([join(dir, 'ok.script')], d.io)).toBe(2);
    expect(d.out.stderr).toMatch(/^courtdesk script: [^\n]*broker[^\n]*\n$/);
    const e = io();
    expect(await run(['--help'], e.io)).toBe(0);
    expect(e.out.stdout).toMatch(/^usage: courtdesk script FILE/);
  });
});
