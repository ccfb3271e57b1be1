// `courtdesk store import`: a real file journal made by a real broker is moved into PostgreSQL by
// the real binary, and a broker on the database serves it as it was; a journal with a record
// altered in the middle is refused with the line named, and nothing is imported.
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, parseStoreUrl } from '../../src/broker/journal/pg-schema.js';
import { BIN, postEnquiry, spawnBroker, startTestBroker, tempDir, type SpawnedBroker, type TestTokens } from '../helpers/broker.js';
import { describeWithPostgres, stopCluster, testDatabase, type TestDatabase } from '../helpers/pg.js';

const run = promisify(execFile);

async function importJournal(dataDir: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'store', 'import', '--data', dataDir, '--store', url]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describeWithPostgres('courtdesk store import', () => {
  let db: TestDatabase;
  let source = '';
  let tokens: TestTokens;
  const ids: string[] = [];
  let fileHead: { seq: number; epoch: string };
  const dirs: string[] = [];
  const nodes: SpawnedBroker[] = [];

  beforeAll(async () => {
    db = await testDatabase();
    const t = await startTestBroker();
    source = t.dataDir;
    tokens = t.tokens;
    dirs.push(source);
    for (let i = 0; i < 30; i++) ids.push(await postEnquiry(t.url, tokens.intake, { text: `Imported enquiry ${i} about 305JE126` }));
    fileHead = (await (await t.get('/healthz')).json()) as { seq: number; epoch: string };
    await t.broker.close();
  }, 30_000);

  afterAll(async () => {
    await stopCluster({ nodes, dirs, db });
  }, 30_000);

  it('copies a real journal, verified, and a broker on the database serves it as the file broker did', async () => {
    const result = await importJournal(source, db.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`imported ${fileHead.seq} record(s) and 30 content key(s)`);
    const dir = await tempDir();
    dirs.push(dir);
    await cp(join(source, 'tokens.json'), join(dir, 'tokens.json'));
    const node = await spawnBroker(dir, ['--store', db.url]);
    nodes.push(node);
    const head = (await (await fetch(`${node.url}/healthz`)).json()) as { seq: number; epoch: string };
    expect(head).toMatchObject({ seq: fileHead.seq, epoch: fileHead.epoch });
    const enquiry = (await (await fetch(`${node.url}/v1/enquiries/${ids[17]}`, { headers: { authorization: `Bearer ${tokens.supervisor}` } })).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(enquiry.messages[0]!.text).toBe('Imported enquiry 17 about 305JE126');
    // A second import into the same schema is refused: it already holds a journal.
    const again = await importJournal(source, db.url);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a journal \(up to seq \d+\)/);
  });

  it('refuses a journal with a record altered in the middle, naming the line, and imports nothing', async () => {
    const damaged = await tempDir();
    dirs.push(damaged);
    await cp(source, damaged, { recursive: true });
    const file = join(damaged, 'journal.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    // Line 10 is record 9: its timestamp moved by a second, which its hash no longer matches.
    lines[9] = lines[9]!.replace(/"at":"([^"]+?)(\d)\.(\d{3})Z"/, (_m, head: string, s: string, ms: string) => `"at":"${head}${(Number(s) + 1) % 10}.${ms}Z"`);
    await writeFile(file, lines.join('\n'));
    const url = db.otherSchema();
    await migrate(parseStoreUrl(url));
    const result = await importJournal(damaged, url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^courtdesk store import: \S+journal\.ndjson line 10 \(seq 9\): .*altered or damaged.* Nothing was imported\.\n$/);
    const schema = new URL(url).searchParams.get('schema');
    const counts = await db.query(`SELECT (SELECT count(*) FROM "${schema}".journal_records)::int AS records, (SELECT count(*) FROM "${schema}".journal_head)::int AS heads`);
    expect(counts.rows[0]).toEqual({ records: 0, heads: 0 });
  });
});
