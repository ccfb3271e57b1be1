// Recovery and memory: how long a broker takes to start on a 1,000,000-event journal (fork to
// listening, in a fresh process) from the checkpoint written at shutdown, after a crash that left
// the checkpoint 100,000 events behind, and with no checkpoint at all (the baseline); and how
// much memory a broker holding 100,000 open enquiries needs. Journals are written with the real FileJournalStore, so they are valid, hash-chained
// and replayed exactly as in production. Run: node bench/recovery.js
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { CHECKPOINT_FILE, openCheckpoint } from '../dist/broker/journal/checkpoint.js';
import { FileJournalStore, JOURNAL_FILE } from '../dist/broker/journal/file-store.js';
import { addToken } from '../dist/broker/tokens.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { Figures, fmt, mb, percentile } from './lib/stats.js';

const BIG_JOURNAL = 1_000_000;
/** Events past the last checkpoint in the crash case: the default --checkpoint-every. */
const CRASH_TAIL = 100_000;
/** Events after which the broker serving in the last step checkpoints. */
const SERVING_TRIGGER = 1_000;
const OPEN_ENQUIRIES = 100_000;
const BATCH = 10_000;
const AGENTS = 40;

const intake = { kind: 'intake', name: 'web-form' };
const delivery = { kind: 'system', name: 'delivery' };
const agentActor = (i) => ({ kind: 'agent', name: `agent${i % AGENTS}` });

const CUSTOMER_TEXT =
  'Hello, my hearing about claim 305JE126 is listed for next Tuesday at the county court. Which room do I go to, and should I bring the letter?';
const FOLLOW_UP_TEXT =
  'Thank you. One more thing: the letter says the defendant has 14 days to respond. Does that mean I should wait before I do anything else at all?';
const REPLY_TEXT =
  'Thank you for your message. Hearings at the county court start at 10am; please arrive 30 minutes early and bring your claim letter with you.';

const pad = (n) => String(n).padStart(7, '0');

/**
 * The events of one enquiry's life. Most are answered and closed; some stay waiting, some
 * await the customer, some wait with an agent holding them, so the folded state is not trivial.
 */
export function lifecycle(i) {
  const id = `E${pad(i)}`;
  const received = {
    actor: intake,
    event: {
      type: 'enquiry.received',
      enquiryId: id,
      messageId: `M${pad(i)}A`,
      channel: i % 3 === 0 ? 'whatsapp' : i % 3 === 1 ? 'sms' : 'web',
      from: `+4477${pad(i)}00`,
      name: i % 4 === 0 ? null : 'Ann Jones',
      text: `${CUSTOMER_TEXT} (${i})`,
      language: i % 7 === 0 ? 'cy' : 'en',
      callbackUrl: null,
    },
  };
  const agent = agentActor(i);
  const ref = (k) => `r${i}-${k}`;
  const claimed = { actor: agent, ref: ref(1), event: { type: 'enquiry.claimed', enquiryId: id, agent: agent.name } };
  const channel = received.event.channel;
  // Replies on WhatsApp and SMS go out through the channel; its receipt follows as an event
  // (without one, the broker would start by retrying every reply in history).
  const replied = (k) => {
    const messageId = `M${pad(i)}R${k}`;
    const reply = { actor: agent, ref: ref(k), event: { type: 'enquiry.replied', enquiryId: id, messageId, agent: agent.name, text: REPLY_TEXT } };
    if (channel === 'web') return [reply];
    return [reply, { actor: delivery, event: { type: 'reply.delivery', enquiryId: id, messageId, state: 'delivered', attempts: 1, externalId: `wamid.${pad(i)}${k}` } }];
  };
  const followUp = { actor: intake, event: { type: 'enquiry.message', enquiryId: id, messageId: `M${pad(i)}B`, text: FOLLOW_UP_TEXT } };
  const tagged = { actor: agent, ref: ref(5), event: { type: 'enquiry.tagged', enquiryId: id, caseNumber: '305JE126', format: 'civil' } };
  const closed = { actor: agent, ref: ref(6), event: { type: 'enquiry.closed', enquiryId: id } };
  switch (i % 10) {
    case 7:
      return [received];
    case 8:
      return [received, claimed, ...replied(2)];
    case 9:
      return [received, claimed, ...replied(2), followUp];
    default:
      return [received, claimed, ...replied(2), followUp, ...replied(4), tagged, closed];
  }
}

/**
 * Appends events through the real store, interleaving many enquiries' lives as a busy day would.
 * Each `write(dir, count)` carries on where the last one stopped, lives half-lived included.
 */
