// What running the centre costs the broker, in process (issue 14's figures), at a full centre:
// 1,000 agents, 10,000 waiting, 3,000 held, 500 court threads open.
//   - keeping the wallboard up per event (Wallboard.apply after the reducer), against the reducer
//     alone on the same events, in alternating rounds on two states built the same way;
//   - making the figures (what the broker sends a watching supervisor at most twice a second);
//   - the take-next decision (domain/routing.ts) at 10,000 waiting.
// These are the broker's own costs: the supervisor's screen is measured by bench/wallboard.js.
// Needs the build (npm run bench builds first). Run: node bench/centre.js
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { DEFAULT_THRESHOLDS } from '../dist/domain/centre-figures.js';
import { emptyState } from '../dist/domain/enquiry.js';
import { applyEvent } from '../dist/domain/reducer.js';
import { decideTakeNext, DEFAULT_ROUTING } from '../dist/domain/routing.js';
import { Wallboard } from '../dist/domain/wallboard.js';
import { Figures, fmt, percentile } from './lib/stats.js';

const AGENTS = 1000;
const WAITING = 10_000;
const HELD_EACH = 3;
const COURTS = 50;
const THREADS = 500;
const EVENTS = 200_000;
const ROUNDS = 5;
const TAKE_NEXT_CALLS = 2000;

const DAY_START = Date.parse('2026-12-03T08:00:00.000Z');
const at = (i) => new Date(DAY_START + i * 50).toISOString();
const agentName = (i) => `agent${i}`;

function received(id, i) {
  return { type: 'enquiry.received', enquiryId: id, messageId: `${id}m`, channel: ['web', 'sms', 'whatsapp'][i % 3], from: `p${i}@example.org`, name: `Person ${i}`, text: 'When is my hearing?', language: i % 4 === 0 ? 'cy' : 'en', callbackUrl: null };
}

/** The centre at the start of the measured stream, and that stream: a day's work going on. */
function centre() {
  const records = [];
  let seq = 0;
  const push = (event) => records.push({ seq: ++seq, at: at(seq), actor: { kind: 'agent', name: 'x' }, event });
  let next = 0;
  const newId = () => `E${String(next++).padStart(8, '0')}`;
  const held = [];
  for (let a = 0; a < AGENTS; a++) {
    for (let k = 0; k < HELD_EACH; k++) {
      const id = newId();
      push(received(id, next));
      push({ type: 'enquiry.claimed', enquiryId: id, agent: agentName(a) });
      held.push(id);
    }
  }
  for (let t = 0; t < THREADS; t++) {
    const enquiryId = held[t];
    push({ type: 'escalation.created', enquiryId, escalationId: `X${t}`, courtSlug: `court-${t % COURTS}`, courtName: `Court ${t % COURTS}`, to: 'c@justice.gov.uk', template: 'general', language: 'en', subject: 's', text: 't', html: 'h' });
    push({ type: 'escalation.delivery', enquiryId, escalationId: `X${t}`, state: 'sent', attempts: 1, chaseDueOn: t % 3 === 0 ? '2026-12-01' : '2026-12-10' });
  }
  const waiting = [];
  for (let w = 0; w < WAITING; w++) {
    const id = newId();
    push(received(id, next));
    waiting.push(id);
  }
  const setup = records.length;
  // Each cycle: one arrives, an agent takes the oldest waiting, replies, and closes one held
  // earlier; now and then someone changes presence. Waiting and held stay level.
  for (let c = 0; records.length - setup < EVENTS; c++) {
    const agent = agentName(c % AGENTS);
    const id = newId();
    push(received(id, next));
    waiting.push(id);
    const taken = waiting.shift();
    push({ type: 'enquiry.claimed', enquiryId: taken, agent });
    push({ type: 'enquiry.replied', enquiryId: taken, messageId: `${taken}r`, agent, text: 'It is listed.' });
    push({ type: 'enquiry.closed', enquiryId: held.shift() });
    held.push(taken);
    if (c % 10 === 0) push({ type: 'agent.presence', agent, state: c % 20 === 0 ? 'away' : 'available' });
  }
  return { setupRecords: records.slice(0, setup), stream: records.slice(setup) };
}

