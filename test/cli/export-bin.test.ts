// `courtdesk export` through the real binary, offline from a data folder and from a broker over
// its API: what it prints, what it writes (nothing, offline), and its exit codes. Needs the build.
import { appendFile, cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER, CASE, journalHead, kinds, NOTE, REPLY, workCase, type WorkedCase } from '../broker/export-scenario.js';
import { isolatedEnv, makeTokens, runCourtdesk, startTestBroker, type CourtdeskRun, type TestBroker } from '../helpers/broker.js';
import { folderState } from '../helpers/folders.js';
import { expectInOrder } from '../helpers/in-order.js';
import { closedPort } from '../helpers/ports.js';

let t: TestBroker;
let worked: WorkedCase;
let auditor: string;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'courtdesk-export-'));
  const dataDir = join(scratch, 'data');
  const tokens = await makeTokens(dataDir);
  // As an operator would make it.
  const added = await run(['token', 'add', 'audrey', '--role', 'auditor', '--data', dataDir]);
  if (added.code !== 0) throw new Error(`token add failed: ${added.stderr}`);
  auditor = added.stdout.trimEnd().split('\n').at(-1)!;
  t = await startTestBroker({ deliveryBaseDelayMs: 20, acknowledgeEnquiries: false }, { dataDir, tokens });
  worked = await workCase(t);
});
afterAll(async () => {
  await worked?.close();
  await t?.close();
  await rm(scratch, { recursive: true, force: true });
});

function courtdesk(args: string[], env: Record<string, string> = {}): Promise<CourtdeskRun> {
  return run(['export', ...args], env);
}

function run(args: string[], env: Record<string, string> = {}): Promise<CourtdeskRun> {
  return runCourtdesk(args, { env: { ...isolatedEnv(scratch, join(scratch, 'config')), ...env } });
}

const STEPS = ['wrote in by web form', 'Claimed by alice', 'Reply to the customer by alice', REPLY, 'delivered, attempt 1', 'Internal note — not sent to the customer', NOTE, 'Tagged with case 305JE126', 'Escalated by email to Birmingham', 'Plain text part, as sent', 'HTML part, as', 'sent, attempt 1', 'Answer from Birmingham', 'Closed by alice', 'Reopened by alice'];