export function journalWriter(nextLives) {
  const active = [];
  let enquiries = 0;
  return {
    async write(dir, total) {
      const store = new FileJournalStore({ dir });
      await store.open(() => {});
      let written = 0;
      while (written < total) {
        const batch = [];
        while (batch.length < BATCH && written + batch.length < total) {
          while (active.length < 200) {
            const life = nextLives(enquiries++);
            if (!life) break;
            active.push(life);
          }
          if (active.length === 0) break;
          const at = (written + batch.length) % active.length;
          const life = active[at];
          batch.push(life.shift());
          if (life.length === 0) active.splice(at, 1);
        }
        if (batch.length === 0) break;
        await store.append(batch).durable;
        written += batch.length;
      }
      await store.close();
      return { written, enquiries, bytes: (await stat(join(dir, JOURNAL_FILE))).size };
    },
  };
}

/** The seq in the folder's checkpoint header, or 0 when there is none. */
async function checkpointSeq(dir) {
  return (await openCheckpoint(dir))?.position.seq ?? 0;
}

/**
 * A checkpoint of the whole state written while the broker serves: how long it takes, and what
 * intake latency and the event loop see meanwhile, against the same posting before it starts.
 */
async function checkpointWhileServing(dir, figures) {
  const token = await addToken(dir, { name: 'bench-intake', role: 'intake' });
  const broker = await startBrokerProcess({ dataDir: dir, checkpointEvery: SERVING_TRIGGER, checkpointMinIntervalMs: 0 });
  try {
    const before = await checkpointSeq(dir);
    const post = async () => {
      const t = performance.now();
      const res = await fetch(`${broker.url}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'web', from: 'bench@example.org', text: CUSTOMER_TEXT }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`intake answered ${res.status}`);
      return performance.now() - t;
    };
    /** Paced posting (4 at a time, 5 ms apart each) until `done()`; returns the latencies. */
    const postUntil = async (done) => {
      const latencies = [];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (!(await done())) {
            latencies.push(await post());
            await new Promise((r) => setTimeout(r, 5));
          }
        }),
      );
      return latencies;
    };
    let posted = 0;
    const quiet = await postUntil(async () => ++posted > SERVING_TRIGGER - 100);
    await broker.probes(); // the event-loop figures from here on
    const t = performance.now();
    const during = await postUntil(async () => (await checkpointSeq(dir)) > before);
    const writtenMs = performance.now() - t;
    const loop = await broker.probes();
    figures.note(`while serving: a checkpoint of the whole state written in ${fmt(writtenMs / 1000, 1)} s, a little at a time, as intake went on`);
    figures.add({ name: 'recovery: intake latency p99 while that checkpoint is written', value: percentile(during, 0.99), unit: 'ms', digits: 1 });
    figures.note(
      `p50 ${fmt(percentile(during, 0.5), 1)} ms over ${fmt(during.length)} posts; before it started: p50 ${fmt(percentile(quiet, 0.5), 1)} ms, p99 ${fmt(percentile(quiet, 0.99), 1)} ms; ` +
        `event-loop delay meanwhile p99 ${fmt(loop.loopDelayP99, 1)} ms, max ${fmt(loop.loopDelayMax, 1)} ms`,
    );
  } finally {
    await broker.close();
  }
}

async function timedStart(dataDir) {
  const broker = await startBrokerProcess({ dataDir, gc: true });
  try {
    const before = await broker.memory();
    const after = await broker.memory({ gc: true });
    return { startedMs: broker.startedMs, inStartBrokerMs: broker.startMs, rss: before.rss, rssAfterGc: after.rss, heapAfterGc: after.heapUsed, broker };
  } catch (err) {
    await broker.close();
    throw err;
  }
}

/** Connects one agent and measures its welcome (the snapshot of the whole open queue). */
function welcomeOf(url, token, query = '') {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/agent${query}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false, maxPayload: 1024 ** 3 });
    ws.once('message', (data) => {
      const ms = performance.now() - t;
      const frame = JSON.parse(data.toString());
      ws.close();
      resolve({ ms, bytes: data.length, enquiries: (frame.snapshot?.enquiries?.length ?? 0) + (frame.snapshot?.summaries?.rows.length ?? 0) });
    });
    ws.once('error', reject);
  });
}

export async function runRecoveryBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-recovery-'));
  try {
    print('recovery and memory (broker in a fresh process each time)');
    print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);

    // A journal of 1,000,000 events whose last checkpoint is 100,000 events old (what a crash
    // just before the next periodic checkpoint leaves), then started three ways.
    const bigDir = join(dir, 'big');
    const writer = journalWriter((i) => lifecycle(i));
    let t = performance.now();
    await writer.write(bigDir, BIG_JOURNAL - CRASH_TAIL);
    await (await timedStart(bigDir)).broker.close(); // a full replay, then the checkpoint at shutdown
    const big = await writer.write(bigDir, CRASH_TAIL);
    figures.note(
      `wrote ${fmt(BIG_JOURNAL)} events for ${fmt(big.enquiries)} enquiries (${mb(big.bytes)}), checkpointed at ${fmt(BIG_JOURNAL - CRASH_TAIL)}, in ` +
        `${fmt((performance.now() - t) / 1000, 1)} s (received, claimed, replied, delivered, follow-up, tagged, closed; 3 in 10 left open)`,
    );

    const crashed = await timedStart(bigDir);
    t = performance.now();
    await crashed.broker.close();
    const shutdownMs = performance.now() - t;
    const checkpointBytes = (await stat(join(bigDir, CHECKPOINT_FILE))).size;
    const fromCheckpoint = await timedStart(bigDir);
    await fromCheckpoint.broker.close();
    await rm(join(bigDir, CHECKPOINT_FILE));
    const full = await timedStart(bigDir);
    await full.broker.close();

    const name = `recovery: broker start on a ${fmt(BIG_JOURNAL)}-event journal`;
    figures.add({ name: `${name}, full replay (baseline, no checkpoint)`, value: full.startedMs / 1000, unit: 's', digits: 2 });
    figures.note(`of which startBroker (replay and fold): ${fmt(full.inStartBrokerMs / 1000, 2)} s; RSS ${mb(full.rss)}`);
    figures.add({ name: `${name}, from the checkpoint written at shutdown`, value: fromCheckpoint.startedMs / 1000, unit: 's', digits: 2, target: 5, better: 'lower' });
    figures.note(
      `${fmt(fromCheckpoint.startedMs / full.startedMs, 2)}× the full replay; startBroker ${fmt(fromCheckpoint.inStartBrokerMs / 1000, 2)} s; ` +
        `RSS ${mb(fromCheckpoint.rss)} (${mb(fromCheckpoint.rssAfterGc)} after a full GC, heap used ${mb(fromCheckpoint.heapAfterGc)})`,
    );
    figures.add({ name: `${name}, after a crash ${fmt(CRASH_TAIL)} events past the checkpoint`, value: crashed.startedMs / 1000, unit: 's', digits: 2, target: 5, better: 'lower' });
    figures.note(`${fmt(crashed.startedMs / full.startedMs, 2)}× the full replay; the checkpoint is ${mb(checkpointBytes)}, written at shutdown in ${fmt(shutdownMs / 1000, 2)} s`);
    figures.add({ name: 'recovery: broker RSS after a start from the checkpoint', value: fromCheckpoint.rss / 1024 / 1024, unit: 'MB' });
    await checkpointWhileServing(bigDir, figures);
    await rm(bigDir, { recursive: true, force: true });

    const openDir = join(dir, 'open');
    const token = await addToken(openDir, { name: 'agent0', role: 'agent' });
    t = performance.now();
    const open = await journalWriter((i) =>
      i >= OPEN_ENQUIRIES ? null : i % 2 === 0 ? lifecycle(i * 10 + 7) : [...lifecycle(i * 10 + 7), { actor: intake, event: { type: 'enquiry.message', enquiryId: `E${pad(i * 10 + 7)}`, messageId: `M${pad(i)}F`, text: FOLLOW_UP_TEXT } }],
    ).write(openDir, Infinity);
    figures.note(`wrote ${fmt(OPEN_ENQUIRIES)} waiting enquiries, half with a follow-up (${fmt(open.written)} events, ${mb(open.bytes)}) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const held = await timedStart(openDir);
    try {
      figures.add({ name: `memory: broker RSS with ${fmt(OPEN_ENQUIRIES)} open enquiries (after GC)`, value: held.rssAfterGc / 1024 / 1024, unit: 'MB', target: 300, better: 'lower' });
      figures.note(`before GC: ${mb(held.rss)}; heap used after GC ${mb(held.heapAfterGc)}; started in ${fmt(held.startedMs / 1000, 2)} s`);
      const welcome = await welcomeOf(held.broker.url, token);
      const afterWelcome = await held.broker.memory({ gc: true });
      figures.add({ name: `memory: an agent's welcome snapshot with ${fmt(welcome.enquiries)} open`, value: welcome.bytes / 1024 / 1024, unit: 'MB', digits: 1 });
      figures.note(`welcome arrived ${fmt(welcome.ms)} ms after connecting; broker RSS after it (GC) ${mb(afterWelcome.rss)}`);
      const rows = await welcomeOf(held.broker.url, token, '?snapshot=rows');
      figures.add({ name: `memory: the same welcome in the compact form (?snapshot=rows, what the workbench takes)`, value: rows.bytes / 1024 / 1024, unit: 'MB', digits: 1 });
      figures.note(`${fmt(rows.enquiries)} enquiries; arrived ${fmt(rows.ms)} ms after connecting`);
    } finally {
      await held.broker.close();
    }
    return figures.rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRecoveryBench({ print: console.log });
}