function stateOf(records) {
  const state = emptyState();
  for (const r of records) applyEvent(state, r);
  return state;
}

const KNOWN = Array.from({ length: AGENTS }, (_, i) => ({ name: agentName(i), languages: i % 4 === 0 ? ['en', 'cy'] : ['en'], connected: true, heldCap: 3 }));

export async function runCentreBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  print(`centre: ${AGENTS.toLocaleString()} agents, ${WAITING.toLocaleString()} waiting, ${(AGENTS * HELD_EACH).toLocaleString()} held, ${THREADS} court threads; ${EVENTS.toLocaleString()} events per round, ${ROUNDS} rounds (load average ${loadavg()[0].toFixed(2)})`);
  const { setupRecords, stream } = centre();

  // Alternating rounds, each on fresh states, so a noisy moment hits both sides alike.
  const reducerOnly = [];
  const withBoard = [];
  for (let round = 0; round < ROUNDS; round++) {
    const plain = stateOf(setupRecords);
    let t0 = performance.now();
    for (const r of stream) applyEvent(plain, r);
    reducerOnly.push(((performance.now() - t0) * 1000) / stream.length);

    const state = stateOf(setupRecords);
    const board = new Wallboard(state, DEFAULT_THRESHOLDS, new Date(DAY_START));
    t0 = performance.now();
    for (const r of stream) {
      applyEvent(state, r);
      board.apply([r]);
    }
    withBoard.push(((performance.now() - t0) * 1000) / stream.length);
  }
  const reducerUs = percentile(reducerOnly, 0.5);
  const boardUs = percentile(withBoard, 0.5);
  figures.add({ name: 'centre: reducer alone', value: reducerUs, unit: 'µs/event', digits: 2 });
  figures.add({ name: 'centre: reducer + wallboard indexes', value: boardUs, unit: 'µs/event', digits: 2 });
  figures.add({ name: 'centre: wallboard per event, over the reducer', value: boardUs - reducerUs, unit: 'µs/event', digits: 2 });
  figures.note(`rounds (µs/event) reducer ${reducerOnly.map((v) => fmt(v, 2)).join(', ')}; with board ${withBoard.map((v) => fmt(v, 2)).join(', ')}`);

  // The figures themselves, made as a push makes them.
  const state = stateOf([...setupRecords, ...stream]);
  const board = new Wallboard(state, DEFAULT_THRESHOLDS, new Date(DAY_START));
  const now = new Date(Date.parse(stream.at(-1).at) + 1000);
  const made = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    board.figures(KNOWN, now);
    made.push(performance.now() - t0);
  }
  const makeMs = percentile(made, 0.5);
  figures.add({ name: 'centre: wallboard figures made (one push)', value: makeMs, unit: 'ms', digits: 2 });
  figures.note(`p99 ${fmt(percentile(made, 0.99), 2)} ms; at one push per 500 ms that is ${fmt(makeMs / 5, 2)}% of a core while events flow`);

  // take-next at 10,000 waiting, for agents with room under their cap.
  const free = emptyState();
  for (const r of setupRecords) if (r.event.type !== 'enquiry.claimed') applyEvent(free, r);
  const decided = [];
  for (let i = 0; i < TAKE_NEXT_CALLS; i++) {
    const agent = KNOWN[i % AGENTS];
    const t0 = performance.now();
    const taken = decideTakeNext(free, agent, DEFAULT_ROUTING, now.getTime());
    decided.push((performance.now() - t0) * 1000);
    if (!taken.ok) throw new Error(`take-next refused: ${taken.error.message}`);
  }
  figures.add({ name: 'centre: take-next decision, 10,000 waiting, p50', value: percentile(decided, 0.5), unit: 'µs', digits: 0 });
  figures.add({ name: 'centre: take-next decision, 10,000 waiting, p99', value: percentile(decided, 0.99), unit: 'µs', digits: 0 });
  return figures.rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runCentreBench();
