// Intake load: POST /v1/enquiries over keep-alive connections (undici Pool), either closed-loop
// (`concurrency` posters, each waiting for its answer before the next) or paced (`rate` posts per
// second on a fixed schedule, at most `maxInFlight` outstanding). Reports 201s, other statuses,
// latencies and completions per second.
import { Pool } from 'undici';
import { announceReady, helperConfig, serveRpc } from './ipc.js';

const config = helperConfig();
const pool = new Pool(config.url, { connections: config.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
const headers = { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' };
let counter = 0;

/** A realistic web-form enquiry of about 150 characters from a sender not seen before. */
function body() {
  const i = counter++;
  return JSON.stringify({
    channel: 'web',
    from: `caller-${process.pid}-${i}@example.org`,
    name: 'Ann Jones',
    text:
      `Hello, my hearing about claim 305JE126 is listed for next Tuesday at the county court. ` +
      // The time it was posted, so agents can time delivery from the POST, not only from `at`.
      `Which room do I go to, and do I bring the letter? Ref ${i} posted=${Date.now()}`,
  });
}

async function post(result) {
  const t = performance.now();
  try {
    const res = await pool.request({ path: '/v1/enquiries', method: 'POST', headers, body: body() });
    await res.body.dump();
    const ms = performance.now() - t;
    if (res.statusCode === 201) {
      result.ok++;
      result.latencies.push(ms);
      const second = Math.floor((Date.now() - result.startedAt) / 1000);
      result.perSecond[second] = (result.perSecond[second] ?? 0) + 1;
    } else {
      result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
    }
  } catch (err) {
    result.errors[err.code ?? err.message] = (result.errors[err.code ?? err.message] ?? 0) + 1;
  }
}

const fresh = () => ({ ok: 0, statuses: {}, errors: {}, latencies: [], perSecond: [], startedAt: Date.now(), endedAt: 0, behind: 0 });

serveRpc({
  closed: async ({ concurrency, durationMs }) => {
    const result = fresh();
    const end = performance.now() + durationMs;
    const poster = async () => {
      while (performance.now() < end) await post(result);
    };
    await Promise.all(Array.from({ length: concurrency }, poster));
    result.endedAt = Date.now();
    return result;
  },
  paced: async ({ rate, durationMs, maxInFlight = 512 }) => {
    const result = fresh();
    const start = performance.now();
    const inflight = new Set();
    let sent = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - start;
        const due = Math.min(Math.floor((rate * Math.min(elapsed, durationMs)) / 1000), Math.floor((rate * durationMs) / 1000));
        while (sent < due) {
          if (inflight.size >= maxInFlight) {
            result.behind += due - sent;
            sent = due;
            break;
          }
          sent++;
          const p = post(result).finally(() => inflight.delete(p));
          inflight.add(p);
        }
        if (elapsed >= durationMs) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    await Promise.all(inflight);
    result.endedAt = Date.now();
    return result;
  },
  close: async () => {
    await pool.close();
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

announceReady({ pid: process.pid });
