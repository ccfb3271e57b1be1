// The PostgreSQL journal's address and tables. A store URL names the database and, with
// `?schema=NAME`, the schema that holds one journal (default `courtdesk`), so several journals
// (tests, a staging copy) can share a database. Tables, all in that schema:
//
//   schema_version   one row: the version of these tables (`courtdesk store migrate` moves it on)
//   journal_head     one row: the header line record 1 chains to, the epoch, and the last
//                    record's seq and hash. Every append locks it (FOR UPDATE) for its transaction,
//                    which serializes appends from every node, so seq order is commit order and a
//                    reader's `WHERE seq > N` never skips a row that commits later.
//   journal_records  one row per record: `line` is the exact line record-format.ts writes to the
//                    file, so a record verifies the same way; at, event_type and enquiry_id are
//                    copies for queries.
//   content_keys     one row per content key (sealing.ts): written in the same statement as the
//                    first record sealed with it, so a key is durable before that record is
//                    acknowledged; retention sets `key` to NULL and `destroyed_on`.
//   delivery_leases  (version 2) one row per outbound delivery some node is sending: which node
//                    and until when (pg-leases.ts). Deleted once its outcome is recorded; version 5
//                    dropped the `finished` flag that kept such rows forever.
//   shared_tokens    (version 3) every node's tokens by hash, so a token added or revoked on one
//                    node holds on all of them (pg-tokens.ts); `version` orders the changes.
//   shared_checkpoint (version 4) one row: the newest checkpoint any node wrote, with its key, so
//                    a new node folds only what came after it (pg-checkpoint.ts); its body is in
//                    shared_checkpoint_parts (version 5), cut at line ends.
import pg from 'pg';

export const SCHEMA_VERSION = 5;
export const DEFAULT_SCHEMA = 'courtdesk';

export interface StoreAddress {
  config: pg.ClientConfig;
  schema: string;
  /** The URL without its password, for messages and logs. */
  shown: string;
}

/** True when `--store` names PostgreSQL rather than a folder. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** Reads postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=NAME]; throws a one-line message. */
export function parseStoreUrl(raw: string): StoreAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('--store is not a URL; give postgres://USER@HOST:PORT/DB (optionally ?schema=NAME)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`--store must be a postgres:// URL (got ${url.protocol}//…)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname || !database) throw new Error('--store needs a host and a database: postgres://USER@HOST:PORT/DB');
  const schema = url.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) {
    throw new Error(`--store ?schema=${schema} is not a usable schema name; use lower-case letters, digits and _ (at most 51)`);
  }
  const shownUrl = new URL(url.href);
  if (shownUrl.password) shownUrl.password = '***';
  return {
    schema,
    shown: shownUrl.href,
    config: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 5432,
      user: decodeURIComponent(url.username) || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      database,
      // Every statement's tables are the journal's; an acknowledgement waits for the WAL flush.
      options: `-c search_path=${schema} -c synchronous_commit=on`,
      application_name: 'courtdesk',
    },
  };
}

/** The NOTIFY channel of one journal: notifications are database-wide. */
export function wakeChannel(schema: string): string {
  return `courtdesk_${schema}`;
}

