// The centre around a watching supervisor, for the wallboard bench: many agents with their
// websockets held open in one process (raw sockets, lib/ws-frames.js, so this side costs far
// less than the broker), some of them holding enquiries, and a steady trickle of work while the
// supervisor is measured: enquiries posted at a paced rate, and agents answering one (reply,
// close) and claiming another.
//
// Only the first agent takes a snapshot; the rest resume from its seq (`?epoch=E&after=N`): they
// are here to be fanned out to and to act, and a thousand 10,000-enquiry welcomes would only make
// the set-up slow. Event frames are counted, not parsed; acks are read to know a command's fate.
import { connect } from 'node:net';
import { announceReady, helperConfig, serveRpc } from './ipc.js';
import { clientFrame, frameReader, upgradeRequest } from './ws-frames.js';

const config = helperConfig();
const target = new URL(config.url);
const WELCOME = Buffer.from('{"type":"welcome"');
const ACK = Buffer.from('{"type":"ack"');

/** `{socket, name, held: [enquiryId], acks: Map(ref -> resolve)}` per agent, in token order. */
const agents = [];
let received = { frames: 0, bytes: 0 };
let nextRef = 1;

function openAgent({ name, token }, query) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    const agent = { socket, name, held: [], acks: new Map(), welcome: null };
    let handshake = '';
    let upgraded = false;
    const timer = setTimeout(() => reject(new Error(`${name}: no welcome within 60 s`)), 60_000);
    const read = frameReader({
      onMessage: (opcode, payload) => {
        if (opcode !== 1) return;
        received.frames++;
        received.bytes += payload.length;
        if (!agent.welcome && payload.subarray(0, WELCOME.length).equals(WELCOME)) {
          const { epoch, seq, resumed } = JSON.parse(payload.toString('utf8'));
          agent.welcome = { epoch, seq, resumed };
          clearTimeout(timer);
          resolve(agent);
        } else if (payload.subarray(0, ACK.length).equals(ACK)) {
          const ack = JSON.parse(payload.toString('utf8'));
          agent.acks.get(ack.ref)?.(ack);
          agent.acks.delete(ack.ref);
        }
      },
      onControl: (opcode, payload) => {
        if (opcode === 9) socket.write(clientFrame(0x0a, payload));
        else if (opcode === 8) socket.destroy();
      },
    });
    socket.on('connect', () => socket.write(upgradeRequest(target, { path: `/v1/agent${query}`, headers: { Authorization: `Bearer ${token}` } })));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk) => {
      let buf = chunk;
      if (!upgraded) {
        handshake += chunk.toString('latin1');
        const end = handshake.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!handshake.startsWith('HTTP/1.1 101')) {
          clearTimeout(timer);
          reject(new Error(`${name}: upgrade refused: ${handshake.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buf = Buffer.from(handshake.slice(end + 4), 'latin1');
        handshake = '';
        if (buf.length === 0) return;
      }
      read(buf);
    });
  });
}

/** Sends a command and resolves with its ack. */
function command(agent, frame) {
  const ref = `w${nextRef++}`;
  return new Promise((resolve) => {
    agent.acks.set(ref, resolve);
    agent.socket.write(clientFrame(1, Buffer.from(JSON.stringify({ ...frame, ref }))));
  });
}

async function claim(agent, enquiryId) {
  const ack = await command(agent, { type: 'claim', enquiryId });
  if (!ack.ok) throw new Error(`${agent.name} could not claim ${enquiryId}: ${ack.error.code} ${ack.error.message}`);
  agent.held.push(enquiryId);
}

/** The trickle: paced posts, and agents answering one enquiry and claiming another. */
let trickle = null;

function startTrickle({ postsPerSecond, answersPerSecond, pool }) {
  const counts = { posted: 0, postFailed: 0, answered: 0, commandFailed: {}, behind: 0 };
  const failed = (code) => (counts.commandFailed[code] = (counts.commandFailed[code] ?? 0) + 1);
  const holders = agents.filter((a) => a.held.length > 0);
  let turn = 0;
  let nextPost = 0;
  let busy = 0;
  const post = async () => {
    const i = nextPost++;
    try {
      const res = await fetch(`${config.url}/v1/enquiries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.intake}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'web', from: `later${i}@example.org`, name: `Later ${i}`, text: `Enquiry later ${i}: where do I send my defence form for claim 305JE126?` }),
      });
      await res.arrayBuffer();
      if (res.status === 201) counts.posted++;
      else counts.postFailed++;
    } catch {
      counts.postFailed++;
    }
  };
  // The newest of what an agent holds is answered, so everyone's oldest held (what orders the
  // wallboard's agents) stays put and the supervisor's j/k walks a list that holds still.
  const answer = async () => {
    const enquiryId = pool.pop();
    if (!enquiryId) return failed('POOL_EMPTY');
    const agent = holders[turn++ % holders.length];
    busy++;
    try {
      const newest = agent.held.at(-1);
      const replied = await command(agent, { type: 'reply', enquiryId: newest, text: 'Your hearing is at 10am; bring the letter and any papers you sent the court.' });
      if (!replied.ok) return failed(replied.error.code);
      const closed = await command(agent, { type: 'close', enquiryId: newest });
      if (!closed.ok) return failed(closed.error.code);
      agent.held.pop();
      await claim(agent, enquiryId).catch(() => failed('CLAIM'));
      counts.answered++;
    } finally {
      busy--;
    }
  };
  const every = (perSecond, act) => {
    if (!(perSecond > 0)) return null;
    const start = performance.now();
    let done = 0;
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * perSecond) / 1000);
      for (; done < due; done++) {
        // A broker that falls behind is not buried deeper: what it cannot take is counted.
        if (busy > 50) counts.behind++;
        else void act();
      }
    }, 10);
    return timer;
  };
  const timers = [every(postsPerSecond, post), every(answersPerSecond, answer)];
  trickle = { counts, timers };
}

serveRpc({
  /** Opens every agent, a few at a time: the first takes a snapshot, the rest resume after it. */
  connect: async () => {
    const first = await openAgent(config.agents[0], '?snapshot=rows');
    agents.push(first);
    const resume = `?epoch=${encodeURIComponent(first.welcome.epoch)}&after=${first.welcome.seq}`;
    let next = 1;
    const worker = async () => {
      while (next < config.agents.length) {
        const i = next++;
        agents[i] = await openAgent(config.agents[i], resume);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    return { connected: agents.length, resumed: agents.filter((a) => a.welcome.resumed).length };
  },
  /** `holdings`: a list of enquiry ids per agent (from the first), claimed in turn so each agent's oldest differs. */
  claim: async ({ holdings }) => {
    const most = Math.max(...holdings.map((h) => h.length));
    for (let round = 0; round < most; round++) {
      await Promise.all(holdings.map((ids, i) => (ids[round] ? claim(agents[i], ids[round]) : null)));
    }
    return { held: agents.reduce((n, a) => n + a.held.length, 0) };
  },
  startTrickle: (args) => {
    startTrickle(args);
    return true;
  },
  /** Counts since the trickle began, and what the agents received since the last call. */
  report: () => {
    const taken = received;
    received = { frames: 0, bytes: 0 };
    return { trickle: trickle?.counts ?? null, received: taken, cpu: process.cpuUsage() };
  },
  close: () => {
    for (const t of trickle?.timers ?? []) if (t) clearInterval(t);
    for (const a of agents) a?.socket.destroy();
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

announceReady({ pid: process.pid });
