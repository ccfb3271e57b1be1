// LazyClient, the connection for work beside the journal (leases, tokens, the shared checkpoint),
// against the machine's PostgreSQL: a statement from one caller must never run inside another
// caller's open transaction, whatever order their calls were made in.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LazyClient } from '../../src/broker/journal/pg-connections.js';
import { parseStoreUrl } from '../../src/broker/journal/pg-schema.js';
import { describeWithPostgres, testDatabase, type TestDatabase } from '../helpers/pg.js';

describeWithPostgres('a lazy connection shared by several callers', () => {
  let db: TestDatabase;
  let lazy: LazyClient;

  beforeAll(async () => {
    db = await testDatabase();
    await db.query('CREATE TABLE marks (n int)');
    lazy = new LazyClient(parseStoreUrl(db.url));
  });

  afterAll(async () => {
    await lazy.close();
    await db.drop();
  });

  it('runs a query made during another caller\'s transaction after it, not inside it', async () => {
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const rolledBack = lazy.transaction(async (client) => {
      await client.query('INSERT INTO marks VALUES (1)');
      inserted();
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error('changed my mind');
    });
    await insertedYet;
    // Sent while the transaction is open: inside it, it would count the row about to be rolled back.
    const counted = lazy.query<{ n: string }>('SELECT count(*) AS n FROM marks');
    await expect(rolledBack).rejects.toThrow('changed my mind');
    expect(Number((await counted).rows[0]!.n)).toBe(0);
  });

  it('keeps going after a refused statement', async () => {
    await expect(lazy.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    expect((await lazy.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });
});
