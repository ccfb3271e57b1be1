// `courtdesk stats` end to end: the hand-worked day (test/fixtures/centre-day.ts) written into a
// real journal at its own times, a real broker started on it, and the real binary asking it over
// HTTP. Counted from London midnight on 14 July, the period holds the same answers as that day's
// wallboard: the enquiry received before midnight and answered after it counts as answered, not
// received; the reply on the SLA exactly is within it, the one a second past is not.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/broker/journal/file-store.js';
import { CENTRE_DAY } from '../fixtures/centre-day.js';
import { isolatedEnv, makeTokens, runCourtdesk, startTestBroker, tempDir, type TestBroker, type TestTokens } from '../helpers/broker.js';

let t: TestBroker<TestTokens>;
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
  const tokens = await makeTokens(dir);
  let clock = new Date(CENTRE_DAY[0]![0]);
  const store = new FileJournalStore({ dir, now: () => clock });
  await store.open(() => {});
  for (const [at, event] of CENTRE_DAY) {
    clock = new Date(at);
    await store.append([{ actor: { kind: 'agent', name: 'alice' }, event }]).durable;
  }
  await store.close();
  t = await startTestBroker({}, { dataDir: dir, tokens });
}, 30_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function stats(...args: string[]) {
  return runCourtdesk(['stats', '--broker', t.url, ...args], { env: { ...isolatedEnv(dir), COURTDESK_TOKEN: t.tokens.supervisor } });
}

describe('courtdesk stats', () => {
  it('prints the figures as JSON, counted from the day given', async () => {
    const run = await stats('--since', '2026-07-14', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const f = JSON.parse(run.stdout);
    expect(f.period).toMatchObject({ since: '2026-07-13T23:00:00.000Z', received: 4, answered: 3, answeredWithinSla: 1, medianFirstReplyMs: 20 * 60_000 + 1000, handled: 1 });
    expect(f.waiting).toMatchObject({ total: 2, byLanguage: { en: 1, cy: 1 }, longestSince: '2026-07-14T10:00:00.000Z' });
    // Nobody is connected: the two holding enquiries are listed offline, the longest held first.
    expect(f.agents.map((a: { name: string; presence: string; held: number }) => [a.name, a.presence, a.held])).toEqual([
      ['bob', 'offline', 1],
      ['alice', 'offline', 1],
    ]);
    // Months on, both court emails are due a chase.
    expect(f.courts.map((c: { courtName: string; dueChase: number }) => [c.courtName, c.dueChase])).toEqual([
      ['Xtown County Court', 1],
      ['Yton County Court', 1],
    ]);
  });

  it('prints the wallboard lines, bad figures marked with !', async () => {
    const run = await stats('--since', '2026-07-14');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Waiting now 2: en 1, cy 1  by channel: whatsapp 1, web 1');
    expect(lines[1]).toMatch(/^  longest wait \d+d \d+h ! +median wait \d+d \d+h !$/);
    expect(lines[2]).toMatch(/^Since 2026-07-13 23:00 UTC: received 4  answered 3  handled 1 \(0\.0 an hour\)$/);
    expect(lines[3]).toBe('  first replies within 20 min: 33% ! (target 80%)   median first reply 20m');
    expect(run.stdout).toMatch(/bob +offline ! +1\/3 +B /);
    expect(run.stdout).toMatch(/Xtown County Court +1 +14 Jul +1 !/);
  });

  it('says what was wrong with a bad --since, and refuses an agent token', async () => {
    const bad = await stats('--since', 'last tuesday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('since must be an ISO date or time, such as 2026-12-01');
    const agent = await runCourtdesk(['stats', '--broker', t.url], { env: { ...isolatedEnv(dir), COURTDESK_TOKEN: t.tokens.agent } });
    expect(agent.code).toBe(1);
    expect(agent.stderr).toContain('This is an agent token, which may not see the wallboard');
  });
});
