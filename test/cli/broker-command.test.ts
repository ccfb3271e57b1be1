// The scripted commands run in-process against a real broker on port 0: their output (JSON parsed
// and checked, and the text lines), and their failures — one line on stderr and the exit code
// a CI job branches on.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveLogin } from '../../src/cli/config.js';
import type { Io } from '../../src/cli/script-io.js';
import { run as queue } from '../../src/cli/commands/queue.js';
import { run as show } from '../../src/cli/commands/show.js';
import { run as claim } from '../../src/cli/commands/claim.js';
import { run as release } from '../../src/cli/commands/release.js';
import { run as reply } from '../../src/cli/commands/reply.js';
import { run as tag } from '../../src/cli/commands/tag.js';
import { run as untag } from '../../src/cli/commands/untag.js';
import { run as note } from '../../src/cli/commands/note.js';
import { run as close } from '../../src/cli/commands/close.js';
import { run as reopen } from '../../src/cli/commands/reopen.js';
import { run as send } from '../../src/cli/commands/send.js';
import { run as escalate } from '../../src/cli/commands/escalate.js';
import { run as chase } from '../../src/cli/commands/chase.js';
import { run as answer } from '../../src/cli/commands/answer.js';
import { run as transfer } from '../../src/cli/commands/transfer.js';
import { postEnquiry, startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closedPort } from '../helpers/ports.js';

const COMMANDS = { queue, show, claim, release, reply, tag, untag, note, close, reopen, send, escalate, chase, answer, transfer };
type Name = keyof typeof COMMANDS;
const BIRMINGHAM = 'birmingham-civil-and-family-justice-centre';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let configDir: string;
let t: TestBroker;

/** Runs `courtdesk NAME ...argv` in-process with its output captured and a private config folder. */
async function cli(name: Name, argv: string[], env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    env: { COURTDESK_CONFIG_DIR: configDir, ...env },
  };
  const code = await COMMANDS[name](argv, io);
  return { code, stdout, stderr };
}

/** As alice (or the token given), against the test broker. */
function as(token: string): string[] {
  return ['--broker', t.url, '--token', token];
}

function json(result: Result): any {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** A failure: the exit code, nothing on stdout, and exactly one line on stderr (returned). */
function failed(result: Result, code: number): string {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  return result.stderr.trimEnd();
}

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'courtdesk-config-'));
  t = await startTestBroker({ deliveryBaseDelayMs: 20 });
});
afterEach(async () => {
  await t.close();
  await rm(configDir, { recursive: true, force: true });
});

describe('queue and show', () => {
  it('lists the queue in rank order, as JSON summaries and as one line per enquiry', async () => {
    const first = await postEnquiry(t.url, t.tokens.intake, { name: 'Dee Jones', text: 'When is my hearing? I have heard nothing.' });
    const second = await postEnquiry(t.url, t.tokens.intake, { channel: 'sms', from: '+447700900123', text: 'Has the court got my defence?' });

    const queue = json(await cli('queue', ['--json', ...as(t.tokens.agent)]));
    expect(queue.map((e: { id: string }) => e.id)).toEqual([first, second]);
    expect(queue[0]).toMatchObject({ id: first, status: 'waiting', channel: 'web', name: 'Dee Jones', language: 'en', claimedBy: null, caseNumbers: [], escalations: [] });
    expect(queue[0].waitSeconds).toBeGreaterThanOrEqual(0);
    expect(queue[0]).not.toHaveProperty('messages');

    const text = await cli('queue', as(t.tokens.agent));
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${first}\\s+0:\\d\\d\\s+WEB\\s+en\\s+Dee Jones\\s+-\\s+When is my hearing\\?`));
    expect(lines[1]).toMatch(new RegExp(`^${second}\\s+0:\\d\\d\\s+SMS\\s+en\\s+\\+447700900123\\s+-\\s+Has the court got my defence\\?`));
  });

  it('says so when the queue is empty', async () => {
    expect(await cli('queue', as(t.tokens.agent))).toEqual({ code: 0, stdout: 'The queue is empty.\n', stderr: '' });
    expect(json(await cli('queue', ['--json', ...as(t.tokens.agent)]))).toEqual([]);
  });

  it('shows a whole enquiry: conversation with authors, tags, and notes', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Dee Jones', text: 'When is my hearing?\nClaim 305JE126.' });
    const alice = as(t.tokens.agent);
    await cli('claim', [id, ...alice]);
    await cli('reply', [id, '--text', 'I will ask the court for you.', ...alice]);
    await cli('note', [id, '--text', 'Called the customer back.', ...alice]);
    await cli('tag', [id, '305je126', ...alice]);

    const enquiry = json(await cli('show', [id, '--json', ...alice]));
    expect(enquiry).toMatchObject({ id, status: 'awaiting-customer', claimedBy: 'alice', caseNumbers: ['305JE126'] });
    expect(enquiry.messages.map((m: { author: string; text: string }) => [m.author, m.text])).toEqual([
      ['customer', 'When is my hearing?\nClaim 305JE126.'],
      ['agent', 'I will ask the court for you.'],
      ['note', 'Called the customer back.'],
    ]);

    const text = await cli('show', [id, ...alice]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${id}  awaiting-customer  web form  en  Dee Jones <user@example.org>  held by alice`);
    expect(lines[1]).toBe('case numbers: 305JE126');
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/^\d\d:\d\d {2}Dee Jones: When is my hearing\?$/),
      '       Claim 305JE126.',
      expect.stringMatching(/^\d\d:\d\d {2}alice \((recorded; no callback|sending|delivered)\): I will ask the court for you\.$/),
      expect.stringMatching(/^\d\d:\d\d {2}note by alice: Called the customer back\.$/),
    ]);
  });

  it('strips terminal escapes from what court users wrote before printing text', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Evil\u001b[2J Name', text: 'Hello\u001b]0;pwned\u0007 there' });
    const shown = await cli('show', [id, ...as(t.tokens.agent)]);
    const queue = await cli('queue', as(t.tokens.agent));
    for (const out of [shown.stdout, queue.stdout]) {
      expect(out).not.toContain('\u001b');
      expect(out).toContain('Evil Name');
    }
    expect(shown.stdout).toContain('Hello there');
  });
});

