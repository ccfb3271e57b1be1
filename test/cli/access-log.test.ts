// `courtdesk access-log` with the real binary against a real broker (the binary too): the accesses
// made by the socket's open, GET and courtdesk show, filtered by enquiry and agent, as JSON and text.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken } from '../../src/broker/tokens.js';
import { BIN, makeTokens, postEnquiry, RawAgent, spawnBroker, tempDir, type SpawnedBroker, type TestTokens } from '../helpers/broker.js';

let dataDir: string;
let broker: SpawnedBroker;
let tokens: TestTokens;
let auditor: string;
let one: string;
let two: string;

function courtdesk(args: string[], token: string) {
  return spawnSync(process.execPath, [BIN, ...args, '--broker', broker.url, '--token', token], {
    encoding: 'utf8',
    env: { ...process.env, COURTDESK_BROKER: '', COURTDESK_TOKEN: '' },
  });
}

beforeAll(async () => {
  dataDir = await tempDir();
  tokens = await makeTokens(dataDir);
  auditor = await addToken(dataDir, { name: 'audrey', role: 'auditor' });
  broker = await spawnBroker(dataDir);
  one = await postEnquiry(broker.url, tokens.intake, { name: 'Dee Jones' });
  two = await postEnquiry(broker.url, tokens.intake, { from: 'other@example.org' });
  const alice = await RawAgent.connect(broker.url, tokens.agent);
  await alice.welcome();
  expect(await alice.command({ type: 'open', ref: 'o1', enquiryId: one, reason: 'The customer rang' })).toMatchObject({ ok: true });
  expect(await alice.command({ type: 'open', ref: 'o2', enquiryId: two })).toMatchObject({ ok: true });
  alice.close();
  const got = await fetch(`${broker.url}/v1/enquiries/${one}`, { headers: { authorization: `Bearer ${tokens.supervisor}`, 'x-access-reason': encodeURIComponent('Complaint review') } });
  expect(got.status).toBe(200);
  expect(courtdesk(['show', one, '--reason', 'Disclosure request'], auditor).status).toBe(0);
});

afterAll(async () => {
  broker?.child.kill('SIGTERM');
  await broker?.exited;
  await rm(dataDir, { recursive: true, force: true });
});

describe('courtdesk access-log', () => {
  it('prints every access as JSON, filtered by enquiry', () => {
    const run = courtdesk(['access-log', '--json', '--enquiry', one], auditor);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const log = JSON.parse(run.stdout);
    expect(log.matched).toBe(3);
    expect(log.accesses.map((a: any) => [a.enquiryId, a.by, a.role, a.via, a.reason])).toEqual([
      [one, 'alice', 'agent', 'workbench', 'The customer rang'],
      [one, 'sam', 'supervisor', 'api', 'Complaint review'],
      [one, 'audrey', 'auditor', 'show', 'Disclosure request'],
    ]);
    for (const a of log.accesses) expect(Date.parse(a.at)).not.toBeNaN();
  });

  it('prints one line per access as text, filtered by agent, and says when it shows only the latest', () => {
    const run = courtdesk(['access-log', '--agent', 'alice'], tokens.supervisor);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  ${one}  alice \\(agent\\)  workbench  The customer rang$`));
    expect(lines[1]).toMatch(new RegExp(`Z  ${two}  alice \\(agent\\)  workbench$`));
    const latest = courtdesk(['access-log', '--limit', '1'], auditor);
    expect(latest.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`Z  ${one}  audrey \\(auditor\\)  show +Disclosure request$`)), '(the latest 1 of 4; --limit N shows more)']);
    expect(courtdesk(['access-log', '--enquiry', two, '--agent', 'sam'], auditor).stdout).toBe(`No accesses of ${two} by sam recorded.\n`);
  });

  it('refuses tokens whose role may not read it, and a bad --limit', () => {
    const agent = courtdesk(['access-log'], tokens.agent);
    expect(agent.status).toBe(1);
    expect(agent.stderr).toBe(
      'courtdesk access-log: FORBIDDEN: This is an agent token, which may not read the access log; only supervisor or auditor tokens may, so use a token with one of those roles.\n',
    );
    expect(courtdesk(['access-log'], 'cdt_wrong').status).toBe(4);
    const bad = courtdesk(['access-log', '--limit', 'lots'], auditor);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--limit must be a whole number above 0');
  });
});
