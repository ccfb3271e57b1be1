// Measuring agents for the peers bench: hundreds of websocket clients in one process, in named
// groups (one per server under test, so two servers can be measured in turn with the same
// clients connected to both). Each group speaks either the courtdesk agent protocol (courtdesk
// and the bare ws server) or MQTT 3.1.1 over websocket (Mosquitto), over raw sockets.
//
// Every agent JSON-parses every message it receives and checks it: each event's seq must be the
// one after the last it saw (no loss, no reordering), and it counts the enquiries it got. Latency
// is the shared monotonic clock read once the frame is parsed, less the send time the enquiry's
// text carries (enquiry-load.js); it is kept for every sampleEvery-th enquiry of each agent, the
// agents staggered so the samples spread evenly over agents and over time.
import { connect } from 'node:net';
import { readStamp, stampNow } from './enquiry-load.js';
import { announceReady, serveRpc } from './ipc.js';
import { BENCH_TOPIC as TOPIC, CONNACK, PUBLISH, SUBACK, connectPacket, packetReader, parsePublish, subscribePacket } from './mqtt-packets.js';
import { clientFrame, frameReader, upgradeRequest } from './ws-frames.js';

const WELCOME = Buffer.from('{"type":"welcome"');
const groups = new Map();

function freshCounters(sampleEvery = 1) {
  return { sampleEvery, frames: 0, bytes: 0, lastAt: 0, latencies: [], gaps: 0, unparsed: 0, closes: [], cpu: process.cpuUsage() };
}

/** One message for one agent: parse it, check its seqs, count and time its enquiries. */
function onMessage(group, agent, payload) {
  const frame = JSON.parse(payload.toString('utf8'));
  const now = stampNow();
  const c = group.counters;
  c.frames++;
  c.bytes += payload.length;
  c.lastAt = now;
  const entries = frame.type === 'event' ? [frame] : frame.type === 'events' ? frame.events : null;
  if (!entries) {
    c.unparsed++;
    return;
  }
  for (const e of entries) {
    if (e.seq !== agent.lastSeq + 1) c.gaps++;
    agent.lastSeq = e.seq;
    if (e.event?.type !== 'enquiry.received') continue;
    agent.enquiries++;
    if ((agent.enquiries + agent.index) % c.sampleEvery === 0) c.latencies.push(now - readStamp(e.event.text));
  }
}

function openAgent(group, index, token) {
  const target = new URL(group.url);
  const mqtt = group.kind === 'mqtt';
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    const agent = { index, socket, lastSeq: group.seq, enquiries: 0, ready: false, closedCode: 0 };
    const timer = setTimeout(() => reject(new Error(`${group.name}: agent ${index} not ready within 60 s`)), 60_000);
    const ready = () => {
      agent.ready = true;
      clearTimeout(timer);
      resolve(agent);
    };
    const mqttRead = packetReader((type, flags, body) => {
      if (type === PUBLISH) onMessage(group, agent, parsePublish(flags, body).payload);
      else if (type === CONNACK) {
        if (body[1] !== 0) reject(new Error(`${group.name}: CONNACK refused (${body[1]})`));
        else socket.write(clientFrame(2, subscribePacket(1, TOPIC, 0)));
      } else if (type === SUBACK) ready();
    });
    const read = frameReader({
      onMessage: (opcode, payload) => {
        if (mqtt) mqttRead(payload);
        else if (agent.ready) onMessage(group, agent, payload);
        else if (payload.subarray(0, WELCOME.length).equals(WELCOME)) {
          const welcome = JSON.parse(payload.toString('utf8'));
          agent.lastSeq = welcome.seq;
          group.welcome ??= { seq: welcome.seq, enquiries: welcome.snapshot?.enquiries?.length ?? 0, bytes: payload.length };
          ready();
        }
      },
      onControl: (opcode, payload) => {
        if (opcode === 9) socket.write(clientFrame(0x0a, payload));
        else if (opcode === 8) {
          agent.closedCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          group.counters.closes.push(agent.closedCode);
          socket.destroy();
        }
      },
    });
    let handshake = '';
    socket.on('connect', () => {
      const headers = mqtt ? { 'Sec-WebSocket-Protocol': 'mqtt' } : { Authorization: `Bearer ${token}` };
      socket.write(upgradeRequest(target, { path: mqtt ? '/mqtt' : '/v1/agent', headers }));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      if (agent.ready && !agent.closedCode && !group.closing) group.counters.closes.push('tcp-close');
    });
    socket.on('data', (chunk) => {
      if (handshake !== null) {
        handshake += chunk.toString('latin1');
        const end = handshake.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!handshake.startsWith('HTTP/1.1 101')) {
          clearTimeout(timer);
          reject(new Error(`${group.name}: upgrade refused: ${handshake.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        const rest = Buffer.from(handshake.slice(end + 4), 'latin1');
        handshake = null;
        if (mqtt) socket.write(clientFrame(2, connectPacket(`bench-${process.pid}-${index}`)));
        if (rest.length) read(rest);
        return;
      }
      read(chunk);
    });
  });
}

serveRpc({
  /** Opens a group's agents (20 at a time) and waits until each is welcomed or subscribed. */
  connect: async ({ name, kind, url, tokens, firstIndex, seq = 0 }) => {
    const group = { name, kind, url, seq, agents: [], counters: freshCounters(), closing: false };
    groups.set(name, group);
    let next = 0;
    const worker = async () => {
      while (next < tokens.length) {
        const i = next++;
        group.agents.push(await openAgent(group, firstIndex + i, tokens[i]));
      }
    };
    await Promise.all(Array.from({ length: Math.min(20, tokens.length) }, worker));
    return { connected: group.agents.length };
  },
  reset: ({ name, sampleEvery }) => {
    const group = groups.get(name);
    group.counters = freshCounters(sampleEvery);
    for (const a of group.agents) a.enquiries = 0;
    return true;
  },
  /** Enquiries received since the reset (total, fewest and most for one agent), checks, latencies when asked. */
  report: ({ name, withLatencies = false }) => {
    const group = groups.get(name);
    const { latencies, cpu, ...rest } = group.counters;
    let fewest = Infinity;
    let most = 0;
    let enquiries = 0;
    for (const a of group.agents) {
      enquiries += a.enquiries;
      fewest = Math.min(fewest, a.enquiries);
      most = Math.max(most, a.enquiries);
    }
    return { ...rest, agents: group.agents.length, welcome: group.welcome, enquiries, fewest, most, cpu: process.cpuUsage(cpu), ...(withLatencies ? { latencies } : {}) };
  },
  disconnect: ({ name }) => {
    const group = groups.get(name);
    group.closing = true;
    for (const a of group.agents) a.socket.destroy();
    groups.delete(name);
    return true;
  },
  clock: () => stampNow(),
  close: () => {
    for (const g of groups.values()) {
      g.closing = true;
      for (const a of g.agents) a.socket.destroy();
    }
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

announceReady({ pid: process.pid });
