// The scripted commands through the real binary (bin/courtdesk.js → dist/bundle), as a CI job runs them:
// stdout, stderr and the process's exit code. Needs `npm run build` first (npm test does it).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isolatedEnv, postEnquiry, runCourtdesk, startTestBroker, type CourtdeskRun, type TestBroker } from '../helpers/broker.js';
import { freshFolders } from '../helpers/folders.js';
import { closedPort } from '../helpers/ports.js';

let t: TestBroker;
let configDir: string;
const freshDir = freshFolders('courtdesk-config-');
beforeEach(async () => {
  [configDir, t] = await Promise.all([freshDir(), startTestBroker()]);
});
afterEach(() => t.close());

function courtdesk(args: string[], env: Record<string, string> = {}): Promise<CourtdeskRun> {
  return runCourtdesk(args, { env: { ...isolatedEnv(configDir), ...env } });
}

describe('courtdesk queue, claim and send through the binary', () => {
  it('prints JSON, and exits 1 with one line when a claim is lost', async () => {
    const posted = await courtdesk(['send', '--json', '--text', 'When is my hearing?'], { COURTDESK_BROKER: t.url, COURTDESK_INTAKE_TOKEN: t.tokens.intake });
    expect(posted).toMatchObject({ code: 0, stderr: '' });
    const { id } = JSON.parse(posted.stdout) as { id: string };
    const other = await postEnquiry(t.url, t.tokens.intake, { from: 'b@example.org' });

    const queue = await courtdesk(['queue', '--json', '--broker', t.url, '--token', t.tokens.agent]);
    expect(queue).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(queue.stdout) as Array<{ id: string }>).map((e) => e.id)).toEqual([id, other]);

    const env = { COURTDESK_BROKER: t.url };
    expect(await courtdesk(['claim', '--next'], { ...env, COURTDESK_TOKEN: t.tokens.agent2 })).toEqual({ code: 0, stdout: `${id}\n`, stderr: '' });
    const lost = await courtdesk(['claim', id], { ...env, COURTDESK_TOKEN: t.tokens.agent });
    expect(lost.code).toBe(1);
    expect(lost.stdout).toBe('');
    expect(lost.stderr).toMatch(new RegExp(`^courtdesk claim: ALREADY_CLAIMED: Enquiry ${id} is already held by bob[^\\n]*\\n$`));
  });

  it('exits 3 when nothing listens and 4 when the token is wrong', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const down = await courtdesk(['queue', '--broker', url, '--token', t.tokens.agent]);
    expect(down).toEqual({ code: 3, stdout: '', stderr: `courtdesk queue: cannot reach the broker at ${url}: ECONNREFUSED — is it running? start it with courtdesk broker\n` });
    const wrong = await courtdesk(['queue', '--broker', t.url, '--token', 'cdt_wrong']);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
