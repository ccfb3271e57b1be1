// The durable-intake peer: `clients` PostgreSQL connections, each inserting one enquiry row at a
// time and waiting for the commit (synchronous_commit on, set per session so the server's default
// cannot weaken it) before the next, for `durationMs`. The same enquiry body the posters send.
import pg from 'pg';
import { enquiryBody, stampNow } from './enquiry-load.js';
import { announceReady, helperConfig, serveRpc } from './ipc.js';

const config = helperConfig();
const clients = [];
const backends = [];
for (let i = 0; i < config.clients; i++) {
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  await client.query('SET synchronous_commit = on');
  backends.push((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  clients.push(client);
}
let counter = 0;

serveRpc({
  closed: async ({ durationMs }) => {
    const result = { ok: 0, statuses: {}, errors: {}, latencies: [], startedAt: Date.now(), endedAt: 0 };
    const end = performance.now() + durationMs;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < end) {
          const body = enquiryBody(counter++, stampNow());
          const t = performance.now();
          try {
            await client.query('INSERT INTO enquiries (channel, sender, name, text) VALUES ($1, $2, $3, $4)', [body.channel, body.from, body.name, body.text]);
            result.ok++;
            result.latencies.push(performance.now() - t);
          } catch (err) {
            result.errors[err.code ?? err.message] = (result.errors[err.code ?? err.message] ?? 0) + 1;
          }
        }
      }),
    );
    result.endedAt = Date.now();
    return result;
  },
  close: async () => {
    await Promise.all(clients.map((c) => c.end()));
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

// The server processes serving these connections, so the bench can pin them beside courtdesk's.
announceReady({ pid: process.pid, backends });