describe('enquiry commands', () => {
  it('claim, reply, tag, untag, note, release, close and reopen print the ack and the enquiry', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Dee Jones' });
    const alice = as(t.tokens.agent);

    const claimed = json(await cli('claim', [id, '--json', ...alice]));
    expect(claimed).toMatchObject({ ok: true, seq: expect.any(Number), enquiry: { id, claimedBy: 'alice', status: 'waiting' } });
    // Claiming what you hold changes nothing: seq null.
    expect(json(await cli('claim', [id, '--json', ...alice]))).toMatchObject({ ok: true, seq: null, enquiry: { claimedBy: 'alice' } });

    const replied = json(await cli('reply', [id, '--text', 'Your hearing is on 3 March.', '--json', ...alice]));
    expect(replied.seq).toBeGreaterThan(claimed.seq);
    expect(replied.enquiry).toMatchObject({ status: 'awaiting-customer', messageCount: 2 });

    expect(json(await cli('tag', [id, '305je126', '--json', ...alice])).enquiry.caseNumbers).toEqual(['305JE126']);
    expect(json(await cli('tag', [id, '1712-3456-7890-1238', '--json', ...alice])).enquiry.caseNumbers).toEqual(['305JE126', '1712345678901238']);
    expect(json(await cli('untag', [id, '305JE126', '--json', ...alice])).enquiry.caseNumbers).toEqual(['1712345678901238']);
    expect(json(await cli('note', [id, '--text', 'Checked with the listing office.', '--json', ...alice])).enquiry.messageCount).toBe(3);
    expect(json(await cli('release', [id, '--json', ...alice])).enquiry.claimedBy).toBeNull();
    await cli('claim', [id, ...alice]);
    expect(json(await cli('close', [id, '--json', ...alice])).enquiry).toMatchObject({ status: 'closed', claimedBy: null });
    expect(json(await cli('reopen', [id, '--json', ...alice])).enquiry.status).not.toBe('closed');
  });

  it('transfer: an agent hands on what they hold; one who does not hold it is refused; a supervisor may transfer any', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const alice = ['--broker', t.url, '--token', t.tokens.agent];
    const bob = ['--broker', t.url, '--token', t.tokens.agent2];
    const sam = ['--broker', t.url, '--token', t.tokens.supervisor];
    await cli('claim', [id, ...alice]);
    expect(json(await cli('transfer', [id, '--to', 'bob', '--json', ...alice])).enquiry.claimedBy).toBe('bob');
    const refused = await cli('transfer', [id, '--to', 'carys', ...alice]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^courtdesk transfer: (NOT_HOLDER|FORBIDDEN): /);
    expect((await cli('transfer', [id, '--to', 'carys', ...sam])).stdout).toBe(`transferred ${id} to carys\n`);
    expect((await cli('transfer', [id, ...bob])).code).toBe(2);
  });

  it('prints one line per command in text mode', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const alice = as(t.tokens.agent);
    const lines: Array<[Name, string[], string]> = [
      ['claim', [id], `claimed ${id}`],
      ['claim', [id], `claimed ${id} (you already held it)`],
      ['reply', [id, '--text', 'On it.'], `replied to ${id}`],
      ['tag', [id, '305je126'], `tagged ${id} with 305JE126 (County Court civil claim number)`],
      ['tag', [id, 'ab12cd34'], `tagged ${id} with AB12CD34 (unverified format: 8 letters and digits — check it against the claim papers)`],
      ['untag', [id, 'ab12cd34'], `untagged AB12CD34 from ${id}`],
      ['note', [id, '--text', 'x'], `noted on ${id}`],
      ['release', [id], `released ${id}`],
      ['claim', [id], `claimed ${id}`],
      ['close', [id], `closed ${id}`],
      ['reopen', [id], `reopened ${id}`],
    ];
    for (const [name, argv, line] of lines) {
      expect(await cli(name, [...argv, ...alice])).toEqual({ code: 0, stdout: `${line}\n`, stderr: '' });
    }
  });

  it('claim --next takes the enquiry the broker’s ranking rule gives the agent', async () => {
    const welsh = await postEnquiry(t.url, t.tokens.intake, { text: 'Bore da, pryd mae fy ngwrandawiad?', language: 'cy' });
    const first = await postEnquiry(t.url, t.tokens.intake, { from: 'a@example.org' });
    const second = await postEnquiry(t.url, t.tokens.intake, { from: 'b@example.org' });

    expect(await cli('claim', ['--next', ...as(t.tokens.agent)])).toEqual({ code: 0, stdout: `${first}\n`, stderr: '' });
    const bob = json(await cli('claim', ['--next', '--json', ...as(t.tokens.agent2)]));
    expect(bob).toMatchObject({ ok: true, seq: expect.any(Number), enquiry: { id: second, claimedBy: 'bob' } });
    // Only Welsh is left, and alice works in English only.
    expect(failed(await cli('claim', ['--next', ...as(t.tokens.agent)]), 1)).toBe(
      'courtdesk claim: NOTHING_WAITING: Nothing waiting for you now; 1 enquiry waits for speakers of another language first.',
    );
    expect(await cli('claim', ['--next', ...as(t.tokens.welsh)])).toEqual({ code: 0, stdout: `${welsh}\n`, stderr: '' });
  });
});

