// `courtdesk script` through the real binary (bin/courtdesk.js → dist/bundle), as a CI job runs it: with
// CI set (Ink would draw only the last frame), output piped, and the process's exit code.
// Needs `npm run build` first (npm test does it).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isolatedEnv, postEnquiry, runCourtdesk, startTestBroker, type CourtdeskRun, type TestBroker } from '../helpers/broker.js';
import { freshFolders } from '../helpers/folders.js';

let t: TestBroker;
let dir: string;
const freshDir = freshFolders('courtdesk-script-bin-');
beforeEach(async () => {
  [dir, t] = await Promise.all([freshDir(), startTestBroker()]);
});
afterEach(() => t.close());

function courtdesk(args: string[]): Promise<CourtdeskRun> {
  return runCourtdesk(args, { env: { ...isolatedEnv(dir), COURTDESK_BROKER: t.url, COURTDESK_TOKEN: t.tokens.agent, CI: 'true' }, timeoutMs: 30_000 });
}

it('plays a script in CI and exits 0, then exits 1 with the screen when a step fails', async () => {
  const id = await postEnquiry(t.url, t.tokens.intake, { name: 'Jane Smith', text: 'When is my hearing?' });
  await writeFile(join(dir, 'take.script'), ['wait-for Jane Smith', 'press n', "wait-for You hold Jane Smith's enquiry", 'snapshot taken', ''].join('\n'));
  const passed = await courtdesk(['script', join(dir, 'take.script')]);
  expect(passed.stderr).toBe(''); // not even the cursor escape Ink's helper writes at exit
  expect(passed.code).toBe(0);
  expect(passed.stdout).toMatch(/^ok +3 {2}wait-for You hold Jane Smith's enquiry/m);
  expect(passed.stdout.trimEnd().split('\n').at(-1)).toBe(`courtdesk script: ${join(dir, 'take.script')} passed (4 steps)`);
  expect(await readFile(join(dir, 'taken.txt'), 'utf8')).toMatch(/Jane Smith .*@you/);
  const enquiry = (await (await t.get(`/v1/enquiries/${id}`, t.tokens.agent)).json()) as { claimedBy: string };
  expect(enquiry.claimedBy).toBe('alice');

  await writeFile(join(dir, 'fail.script'), 'expect-line 2 Bob Nobody\n');
  const failed = await courtdesk(['script', join(dir, 'fail.script'), '--size', '60x12']);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toBe('');
  expect(failed.stderr).not.toContain('\u001b[?25h');
  const lines = failed.stderr.trimEnd().split('\n');
  expect(lines[0]).toBe(`courtdesk script: ${join(dir, 'fail.script')}:1: expect-line 2 Bob Nobody — line 2 does not contain "Bob Nobody"`);
  expect(lines[1]).toBe('The screen (60x12) at that moment:');
  expect(lines).toHaveLength(2 + 12 + 2);
  expect(lines[3]).toMatch(/^ 1 \|alice \(available\) │ connected/);
});