/** Refusal to start on a database whose tables are missing or older than this release. */
export class StoreNotMigratedError extends Error {}

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE schema_version (version integer NOT NULL);
    CREATE TABLE journal_head (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      header text NOT NULL,
      file_epoch text NOT NULL,
      epoch text NOT NULL,
      seq bigint NOT NULL,
      hash text NOT NULL
    );
    CREATE TABLE journal_records (
      seq bigint PRIMARY KEY,
      line text NOT NULL,
      at timestamptz NOT NULL,
      event_type text NOT NULL,
      enquiry_id text
    );
    CREATE INDEX journal_records_enquiry ON journal_records (enquiry_id, seq) WHERE enquiry_id IS NOT NULL;
    CREATE TABLE content_keys (
      key_id text PRIMARY KEY,
      key text,
      enquiry_id text NOT NULL,
      destroyed_on text,
      CHECK ((key IS NULL) = (destroyed_on IS NOT NULL))
    );
    CREATE INDEX content_keys_enquiry ON content_keys (enquiry_id);
    INSERT INTO schema_version VALUES (0);
  `,
  2: `
    CREATE TABLE delivery_leases (
      key text PRIMARY KEY,
      node text NOT NULL,
      expires_at timestamptz NOT NULL,
      finished boolean NOT NULL DEFAULT false
    );
  `,
  3: `
    CREATE SEQUENCE shared_tokens_version;
    CREATE TABLE shared_tokens (
      hash text PRIMARY KEY,
      record text NOT NULL,
      revoked_at text,
      version bigint NOT NULL DEFAULT nextval('shared_tokens_version')
    );
    CREATE INDEX shared_tokens_by_version ON shared_tokens (version);
  `,
  4: `
    CREATE TABLE shared_checkpoint (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      seq bigint NOT NULL,
      hash text NOT NULL,
      body text NOT NULL,
      key text NOT NULL,
      written_by text NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now()
    );
  `,
  // A node of an earlier release still running would read a deleted row as "nobody sends it"
  // and take it with a head read too early to see the outcome; without the column its lease
  // statements fail instead, and it sends nothing until it is replaced.
  // A checkpoint in one text value failed beyond 512 MB (a million enquiries); the stored one is
  // dropped, and the next node to write a checkpoint shares it in parts.
  5: `
    DELETE FROM delivery_leases WHERE finished;
    ALTER TABLE delivery_leases DROP COLUMN finished;
    DELETE FROM shared_checkpoint;
    ALTER TABLE shared_checkpoint DROP COLUMN body, ADD COLUMN parts integer NOT NULL, ADD COLUMN bytes bigint NOT NULL;
    CREATE TABLE shared_checkpoint_parts (part integer PRIMARY KEY, body text NOT NULL);
  `,
};

const quoted = (name: string) => `"${name}"`;

/** Creates or upgrades the journal's tables; returns the versions before and after. */
export async function migrate(address: StoreAddress): Promise<{ from: number; to: number }> {
  const client = new pg.Client(address.config);
  await connect(client, address);
  try {
    await client.query('BEGIN');
    // Two migrations at once would both see version 0.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`courtdesk migrate ${address.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted(address.schema)}`);
    const from = await installedVersion(client, address.schema);
    if (from > SCHEMA_VERSION) throw tooNew(address, from);
    for (let v = from + 1; v <= SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query('UPDATE schema_version SET version = $1', [v]);
    }
    await client.query('COMMIT');
    return { from, to: SCHEMA_VERSION };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Throws StoreNotMigratedError unless the tables are this release's. */
export async function checkSchema(client: pg.Client, address: StoreAddress): Promise<void> {
  const version = await installedVersion(client, address.schema);
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) throw tooNew(address, version);
  const what = version === 0 ? 'has no courtdesk journal tables' : `has journal tables of version ${version}, older than this release's ${SCHEMA_VERSION}`;
  throw new StoreNotMigratedError(`${address.shown} (schema ${address.schema}) ${what}; run: courtdesk store migrate --store ${address.shown}`);
}

async function installedVersion(client: pg.Client, schema: string): Promise<number> {
  const found = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${quoted(schema)}.schema_version`]);
  if (!found.rows[0]!.exists) return 0;
  const row = await client.query<{ version: number }>(`SELECT version FROM ${quoted(schema)}.schema_version`);
  return row.rows[0]?.version ?? 0;
}

function tooNew(address: StoreAddress, version: number): Error {
  return new Error(`${address.shown} (schema ${address.schema}) has journal tables of version ${version}, newer than this release's ${SCHEMA_VERSION}; use the courtdesk release that migrated it`);
}

/** Connects, or throws a one-line message naming the database without its password. */
export async function connect(client: pg.Client, address: StoreAddress): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot reach PostgreSQL at ${address.shown} (${(err as Error).message}); check that it is running and the URL is right`);
  }
}
