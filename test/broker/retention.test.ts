// Personal content sealed in the journal, and removed by retention without breaking the chain:
// through real brokers, real files and the real binary.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/broker/journal/file-store.js';
import { CONTENT_KEYS_FILE } from '../../src/broker/journal/content-keys.js';
import { checkClosedBefore, closedBeforeFor } from '../../src/domain/retention.js';
import { BIN, postEnquiry, RawAgent, startTestBroker, type TestBroker, type TestTokens } from '../helpers/broker.js';
import { FaultyFiles } from '../helpers/faulty-files.js';

const SECRET_TEXT = 'My address is 12 Acacia Avenue and my claim is 305JE126';
const PHONE = '+447700900461';

const brokers: TestBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close().catch(() => {});
});

async function start(reuse?: TestBroker, options: Parameters<typeof startTestBroker>[0] = {}): Promise<TestBroker> {
  // The counts here are of customers' and agents' messages: no automatic acknowledgements.
  const b = await startTestBroker({ acknowledgeEnquiries: false, ...options }, reuse && { dataDir: reuse.dataDir, tokens: reuse.tokens });
  brokers.push(b);
  return b;
}

/** An enquiry from PHONE that alice replies to, notes and closes. */
async function closedEnquiry(b: TestBroker, agent: RawAgent, n: number): Promise<string> {
  const id = await postEnquiry(b.url, b.tokens.intake, { channel: 'sms', from: `${PHONE}${n}`, name: 'Siân Ŵyn', text: SECRET_TEXT });
  await agent.command({ type: 'claim', ref: `c${n}`, enquiryId: id });
  await agent.command({ type: 'reply', ref: `r${n}`, enquiryId: id, text: 'Thank you, Siân: your claim 305JE126 is listed.' });
  await agent.command({ type: 'note', ref: `n${n}`, enquiryId: id, text: 'Caller sounded distressed about the eviction.' });
  await agent.command({ type: 'close', ref: `x${n}`, enquiryId: id });
  return id;
}

async function enquiry(b: TestBroker, id: string): Promise<{ from: string; name: string | null; messages: Array<{ text: string }>; contentRemovedOn?: string }> {
  return (await b.get(`/v1/enquiries/${id}`, b.tokens.supervisor)).json() as never;
}

const today = () => new Date().toISOString().slice(0, 10);