describe('courtdesk export --data (offline)', () => {
  it('reads the folder of a running broker without its lock, and gives what the broker gives', async () => {
    const offline = await courtdesk(['--data', t.dataDir, '--case', '305je126', '--format', 'json']);
    expect(offline).toMatchObject({ code: 0, stderr: '' });
    const online = await (await t.get(`/v1/export?case=${CASE}`, t.tokens.supervisor)).json();
    const { generatedAt: _a, ...fromFile } = JSON.parse(offline.stdout);
    const { generatedAt: _b, ...fromBroker } = online as Record<string, unknown>;
    expect(fromFile).toEqual(fromBroker);
  });

  it('exports the case in all three formats, each with every step in order and the head it was drawn from, and writes nothing', async () => {
    const copy = join(scratch, 'copy');
    await cp(t.dataDir, copy, { recursive: true });
    await rm(join(copy, 'journal.lock'), { force: true });
    const before = await folderState(copy);
    const head = journalHead(await readFile(join(copy, 'journal.ndjson'), 'utf8'));

    const json = await courtdesk(['--data', copy, '--case', CASE, '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const transcript = JSON.parse(json.stdout);
    expect(transcript.enquiries.map((e: { id: string }) => e.id)).toEqual([worked.id, worked.untaggedId]);
    expect(kinds(transcript.enquiries[0])).toEqual([
      'enquiry.received',
      'enquiry.claimed',
      'enquiry.replied',
      'reply.delivery',
      'enquiry.noted',
      'enquiry.tagged',
      'escalation.created',
      'escalation.delivery',
      'escalation.answered',
      'enquiry.closed',
      'enquiry.reopened',
    ]);
    expect(transcript.enquiries[0].timeline.find((x: { kind: string }) => x.kind === 'escalation.answered').text).toBe(ANSWER);
    expect(transcript.source).toMatchObject({ firstSeq: 1, headSeq: head.seq, headHash: head.hash });

    const text = await courtdesk(['--data', copy, '--case', CASE]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expectInOrder(text.stdout, [...STEPS, `Head seq   ${head.seq}`, `Head hash  ${head.hash}`]);

    const html = await courtdesk(['--data', copy, '--case', CASE, '--format', 'html']);
    expect(html).toMatchObject({ code: 0, stderr: '' });
    expectInOrder(html.stdout, [...STEPS.map((s) => s.replace(/&/g, '&amp;')), head.hash]);
    // No tag that loads anything, and no attribute that points anywhere (escaped text may say "src=": it is text).
    const page = html.stdout.replace(/ srcdoc="[^"]*"/g, '');
    expect(page).not.toMatch(/<(script|link|img|object|embed)\b/i);
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href|srcset|action)\s*=/i);
    expect(page).not.toMatch(/url\(|@import/i);
    expect(html.stdout).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');

    expect(await folderState(copy)).toEqual(before);
  });

  it('writes to --out, readable by its owner alone, and says so on stderr', async () => {
    const out = join(scratch, 'transcript.html');
    const result = await courtdesk(['--data', t.dataDir, '--enquiry', worked.otherId, '--format', 'html', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^courtdesk export: wrote the html transcript \\([\\d,]+ bytes\\) to ${out.replace(/[.]/g, '\\.')}\n$`));
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readFile(out, 'utf8')).toContain(`Enquiry ${worked.otherId}`);
    const nowhere = await courtdesk(['--data', t.dataDir, '--enquiry', worked.otherId, '--out', join(scratch, 'no-such-folder', 'x.txt')]);
    expect(nowhere).toMatchObject({ code: 1, stderr: expect.stringMatching(/^courtdesk export: cannot write \S+x\.txt: ENOENT; check the folder exists/) });
  });

  it('exits 1 with one line for a case or an enquiry the journal does not have', async () => {
    expect(await courtdesk(['--data', t.dataDir, '--case', '999xx999'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'courtdesk export: no enquiry in the journal is tagged 999XX999; check the case number (courtdesk queue --json lists tags)\n',
    });
    const enquiry = await courtdesk(['--data', t.dataDir, '--enquiry', 'ENOSUCH']);
    expect(enquiry).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^courtdesk export: no enquiry in the journal has the id ENOSUCH; [^\n]*\n$/) });
    const folder = await courtdesk(['--data', join(scratch, 'nowhere'), '--case', CASE]);
    expect(folder).toMatchObject({ code: 1, stderr: expect.stringContaining('there is no journal at') });
  });

  it('refuses a damaged journal with what is wrong, and ignores a torn tail with a note', async () => {
    const damaged = join(scratch, 'damaged');
    await cp(t.dataDir, damaged, { recursive: true });
    const file = join(damaged, 'journal.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace('"agent":"alice"', '"agent":"alicf"'); // content is sealed: alter a field in the clear
    await writeFile(file, lines.join('\n'));
    const refused = await courtdesk(['--data', damaged, '--case', CASE]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^courtdesk export: \S+journal\.ndjson line 4 \(seq 3\): its hash does not match its content and the record before it\. The journal was altered or damaged after it was written\. Nothing was exported; restore the journal from a backup\.\n$/);

    const torn = join(scratch, 'torn');
    await cp(t.dataDir, torn, { recursive: true });
    await appendFile(join(torn, 'journal.ndjson'), '{"seq":99,"at":"20');
    const read = await courtdesk(['--data', torn, '--case', CASE, '--json']);
    expect(read.code).toBe(0);
    const note = 'the journal ends with 18 bytes after seq';
    expect(read.stderr).toMatch(new RegExp(`^courtdesk export: note: ${note} \\d+ with no final newline`));
    expect(JSON.parse(read.stdout).source.notes).toEqual([expect.stringContaining(note)]);
  });

  it('exits 2 for bad flags, naming what is wrong', async () => {
    const usage = async (args: string[], message: RegExp) => {
      const result = await courtdesk(args);
      expect(result, args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.split('\n')).toHaveLength(2);
    };
    await usage(['--data', t.dataDir], /name one case \(--case 305JE126\) or one enquiry \(--enquiry ID\)/);
    await usage(['--data', t.dataDir, '--case', CASE, '--enquiry', worked.id], /name one case/);
    await usage(['--data', t.dataDir, '--case', CASE, '--format', 'pdf'], /--format must be json, text, html \(got "pdf"\)/);
    await usage(['--data', t.dataDir, '--case', CASE, '--json', '--format', 'html'], /give one of them/);
    await usage(['--data', t.dataDir, '--case', '305JE12'], /"305JE12" has 7 characters/);
    await usage(['--data', t.dataDir, '--case', CASE, '--broker', t.url], /not both/);
    await usage(['--data', t.dataDir, '--case', CASE, '--bogus'], /unknown option --bogus\. Run `courtdesk export --help`/);
    await usage(['--case', CASE], /No broker URL\. .* Or read a data folder directly with --data DIR\./);
  });
});

describe('courtdesk export --broker (over the API)', () => {
  it('exports for a supervisor, and for an auditor from COURTDESK_BROKER and COURTDESK_TOKEN', async () => {
    const supervisor = await courtdesk(['--broker', t.url, '--token', t.tokens.supervisor, '--case', CASE, '--format', 'text']);
    expect(supervisor).toMatchObject({ code: 0, stderr: '' });
    expectInOrder(supervisor.stdout, STEPS);
    const byAuditor = await courtdesk(['--enquiry', worked.id, '--json'], { COURTDESK_BROKER: t.url, COURTDESK_TOKEN: auditor });
    expect(byAuditor).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(byAuditor.stdout).enquiries.map((e: { id: string }) => e.id)).toEqual([worked.id]);
  });

  it('is refused for an agent (exit 1), a wrong token (exit 4) and an unreachable broker (exit 3)', async () => {
    const agent = await courtdesk(['--broker', t.url, '--token', t.tokens.agent, '--case', CASE]);
    expect(agent).toMatchObject({ code: 1, stdout: '' });
    expect(agent.stderr).toMatch(/^courtdesk export: the broker at \S+ refused the export: This is an agent token, which may not export an enquiry's transcript; only supervisor or auditor tokens may, so use a token with one of those roles\.\n$/);
    const wrong = await courtdesk(['--broker', t.url, '--token', 'cdt_nonsense', '--case', CASE]);
    expect(wrong.code).toBe(4);
    const port = await closedPort();
    const down = await courtdesk(['--broker', `http://127.0.0.1:${port}`, '--token', t.tokens.supervisor, '--case', CASE]);
    expect(down).toMatchObject({ code: 3, stderr: expect.stringContaining('ECONNREFUSED') });
    const missing = await courtdesk(['--broker', t.url, '--token', t.tokens.supervisor, '--case', '999XX999']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no enquiry in the journal is tagged 999XX999') });
  });
});

