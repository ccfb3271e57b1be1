// A real PostgreSQL for the shared-store tests: COURTDESK_TEST_PG, or the machine's own at
// 127.0.0.1:5432 (user postgres). Each test file works in a fresh schema and drops it after.
// Under CI the database is required: a file whose database cannot be reached fails. Elsewhere
// its tests are skipped with one line saying how to point them at a database.
import { randomBytes } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import { migrate, parseStoreUrl } from '../../src/broker/journal/pg-schema.js';
import { makeTokens, spawnBroker, tempDir, type RawAgent, type SpawnedBroker, type TestTokens } from './broker.js';

const BASE = process.env.COURTDESK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** The store URL with this file's own schema. */
  url: string;
  schema: string;
  /** A plain client on the database, for reading or damaging the tables directly. */
  query<T extends pg.QueryResultRow = any>(sql: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  /** A URL for another fresh schema (its tables not created), dropped with the rest. */
  otherSchema(): string;
  drop(): Promise<void>;
}

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ ...parseStoreUrl(BASE).config, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await reachable();

/**
 * `describe`, when PostgreSQL answers; under CI a failing test when it does not; otherwise a
 * skipped block and one line on stderr.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (!unreachable) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('reaches PostgreSQL', () => {
        throw new Error(`PostgreSQL at ${parseStoreUrl(BASE).shown} cannot be reached (${unreachable}); CI requires it (see .ci/run)`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": no PostgreSQL at ${parseStoreUrl(BASE).shown} (${unreachable}); set COURTDESK_TEST_PG=postgres://USER@HOST:PORT/DB to run it\n`);
  describe.skip(name, body);
}

function withSchema(schema: string): string {
  const url = new URL(BASE);
  url.searchParams.set('schema', schema);
  return url.href;
}

/** A fresh, migrated schema for one test file. */
export async function testDatabase(): Promise<TestDatabase> {
  const schemas: string[] = [];
  const fresh = () => {
    const schema = `courtdesk_test_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const schema = fresh();
  const url = withSchema(schema);
  await migrate(parseStoreUrl(url));
  const client = new pg.Client(parseStoreUrl(url).config);
  client.on('error', () => {});
  await client.connect();
  return {
    url,
    schema,
    query: (sql, values) => client.query(sql, values),
    otherSchema: () => withSchema(fresh()),
    drop: async () => {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await client.end();
    },
  };
}

/** Real broker processes, each with its own data folder, on one fresh database. */
export interface Cluster {
  db: TestDatabase;
  /** Data folders, node i's in dirs[i] when nodes are only added through the cluster; a test may add folders for stopCluster to remove. */
  dirs: string[];
  nodes: SpawnedBroker[];
  /** Made in the first node's folder (dirs[0]). */
  tokens: TestTokens;
  /** Agents the test connects: stopCluster closes them first. */
  agents: RawAgent[];
  /** Starts one more node in a fresh folder (the first node in dirs[0]), with the cluster's tokens unless `shareTokensFile` was false. */
  addNode(options?: NodeOptions): Promise<SpawnedBroker>;
}

export interface NodeOptions {
  /** Broker flags after `--store` (default: the cluster's). */
  args?: string[];
  /** Environment for the broker (default: the cluster's). */
  env?: Record<string, string>;
  /** The store URL when it is not the database's own, e.g. through a proxy. */
  store?: string;
}

export interface ClusterOptions extends Omit<NodeOptions, 'store'> {
  /** Nodes started at once; 0 leaves each to addNode. Default 2. */
  nodes?: number;
  /** Tokens live per data folder: false leaves them in the first folder only, for nodes to learn from the shared store. */
  shareTokensFile?: boolean;
}

/**
 * A fresh database, the tokens, and `nodes` brokers started together with `--store` on it.
 * Tidy it with stopCluster; if the start fails, what was started is tidied before the error.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const { nodes: count = 2, shareTokensFile = true } = options;
  const db = await testDatabase();
  const dirs = [await tempDir()];
  const nodes: SpawnedBroker[] = [];
  let firstTaken = false;
  /** The next node's folder: the first node takes the tokens' own. */
  const nextDir = async () => {
    if (!firstTaken) {
      firstTaken = true;
      return dirs[0]!;
    }
    const dir = await tempDir();
    dirs.push(dir);
    if (shareTokensFile) await copyFile(join(dirs[0]!, 'tokens.json'), join(dir, 'tokens.json'));
    return dir;
  };
  const spawnIn = (dir: string, node: NodeOptions = {}) =>
    spawnBroker(dir, ['--store', node.store ?? db.url, ...(node.args ?? options.args ?? [])], node.env ?? options.env);
  const cluster: Cluster = {
    db,
    dirs,
    nodes,
    tokens: await makeTokens(dirs[0]!),
    agents: [],
    async addNode(node) {
      const spawned = await spawnIn(await nextDir(), node);
      nodes.push(spawned);
      return spawned;
    },
  };
  try {
    const folders: string[] = [];
    for (let i = 0; i < count; i++) folders.push(await nextDir());
    // Started together, and listed in their folders' order; those that started are stopped if one did not.
    const started = await Promise.allSettled(folders.map((dir) => spawnIn(dir)));
    for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stopCluster(cluster);
    throw err;
  }
  return cluster;
}

/** What a test of several broker nodes on one database leaves to tidy: stopped in this order, so no node writes to a dropped schema. */
export async function stopCluster(cluster: { nodes: SpawnedBroker[]; dirs: string[]; db: TestDatabase | undefined; agents?: RawAgent[] } | undefined): Promise<void> {
  if (!cluster) return;
  for (const agent of cluster.agents ?? []) agent.close();
  for (const node of cluster.nodes) node.child.kill('SIGTERM');
  await Promise.all(cluster.nodes.map((n) => n.exited));
  await Promise.all(cluster.dirs.map((d) => rm(d, { recursive: true, force: true })));
  await cluster.db?.drop();
}
