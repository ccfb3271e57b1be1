// The PostgreSQL journal against a real PostgreSQL (test/helpers/pg.ts): the same records as the
// file store, line for line; the chain checked at open; sealing; and two stores on one journal,
// as two broker nodes would be.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/events.js';
import { JOURNAL_FILE } from '../../../src/broker/journal/file-store.js';
import { PgJournalStore, type PgJournalOptions } from '../../../src/broker/journal/pg-store.js';
import pg from 'pg';
import { parseStoreUrl, StoreNotMigratedError } from '../../../src/broker/journal/pg-schema.js';
import type { JournalHealth, NewRecord } from '../../../src/broker/journal/store.js';
import { describeWithPostgres, testDatabase, type TestDatabase } from '../../helpers/pg.js';
import { cleanUp, claimed, lifeOf, openAll, received, tempDir } from './helpers.js';

describeWithPostgres('PgJournalStore', () => {
  let db: TestDatabase;
  const stores: PgJournalStore[] = [];
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => {})));
    await cleanUp();
  });

  /** A store on a fresh journal: each test gets its own schema's tables emptied first. */
  async function fresh(): Promise<void> {
    await db.query('TRUNCATE journal_head, journal_records, content_keys');
  }

  /** Records a batch decided up front, as a caller whose decision needs no state would. */
  const append = (store: PgJournalStore, batch: NewRecord[]) => store.appendDecided(() => batch, () => {});

  async function open(options: Partial<PgJournalOptions> = {}) {
    const store = new PgJournalStore({ url: db.url, ...options });
    stores.push(store);
    const records: JournalRecord[] = [];
    const opened = await store.open((r) => records.push(r));
    return { store, records, opened };
  }

  it('appends, and a reopened store replays the same records and continues the chain', async () => {
    await fresh();
    const first = await open();
    expect(first.opened).toMatchObject({ lastSeq: 0, resumedAfter: 0, warnings: [] });
    const a = await append(first.store, [received(1), claimed(1, 'r1')]);
    const b = await append(first.store, lifeOf(2));
    await first.store.close();

    const again = await open();
    const appended = [...a, ...b];
    expect(again.records).toEqual(appended);
    expect(again.opened).toMatchObject({ epoch: first.opened.epoch, lastSeq: appended.length, lastHash: appended.at(-1)!.hash });
    const c = await append(again.store, [claimed(2, 'r9')]);
    expect(c[0]!.seq).toBe(appended.length + 1);
  });

  it('holds exactly the lines the file store writes: the header and records verify as a journal file', async () => {
    await fresh();
    const { store } = await open({ sealContent: false });
    // Written as SQL literals: quotes, backslashes and characters beyond ASCII must arrive as they were.
    const awkward = received(3);
    Object.assign(awkward.event, { name: "Ó'Brien \\ \"Dai\"", text: "It's C:\\llys\\n'ddim' 😀 \u2028 $1 E'x' ;COMMIT; --" });
    const records = await append(store, [...lifeOf(1), received(2), awkward]);
    const head = (await db.query('SELECT header, seq, hash FROM journal_head')).rows[0];
    expect(head).toMatchObject({ seq: String(records.length), hash: records.at(-1)!.hash });
    const lines = (await db.query('SELECT line FROM journal_records ORDER BY seq')).rows.map((r) => r.line as string);
    // The table's journal, written out as a file, is a journal the file store opens and verifies.
    const dir = await tempDir();
    await fs.writeFile(join(dir, JOURNAL_FILE), [head.header, ...lines].map((l) => `${l}\n`).join(''));
    const asFile = await openAll(dir, { sealContent: false });
    expect(asFile.records).toEqual(records);
    expect(asFile.opened.epoch).toBe(JSON.parse(head.header).epoch);
  });

  it('seals personal content in the table under a content key written with it, and opens it again', async () => {
    await fresh();
    const { store } = await open();
    const records = await append(store, [received(7)]);
    expect(records[0]!.event).toMatchObject({ text: expect.stringContaining('hawliad 305JE126') });
    const { line } = (await db.query('SELECT line FROM journal_records WHERE seq = 1')).rows[0];
    expect(line).not.toContain('305JE126');
    expect(line).not.toContain('caller7@example.org');
    expect(JSON.parse(line).event.sealed).toMatch(/^[0-9a-f]{16}\./);
    expect((await db.query('SELECT enquiry_id FROM content_keys')).rows).toEqual([{ enquiry_id: 'E7' }]);
    await store.close();

    const again = await open();
    expect(again.records).toEqual(records);
    expect(await again.store.removeContent(new Set(['E7']), '2026-12-02')).toBe(1);
    await again.store.close();
    const removed = await open();
    expect(removed.records[0]!.event).toMatchObject({ type: 'enquiry.received', text: 'removed under the retention policy on 2026-12-02' });
    expect(JSON.stringify(removed.records[0])).not.toContain('305JE126');
  });

  it('refuses to open a journal whose record was altered, naming its seq', async () => {
    await fresh();
    const { store } = await open({ sealContent: false });
    await append(store, [received(1), received(2), received(3)]);
    await store.close();
    await db.query(`UPDATE journal_records SET line = replace(line, 'caller2', 'caller9') WHERE seq = 2`);
    await expect(open()).rejects.toThrow(/seq 2: its hash does not match .* restore the database from a backup/);
  });

  it('from a checkpoint, serves once what follows it verifies, verifies what it covers beside serving, and stops on damage there', async () => {
    await fresh();
    const { store } = await open({ sealContent: false });
    const records = await append(store, [received(1), received(2), received(3), received(4)]);
    await store.close();
    const { epoch, file_epoch: fileEpoch } = (await db.query('SELECT epoch, file_epoch FROM journal_head')).rows[0];
    const resume = { after: { epoch, fileEpoch, seq: 3, hash: records[2]!.hash, offset: 0 }, load: async () => {}, onRewind: (why: string) => expect.fail(`rewound: ${why}`) };
    const logs: string[] = [];
    const intact = new PgJournalStore({ url: db.url, log: (m) => logs.push(m) });
    stores.push(intact);
    const handed: number[] = [];
    expect((await intact.open((r) => handed.push(r.seq), resume)).resumedAfter).toBe(3);
    expect(handed).toEqual([4]);
    await expect.poll(() => logs.join('\n'), { timeout: 10_000 }).toMatch(/verified seq 1-3, the records the checkpoint covers/);
    await intact.close();

    await db.query(`UPDATE journal_records SET line = replace(line, 'caller2', 'caller9') WHERE seq = 2`);
    const damaged = new PgJournalStore({ url: db.url });
    stores.push(damaged);
    const health: JournalHealth[] = [];
    damaged.onHealth((h) => health.push(h));
    await damaged.open(() => {}, resume);
    await expect.poll(() => health.at(-1)?.state, { timeout: 10_000 }).toBe('failed');
    expect(health.at(-1)).toMatchObject({ reason: expect.stringMatching(/journal_records seq 2: its hash does not match/) });
  });

  it('refuses to start on a schema without the tables, naming the migrate command', async () => {
    const store = new PgJournalStore({ url: db.otherSchema() });
    const failure = await store.open(() => {}).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(StoreNotMigratedError);
    expect((failure as Error).message).toMatch(/has no courtdesk journal tables; run: courtdesk store migrate --store postgres:\/\//);
  });

  it('a second store on the same journal sees the first one\'s records, in order, as remote commits', async () => {
    await fresh();
    const a = await open();
    const b = await open();
    const seen: Array<{ seqs: number[]; remote: boolean }> = [];
    b.store.onCommit((records, remote) => seen.push({ seqs: records.map((r) => r.seq), remote }));
    const started = Date.now();
    const records = await append(a.store, [received(1), received(2)]);
    void append(a.store, [received(3)]);
    await a.store.flush();
    await expect.poll(() => seen.flatMap((s) => s.seqs), { timeout: 3000, interval: 10 }).toEqual([1, 2, 3]);
    // A wake-up, not the 500 ms poll, brings them (this is loopback: well under it).
    expect(Date.now() - started).toBeLessThan(450);
    expect(seen.every((s) => s.remote)).toBe(true);
    expect(b.store.position().seq).toBe(3);
    expect(records[0]!.event).toMatchObject({ text: expect.stringContaining('(1)') });
  });

  it('of two nodes deciding at once, the second decides against the first one\'s record: one claim, nothing retried', async () => {
    await fresh();
    const a = await open();
    const b = await open();
    await append(a.store, [received(1)]);
    await expect.poll(() => b.store.position().seq, { timeout: 3000 }).toBe(1);
    /** A node's view of who holds E1, folded from its own decisions and the other node's records. */
    const node = (store: PgJournalStore, name: string) => {
      const view = { holder: undefined as string | undefined, decisions: 0 };
      const fold = (records: JournalRecord[]) => {
        for (const r of records) if (r.event.type === 'enquiry.claimed') view.holder ??= r.ref;
      };
      store.onCommit((records, remote) => remote && fold(records));
      const claim = () =>
        store.appendDecided(() => {
          view.decisions++;
          return view.holder ? [] : [claimed(1, name)];
        }, fold);
      return { view, claim };
    };
    const nodeA = node(a.store, 'a1');
    const nodeB = node(b.store, 'b1');
    // Hold the head row, as a third node's commit in progress would, so both transactions queue behind it.
    const holder = new pg.Client(parseStoreUrl(db.url).config);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT seq FROM journal_head FOR UPDATE');
      const waiting = async (n: number) =>
        expect.poll(async () => Number((await db.query(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'courtdesk' AND wait_event_type = 'Lock'`)).rows[0].count), { timeout: 3000 }).toBe(n);
      const first = nodeB.claim();
      await waiting(1);
      const second = nodeA.claim();
      await waiting(2);
      // Neither has decided yet: a decision is made only once its node holds the head.
      expect([nodeA.view.decisions, nodeB.view.decisions]).toEqual([0, 0]);
      await holder.query('COMMIT');
      expect((await first).map((r) => r.seq)).toEqual([2]);
      expect(await second).toEqual([]);
    } finally {
      await holder.end();
    }
    // Each decided once: the loser saw the winner's claim, folded in its transaction before deciding.
    expect([nodeA.view, nodeB.view]).toEqual([
      { holder: 'b1', decisions: 1 },
      { holder: 'b1', decisions: 1 },
    ]);
    const rows = (await db.query('SELECT seq, event_type FROM journal_records ORDER BY seq')).rows;
    expect(rows).toEqual([
      { seq: '1', event_type: 'enquiry.received' },
      { seq: '2', event_type: 'enquiry.claimed' },
    ]);
  });

  it('a connection cut while its transaction waits for the head: decided in the next one, answered once that commits', async () => {
    await fresh();
    const { store } = await open();
    const health: string[] = [];
    store.onHealth((h) => health.push(h.state));
    const holder = new pg.Client(parseStoreUrl(db.url).config);
    await holder.connect();
    let cut: Promise<JournalRecord[]>;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT seq FROM journal_head FOR UPDATE');
      cut = append(store, [received(1)]);
      // Asked outside the holder's transaction, which would see pg_stat_activity as it first read it.
      const blocked = async () => (await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'courtdesk' AND wait_event_type = 'Lock'`)).rows;
      await expect.poll(async () => (await blocked()).length, { timeout: 3000 }).toBe(1);
      const [{ pid }] = await blocked();
      await holder.query('SELECT pg_terminate_backend($1)', [pid]);
      // The connection died waiting for the head, before anything was decided: the store reconnects
      // and decides it in its next transaction, which waits for the head again. Nobody was answered.
      await expect.poll(() => health, { timeout: 5000 }).toEqual(['degraded', 'ok']);
      await expect.poll(async () => (await blocked()).length, { timeout: 3000 }).toBe(1);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect((await cut!).map((r) => r.seq)).toEqual([1]);
    expect((await db.query('SELECT count(*)::int AS n FROM journal_records')).rows[0].n).toBe(1);
  });
});