function retention(dataDir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'retention', 'apply', '--data', dataDir, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('personal content in the journal', () => {
  it('is sealed on disk, read back in full after a restart, and old unsealed journals still work', async () => {
    const b = await start(undefined, { encryptContent: false });
    const agent = await RawAgent.connect(b.url, b.tokens.agent);
    await agent.welcome();
    const old = await closedEnquiry(b, agent, 1); // written before sealing: in the clear
    agent.close();
    await b.broker.close();
    expect(await fs.readFile(join(b.dataDir, 'journal.ndjson'), 'utf8')).toContain(SECRET_TEXT);

    const sealed = await start(b);
    const agent2 = await RawAgent.connect(sealed.url, sealed.tokens.agent);
    await agent2.welcome();
    const fresh = await closedEnquiry(sealed, agent2, 2);
    agent2.close();
    await sealed.broker.close();
    const journal = await fs.readFile(join(b.dataDir, 'journal.ndjson'), 'utf8');
    const lastLines = journal.slice(journal.indexOf(`"enquiryId":"${fresh}"`));
    for (const words of [SECRET_TEXT, `${PHONE}2`, 'Siân', 'distressed', 'your claim 305JE126 is listed']) expect(lastLines).not.toContain(words);
    expect((await fs.stat(join(b.dataDir, CONTENT_KEYS_FILE))).mode & 0o777).toBe(0o600);

    const again = await start(b);
    for (const id of [old, fresh]) {
      const e = await enquiry(again, id);
      expect(e.name).toBe('Siân Ŵyn');
      expect(e.messages.map((m) => m.text)).toEqual([SECRET_TEXT, 'Thank you, Siân: your claim 305JE126 is listed.', 'Caller sounded distressed about the eviction.']);
    }
  });
});

describe('retention apply', () => {
  /** A folder whose journal was written in January 2020: two enquiries answered and closed, one still open. */
  async function pastFolder(): Promise<{ dataDir: string; tokens: TestTokens; closed: string[]; open: string }> {
    const { makeTokens, tempDir } = await import('../helpers/broker.js');
    const { BrokerCore } = await import('../../src/broker/core.js');
    const dataDir = await tempDir();
    const tokens = await makeTokens(dataDir);
    const store = new FileJournalStore({ dir: dataDir, now: () => new Date('2020-01-10T10:00:00Z') });
    const core = new BrokerCore(store, { recentLimit: 10, checkpointDir: dataDir, checkpointEvery: 0, checkpointMinIntervalMs: 0, log: () => {} });
    await core.open();
    const intake = { kind: 'intake' as const, name: 'webform' };
    const alice = { kind: 'agent' as const, name: 'alice' };
    for (const n of [1, 2, 3]) {
      const id = `E${n}`;
      await core.record([{ actor: intake, event: { type: 'enquiry.received', enquiryId: id, messageId: `M${n}`, channel: 'sms', from: `${PHONE}${n}`, name: 'Siân Ŵyn', text: SECRET_TEXT, language: 'en', callbackUrl: null } }]).durable;
      if (n === 3) continue;
      await core.record([
        { actor: alice, ref: `c${n}`, event: { type: 'enquiry.claimed', enquiryId: id, agent: 'alice' } },
        { actor: alice, ref: `r${n}`, event: { type: 'enquiry.replied', enquiryId: id, messageId: `R${n}`, agent: 'alice', text: 'Thank you, Siân.' } },
        { actor: alice, ref: `n${n}`, event: { type: 'enquiry.noted', enquiryId: id, messageId: `N${n}`, agent: 'alice', text: 'Caller sounded distressed about the eviction.' } },
        { actor: alice, ref: `x${n}`, event: { type: 'enquiry.closed', enquiryId: id } },
      ]).durable;
    }
    await core.close();
    return { dataDir, tokens, closed: ['E1', 'E2'], open: 'E3' };
  }

  it('removes the content of enquiries closed before the date, keeps the rest, and the chain still verifies', async () => {
    const { dataDir, tokens, closed, open } = await pastFolder();
    const journal = join(dataDir, 'journal.ndjson');

    const future = retention(dataDir, ['--closed-before', '2999-01-01']);
    expect(future.status).toBe(2);
    expect(future.stderr).toMatch(/2999-01-01 is in the future \(today is .* in London\)/);

    await fs.rm(join(dataDir, 'checkpoint.ndjson'));
    const before = await fs.readFile(journal);
    const dry = retention(dataDir, ['--closed-before', '2020-06-01', '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe('Would remove the personal content of 2 enquiries closed before 2020-06-01:\nE1\nE2\n');
    expect(await fs.readFile(journal)).toEqual(before);
    await expect(fs.stat(join(dataDir, 'checkpoint.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });

    const done = retention(dataDir, ['--closed-before', '2020-06-01']);
    expect(done.stdout).toMatch(/^Removed the personal content of 2 enquiries closed before 2020-06-01 \(journal seq \d+\)\.\n$/);
    expect(done.status).toBe(0);

    const after = await startTestBroker({ acknowledgeEnquiries: false }, { dataDir, tokens });
    brokers.push(after);
    const removed = `removed under the retention policy on ${today()}`;
    for (const id of closed) {
      const e = await enquiry(after, id);
      expect(e.contentRemovedOn).toBe(today());
      expect(e.name).toBeNull();
      expect(e.from).toBe(removed);
      expect(e.messages.map((m) => m.text)).toEqual([removed, removed, removed]); // counts stay
    }
    expect((await enquiry(after, open)).messages[0]!.text).toBe(SECRET_TEXT);
    expect((await fs.readFile(join(dataDir, CONTENT_KEYS_FILE), 'utf8')).split('\n').filter((l) => l.includes('"destroyed"'))).toHaveLength(2);
    await after.broker.close();
    // The checkpoint written at that stop holds none of it; a plain open verifies the whole chain.
    expect(await fs.readFile(join(dataDir, 'checkpoint.ndjson'), 'utf8')).not.toContain('distressed');
    const store = new FileJournalStore({ dir: dataDir });
    expect((await store.open(() => {})).warnings).toEqual([]);
    await store.close();
    // Running it again finds nothing left to do.
    expect(retention(dataDir, ['--closed-before', '2020-06-01']).stdout).toMatch(/nothing to remove/);
  });

  it('--retain-closed on a broker applies the rule at start', async () => {
    const { dataDir, tokens, closed } = await pastFolder();
    const logs: string[] = [];
    const b = await startTestBroker({ retainClosed: '1y', log: (l) => logs.push(l) }, { dataDir, tokens });
    brokers.push(b);
    await until(async () => logs.some((l) => l.startsWith('retention: ')), 'retention at start');
    expect(logs.join('\n')).toMatch(/retention: removed the personal content of 2 enquiries closed before \d{4}-\d{2}-\d{2}/);
    expect((await enquiry(b, closed[0]!)).contentRemovedOn).toBe(today());
  });

  it('a crash after the decision is recorded leaves the enquiries removed, and the next start finishes the job', async () => {
    const b = await start();
    const agent = await RawAgent.connect(b.url, b.tokens.agent);
    await agent.welcome();
    const id = await closedEnquiry(b, agent, 1);
    agent.close();
    await b.broker.close();

    // The key file's rewrite fails: the retention.applied event is durable, the key is not destroyed yet.
    const files = new FaultyFiles().fail('write', 'EIO', { path: '.tmp', times: 1 });
    await expect(applyDirect(b.dataDir, tomorrowOf(today()), files)).rejects.toThrow(/EIO/);
    expect(await fs.readFile(join(b.dataDir, CONTENT_KEYS_FILE), 'utf8')).not.toContain('"destroyed"');

    const logs: string[] = [];
    const again = await startTestBroker({ log: (l) => logs.push(l) }, { dataDir: b.dataDir, tokens: b.tokens });
    brokers.push(again);
    expect(logs.join('\n')).toMatch(/retention: finished a removal that was cut short: destroyed 1 more content key/);
    expect((await enquiry(again, id)).messages[0]!.text).toMatch(/removed under the retention policy/);
    expect(await fs.readFile(join(b.dataDir, CONTENT_KEYS_FILE), 'utf8')).toContain('"destroyed"');
  });

  it('refuses an unreadable key file with a one-line error, changing nothing', async () => {
    const b = await start();
    await postEnquiry(b.url, b.tokens.intake, { text: SECRET_TEXT });
    await b.broker.close();
    await fs.writeFile(join(b.dataDir, CONTENT_KEYS_FILE), 'not json\n');
    const r = retention(b.dataDir, ['--closed-before', '2020-01-01']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/content-keys\.ndjson cannot be read \(a line is not JSON\).*Restore it from the same backup as the journal/);
  });

  it('checks its dates and periods', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    expect(checkClosedBefore('2020-02-30', now)).toMatchObject({ ok: false, message: expect.stringMatching(/is not a date/) });
    expect(checkClosedBefore('2026-12-03', now)).toMatchObject({ ok: false, message: expect.stringMatching(/in the future/) });
    expect(checkClosedBefore('2026-12-02', now)).toEqual({ ok: true, date: '2026-12-02' });
    expect(closedBeforeFor('6y', now)).toBe('2020-12-02');
    expect(closedBeforeFor('18m', now)).toBe('2025-06-02');
    expect(() => closedBeforeFor('6 years', now)).toThrow(/not a retention period: write a number and y, m or d/);
  });
});

/** A retention run on a stopped broker's folder, through the same runner the CLI and broker use. */
async function applyDirect(dataDir: string, closedBefore: string, files?: FaultyFiles) {
  const { BrokerCore } = await import('../../src/broker/core.js');
  const { applyRetention } = await import('../../src/broker/retention.js');
  const core = new BrokerCore(new FileJournalStore({ dir: dataDir, ...(files ? { files } : {}) }), {
    recentLimit: 10,
    checkpointDir: dataDir,
    checkpointEvery: 0,
    checkpointMinIntervalMs: 0,
    log: () => {},
  });
  await core.open();
  try {
    return await applyRetention(core, { rule: `closed before ${closedBefore}`, closedBefore, dryRun: false });
  } finally {
    await core.close();
  }
}

function tomorrowOf(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

async function until(check: () => Promise<boolean>, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