describe('refusals and failures', () => {
  it('an unknown enquiry is refused with exit 1 and the broker’s code', async () => {
    for (const [name, argv] of [
      ['show', ['E404NOPE']],
      ['claim', ['E404NOPE']],
      ['reply', ['E404NOPE', '--text', 'hello']],
      ['close', ['E404NOPE']],
    ] as Array<[Name, string[]]>) {
      expect(failed(await cli(name, [...argv, ...as(t.tokens.agent)]), 1)).toMatch(new RegExp(`^courtdesk ${name}: NOT_FOUND: There is no enquiry E404NOPE`));
    }
  });

  it('a claim lost to another agent exits 1 with ALREADY_CLAIMED', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    json(await cli('claim', [id, '--json', ...as(t.tokens.agent2)]));
    const line = failed(await cli('claim', [id, ...as(t.tokens.agent)]), 1);
    expect(line).toMatch(new RegExp(`^courtdesk claim: ALREADY_CLAIMED: Enquiry ${id} is already held by bob`));
    // And what only the holder may do is refused too.
    expect(failed(await cli('reply', [id, '--text', 'hi', ...as(t.tokens.agent)]), 1)).toMatch(/^courtdesk reply: NOT_HOLDER: /);
  });

  it('an unreachable broker exits 3 at once, saying how to start it', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const [name, argv] of [
      ['queue', []],
      ['claim', ['E1']],
      ['send', ['--text', 'hello']],
    ] as Array<[Name, string[]]>) {
      const line = failed(await cli(name, [...argv, '--broker', url, '--token', t.tokens.agent]), 3);
      expect(line).toBe(`courtdesk ${name}: cannot reach the broker at ${url}: ECONNREFUSED — is it running? start it with courtdesk broker`);
    }
  });

  it('a broker that never answers fails after --timeout-ms with exit 3', async () => {
    // Accepts connections and says nothing: a hung proxy or a wedged process.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const line = failed(await cli('queue', ['--broker', url, '--token', 'cdt_x', '--timeout-ms', '300']), 3);
      expect(line).toBe(`courtdesk queue: no welcome from the broker at ${url} within 0.3 s — check the URL and that the broker is running (courtdesk broker), or raise --timeout-ms`);
      const sent = failed(await cli('send', ['--text', 'hi', '--broker', url, '--token', 'cdt_x', '--timeout-ms', '300']), 3);
      expect(sent).toContain(`the broker at ${url} did not answer within 0.3 s`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a rejected token exits 4 with the fix', async () => {
    const line = failed(await cli('queue', ['--broker', t.url, '--token', 'cdt_not_a_real_token']), 4);
    expect(line).toMatch(new RegExp(`^courtdesk queue: the broker at ${t.url} rejected the token: .*HTTP 401.* — pass the right one with --token or COURTDESK_TOKEN`));
    // An intake token is not an agent's.
    expect(failed(await cli('queue', as(t.tokens.intake)), 4)).toMatch(/HTTP 403.*This is an intake token, which may not open the agent websocket/);
    // And send wants an intake token, not an agent's or a wrong one.
    expect(failed(await cli('send', ['--text', 'hi', '--broker', t.url, '--token', 'cdt_wrong']), 4)).toMatch(/rejected the intake token \(UNAUTHORIZED\)/);
    expect(failed(await cli('send', ['--text', 'hi', ...as(t.tokens.agent)]), 4)).toMatch(/^courtdesk send: FORBIDDEN: This is an agent token, which may not post a new enquiry; only intake tokens may/);
  });

  it('bad usage exits 2 and says what to do', async () => {
    const alice = as(t.tokens.agent);
    const cases: Array<[Name, string[], RegExp]> = [
      ['queue', ['--frobnicate', ...alice], /unknown option --frobnicate\. Run `courtdesk queue --help`/],
      ['queue', ['extra', ...alice], /unexpected argument "extra"/],
      ['show', alice, /missing ENQUIRY; usage: courtdesk show ENQUIRY/],
      ['tag', ['E1', ...alice], /missing CASE; usage: courtdesk tag ENQUIRY CASE/],
      ['tag', ['E1', '12345', ...alice], /^courtdesk tag: .*305JE126/],
      ['reply', ['E1', ...alice], /--text is required; usage: courtdesk reply ENQUIRY --text T/],
      ['reply', ['E1', '--text', '  ', ...alice], /--text is empty/],
      ['claim', alice, /name the enquiry, or pass --next/],
      ['claim', ['E1', '--next', ...alice], /not both/],
      ['queue', ['--timeout-ms', 'soon', ...alice], /--timeout-ms must be a whole number/],
      ['queue', ['--broker', 'localhost:7340', '--token', 'x'], /must start with http:\/\/.*did you mean http:\/\/localhost:7340/],
      ['send', ['--broker', t.url, '--token', t.tokens.intake], /--text is required/],
      ['send', ['--text', 'hi', '--channel', 'fax', '--broker', t.url, '--token', t.tokens.intake], /--channel must be one of whatsapp, sms, web, email, api/],
      ['send', ['--text', 'hi', '--broker', t.url], /send needs an intake token/],
      ['escalate', ['E1', '--template', 'general', ...alice], /--court SLUG is required/],
      ['escalate', ['E1', '--court', BIRMINGHAM, '--template', 'general', '--field', 'novalue', ...alice], /--field wants NAME=VALUE/],
      ['escalate', ['E1', '--court', BIRMINGHAM, '--template', 'general', '--language', 'fr', ...alice], /--language must be en or cy/],
      ['chase', ['E1', ...alice], /missing ESCALATION/],
      ['answer', ['E1', 'X1', ...alice], /--text is required/],
      // No broker anywhere: not on the command line, not in the environment, not saved.
      ['queue', [], /No broker URL\. Log in once with `courtdesk login --broker URL --token T`/],
    ];
    for (const [name, argv, message] of cases) {
      const line = failed(await cli(name, argv), 2);
      expect(line, `${name} ${argv.join(' ')}`).toMatch(message);
      expect(line.startsWith(`courtdesk ${name}: `)).toBe(true);
    }
  });

  it('every command has --help, exit 0', async () => {
    for (const name of Object.keys(COMMANDS) as Name[]) {
      const result = await cli(name, ['--help']);
      expect(result.code, name).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^usage: courtdesk ${name}\\b`));
      expect(result.stdout).toContain('Exit codes:');
    }
  });
});

describe('where the broker and token come from', () => {
  it('uses COURTDESK_BROKER and COURTDESK_TOKEN, then what login saved', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    const viaEnv = json(await cli('queue', ['--json'], { COURTDESK_BROKER: t.url, COURTDESK_TOKEN: t.tokens.agent }));
    expect(viaEnv.map((e: { id: string }) => e.id)).toEqual([id]);

    saveLogin(t.url, t.tokens.agent2, { COURTDESK_CONFIG_DIR: configDir });
    expect(json(await cli('claim', [id, '--json'])).enquiry.claimedBy).toBe('bob');
    // A flag beats the saved token.
    expect(failed(await cli('claim', [id, '--token', t.tokens.agent]), 1)).toContain('ALREADY_CLAIMED');
  });
});

describe('send', () => {
  it('creates an enquiry through HTTP intake that the queue then shows', async () => {
    const created = json(await cli('send', ['--text', 'Smoke test: is the queue alive?', '--json', ...as(t.tokens.intake)]));
    // No agent is connected, so there is no honest estimate.
    expect(created).toEqual({ id: expect.any(String), position: 1, estimatedWaitSeconds: null });

    const welsh = json(
      await cli('send', ['--text', 'Bore da', '--from', '+447700900456', '--name', 'Carys', '--channel', 'sms', '--language', 'cy', '--json'], {
        COURTDESK_BROKER: t.url,
        COURTDESK_INTAKE_TOKEN: t.tokens.intake,
      }),
    );
    expect(welsh.position).toBe(2);

    const queue = json(await cli('queue', ['--json', ...as(t.tokens.agent)]));
    expect(queue.map((e: { id: string }) => e.id)).toEqual([created.id, welsh.id]);
    expect(queue[0]).toMatchObject({ channel: 'web', from: 'script', name: null, preview: 'Smoke test: is the queue alive?' });
    expect(queue[1]).toMatchObject({ channel: 'sms', from: '+447700900456', name: 'Carys', language: 'cy' });

    const text = await cli('send', ['--text', 'Another', ...as(t.tokens.intake)]);
    expect(text.stdout).toMatch(/^\S+ {2}number 3 in the queue, no estimate \(no agent available\)\n$/);
  });

  it('a repeated --idempotency-key returns the first enquiry', async () => {
    const args = ['--text', 'Once only', '--idempotency-key', 'ci-run-42', '--json', ...as(t.tokens.intake)];
    const first = json(await cli('send', args));
    const again = json(await cli('send', args));
    expect(again.id).toBe(first.id);
    expect(json(await cli('queue', ['--json', ...as(t.tokens.agent)]))).toHaveLength(1);
  });

  it('the broker’s refusal of a bad enquiry exits 1 with its code', async () => {
    const line = failed(await cli('send', ['--text', 'x'.repeat(4001), ...as(t.tokens.intake)]), 1);
    expect(line).toMatch(/^courtdesk send: INVALID_ENQUIRY: .*4,?000/);
  });
});

describe('escalate, chase and answer', () => {
  async function heldAndTagged(): Promise<string> {
    const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Dee Jones', text: 'My hearing is on Thursday and I have heard nothing.' });
    json(await cli('claim', [id, '--json', ...as(t.tokens.agent)]));
    json(await cli('tag', [id, '305JE126', '--json', ...as(t.tokens.agent)]));
    return id;
  }

  /** Polls `show --json` until the escalation has gone out. */
  async function sent(id: string, escalationId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const enquiry = json(await cli('show', [id, '--json', ...as(t.tokens.agent)]));
      if (enquiry.escalations.find((x: { id: string }) => x.id === escalationId)?.sentAt) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`escalation ${escalationId} was never sent`);
  }

  it('names the missing fields and how to pass them, then prints the escalation as JSON', async () => {
    const id = await heldAndTagged();
    const base = [id, '--court', BIRMINGHAM, '--template', 'urgent-hearing', ...as(t.tokens.agent)];

    const line = failed(await cli('escalate', base), 1);
    expect(line).toBe('courtdesk escalate: MISSING_FIELDS: template "urgent-hearing" (en) needs a value for: hearingDate. Fill them in and try again. Pass --field hearingDate=VALUE.');

    // JSON with or without --json: it is the escalation scripts want.
    const escalation = json(await cli('escalate', [...base, '--field', 'hearingDate=Thursday 26 November 2026 at 10am']));
    expect(escalation).toMatchObject({
      id: expect.any(String),
      courtSlug: BIRMINGHAM,
      to: 'enquiries.birmingham.countycourt@justice.gov.uk',
      template: 'urgent-hearing',
      language: 'en',
      status: expect.stringMatching(/^(queued|sent)$/),
      createdBy: 'alice',
      chases: 0,
    });
    expect(escalation.subject).toContain('305JE126');
    expect(escalation.text).toContain('Thursday 26 November 2026 at 10am');

    const shown = await cli('show', [id, ...as(t.tokens.agent)]);
    expect(shown.stdout).toMatch(new RegExp(`escalations:\\n {2}${escalation.id} {2}\\[(queued|sent)\\] Birmingham Civil and Family Justice Centre <enquiries\\.birmingham\\.countycourt@justice\\.gov\\.uk>.* {2}template urgent-hearing \\(en\\)`));
  });

  it('refuses an escalation of an enquiry the agent does not hold, or to an unknown court', async () => {
    const id = await postEnquiry(t.url, t.tokens.intake);
    expect(failed(await cli('escalate', [id, '--court', BIRMINGHAM, '--template', 'general', ...as(t.tokens.agent)]), 1)).toMatch(/^courtdesk escalate: NOT_HOLDER: Claim enquiry/);
    json(await cli('claim', [id, '--json', ...as(t.tokens.agent)]));
    expect(failed(await cli('escalate', [id, '--court', 'atlantis', '--template', 'general', ...as(t.tokens.agent)]), 1)).toMatch(/^courtdesk escalate: UNKNOWN_COURT: /);
  });

  it('finds the court by the words the directory search finds it by, and will not email the same court twice without --again', async () => {
    const id = await heldAndTagged();
    const first = json(await cli('escalate', [id, '--court', 'birmingham', '--template', 'hearing-date', ...as(t.tokens.agent)]));
    expect(first.courtSlug).toBe(BIRMINGHAM);
    const again = failed(await cli('escalate', [id, '--court', BIRMINGHAM, '--template', 'general', ...as(t.tokens.agent)]), 1);
    expect(again).toMatch(
      new RegExp(`^courtdesk escalate: ALREADY_ESCALATED: ${id} already has an unanswered email to Birmingham Civil and Family Justice Centre \\(${first.id}, (queued|sent)\\); chase it with courtdesk chase ${id} ${first.id}, or send another with --again$`),
    );
    const second = json(await cli('escalate', [id, '--court', BIRMINGHAM, '--template', 'general', '--again', ...as(t.tokens.agent)]));
    expect(second.id).not.toBe(first.id);
  });

  it('chases a sent escalation and records the court’s answer', async () => {
    const id = await heldAndTagged();
    const escalation = json(await cli('escalate', [id, '--court', BIRMINGHAM, '--template', 'hearing-date', '--json', ...as(t.tokens.agent)]));
    await sent(id, escalation.id);

    const chase = json(await cli('chase', [id, escalation.id, ...as(t.tokens.agent)]));
    expect(chase).toMatchObject({ chaseOf: escalation.id, template: 'chase', courtSlug: BIRMINGHAM });
    expect(chase.id).not.toBe(escalation.id);
    expect(chase.text).toContain(escalation.subject);

    const answered = json(await cli('answer', [id, escalation.id, '--text', 'The hearing is listed for 26 November at 10am.', ...as(t.tokens.agent)]));
    expect(answered).toMatchObject({ id: escalation.id, status: 'answered', answeredAt: expect.any(String) });

    const enquiry = json(await cli('show', [id, '--json', ...as(t.tokens.agent)]));
    expect(enquiry.escalations.map((x: { status: string }) => x.status)).toEqual(['answered', 'answered']);
    expect(enquiry.messages.at(-1)).toMatchObject({ author: 'court', text: 'The hearing is listed for 26 November at 10am.' });

    expect(failed(await cli('chase', [id, escalation.id, ...as(t.tokens.agent)]), 1)).toMatch(/^courtdesk chase: ALREADY_ANSWERED: /);
    expect(failed(await cli('answer', [id, 'X_NOPE', '--text', 'hi', ...as(t.tokens.agent)]), 1)).toMatch(/^courtdesk answer: \w+: /);
  });
});
