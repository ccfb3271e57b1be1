// Scenario (c) of the peers bench: durable intake from 64 clients, each awaiting its
// acknowledgement before the next. courtdesk: POST /v1/enquiries to a fresh broker with no agents
// (201 once the journal has fsynced the enquiry). PostgreSQL: single-row INSERTs, synchronous_commit
// on, into a table in a database the bench creates and drops. Rounds interleave the two. Then
// every acknowledgement is looked for: the rows counted, and the broker's welcome to one agent
// (a large snapshot, sent in fragments) must list every enquiry that got its 201.
import pg from 'pg';
import { forkHelper } from './ipc.js';
import { LOAD_CPU, SERVER_CPU, canPin, pinPid } from './pin.js';
import { fmt, percentile } from './stats.js';

const CLIENTS = 64;
const PROCESSES = 2;
const PG_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function freshDatabase() {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const name = `courtdesk_bench_peers_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.href });
  await db.connect();
  await db.query('CREATE TABLE enquiries (id bigserial PRIMARY KEY, channel text NOT NULL, sender text NOT NULL, name text, text text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  const settings = {};
  for (const s of ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay']) settings[s] = (await db.query(`SHOW ${s}`)).rows[0][s];
  return {
    url: url.href,
    settings,
    rows: async () => Number((await db.query('SELECT count(*) AS n FROM enquiries')).rows[0].n),
    drop: async () => {
      await db.end();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Pins the PostgreSQL backends serving the bench's own connections to the server core, as
 * courtdesk is pinned; the server's shared processes (WAL writer, checkpointer) stay as they are.
 */
function pinBackends(pids) {
  if (!canPin) return 'PostgreSQL backends unpinned (no taskset)';
  try {
    for (const pid of pids) pinPid(SERVER_CPU, pid);
    return `the ${pids.length} PostgreSQL backends serving the bench's connections pinned to CPU ${SERVER_CPU} (its WAL writer, checkpointer and other shared processes are not)`;
  } catch (err) {
    return `PostgreSQL backends could not be pinned (${err.message.split('\n')[0]}): they ran on any core`;
  }
}

/** One round of `durationMs` on every helper at once; 2xx/commits per second and latencies. */
async function round(helpers, args) {
  const results = await Promise.all(helpers.map((h) => h.call('closed', args)));
  const ok = results.reduce((n, r) => n + r.ok, 0);
  const seconds = (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
  const refused = {};
  for (const r of results) for (const [k, v] of Object.entries({ ...r.statuses, ...r.errors })) refused[k] = (refused[k] ?? 0) + v;
  return { ok, seconds, perSecond: ok / seconds, latencies: results.flatMap((r) => r.latencies), refused };
}

function summary(rounds) {
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const latencies = rounds.flatMap((r) => r.latencies);
  return { perSecond: ok / seconds, ok, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rounds: rounds.map(({ latencies: _, ...r }) => r) };
}

const line = (r) => `${fmt(r.perSecond)}/s, p50 ${fmt(percentile(r.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(r.latencies, 0.99), 1)} ms${Object.keys(r.refused).length ? `; refused ${JSON.stringify(r.refused)}` : ''}`;

export async function durableIntake(print, plan, { freshBroker, posters, children, agentToken }) {
  print(`(c) durable intake, ${CLIENTS} clients in ${PROCESSES} processes each awaiting its acknowledgement, ${plan.intakeRounds} interleaved rounds of ${plan.intakeMs / 1000} s after ${plan.warmupMs / 1000} s of warm-up`);
  const broker = await freshBroker();
  const db = await freshDatabase();
  const inserters = [];
  try {
    print(`  courtdesk: a fresh broker, file journal (group commit, fdatasync), content sealed (the defaults), no agents connected`);
    print(`  PostgreSQL ${db.settings.server_version} (the machine's own server): fsync ${db.settings.fsync}, synchronous_commit ${db.settings.synchronous_commit} (set on per session), wal_sync_method ${db.settings.wal_sync_method}, commit_delay ${db.settings.commit_delay}`);
    const post = Array.from({ length: PROCESSES }, () => posters(broker.url, CLIENTS / PROCESSES));
    for (let i = 0; i < PROCESSES; i++) inserters.push(forkHelper('./pg-inserters-child.js', { url: db.url, clients: CLIENTS / PROCESSES }, { cpu: LOAD_CPU }));
    const ready = await Promise.all([...post, ...inserters].map((h) => h.ready));
    const backends = ready.flatMap((r) => r.backends ?? []);
    print(`  ${pinBackends(backends)}`);
    const warm = [await round(post, { concurrency: CLIENTS / PROCESSES, durationMs: plan.warmupMs }), await round(inserters, { durationMs: plan.warmupMs })];
    const cd = [];
    const pgRounds = [];
    for (let i = 1; i <= plan.intakeRounds; i++) {
      const a = await round(post, { concurrency: CLIENTS / PROCESSES, durationMs: plan.intakeMs });
      print(`  round ${i} courtdesk: ${line(a)}`);
      const b = await round(inserters, { durationMs: plan.intakeMs });
      print(`  round ${i} PostgreSQL: ${line(b)}`);
      cd.push(a);
      pgRounds.push(b);
    }
    const courtdesk = summary(cd);
    const postgres = summary(pgRounds);
    // Every acknowledgement, warm-up included, must be there to read back.
    const acked201 = courtdesk.ok + warm[0].ok;
    const committed = postgres.ok + warm[1].ok;
    const rows = await db.rows();
    await Promise.all(children.map((c, i) => c.call('connect', { name: 'intake-check', kind: 'courtdesk', url: broker.url, tokens: i === 0 ? [agentToken] : [], firstIndex: 0 })));
    const welcome = (await children[0].call('report', { name: 'intake-check' })).welcome;
    await Promise.all(children.map((c) => c.call('disconnect', { name: 'intake-check' })));
    courtdesk.acknowledged = acked201;
    courtdesk.inWelcome = welcome?.enquiries ?? 0;
    courtdesk.allKept = courtdesk.inWelcome === acked201;
    postgres.committed = committed;
    postgres.rows = rows;
    postgres.allKept = rows === committed;
    postgres.settings = db.settings;
    print(`  courtdesk: ${fmt(courtdesk.perSecond)}/s over the rounds; ${fmt(acked201)} 201s in all, ${fmt(courtdesk.inWelcome)} enquiries in a new agent's welcome (${fmt((welcome?.bytes ?? 0) / 1024 / 1024, 1)} MB, read in fragments): ${courtdesk.allKept ? 'every one kept' : 'MISMATCH'}`);
    print(`  PostgreSQL: ${fmt(postgres.perSecond)}/s over the rounds; ${fmt(committed)} commits in all, ${fmt(rows)} rows in the table: ${postgres.allKept ? 'every one kept' : 'MISMATCH'}`);
    return { courtdesk, postgres };
  } finally {
    await Promise.all(inserters.map((h) => h.call('close').catch(() => h.child.kill())));
    await broker.close();
    await db.drop();
  }
}
