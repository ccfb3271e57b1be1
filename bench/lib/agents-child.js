// Measuring clients for the fan-out bench: many agent websockets in one process, each a raw TCP
// socket with a minimal RFC 6455 reader (lib/ws-frames.js; it joins a welcome sent in fragments),
// so the measuring side costs far less CPU than the server it measures.
//
// Every client counts every event it receives, whether it came alone (`event`) or coalesced
// (`events`). "Sampled" clients (every sampleEvery-th) parse each frame fully, check seq has no
// gap, and record latency = receipt time - Date.parse(event.at); the others count event entries
// by scanning for `"seq":` without parsing. Same machine, same clock as the server.
import { connect } from 'node:net';
import { readStamp, stampNow } from './enquiry-load.js';
import { announceReady, helperConfig, serveRpc } from './ipc.js';
import { clientFrame, frameReader, upgradeRequest } from './ws-frames.js';

const config = helperConfig();
const target = new URL(config.url);
const SEQ = Buffer.from('"seq":');
const WELCOME = Buffer.from('{"type":"welcome"');

let counters = freshCounters();
let cpuAtReset = process.cpuUsage();
const clients = [];

function freshCounters() {
  return { events: 0, frames: 0, bytes: 0, firstAt: 0, lastAt: 0, latencies: [], fromPost: [], gaps: 0, otherFrames: 0, closes: [], sampledEvents: 0 };
}

function openClient(token, sampled) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    const client = { socket, sampled, lastSeq: -1, welcomed: false };
    let handshake = '';
    const timer = setTimeout(() => reject(new Error('no welcome within 60 s')), 60_000);
    let now = 0;
    const read = frameReader({
      onMessage: (opcode, payload) => {
        if (opcode !== 1) return;
        if (!client.welcomed) {
          if (payload.subarray(0, WELCOME.length).equals(WELCOME)) {
            const welcome = JSON.parse(payload.toString('utf8'));
            client.lastSeq = welcome.seq;
            client.welcomed = true;
            clearTimeout(timer);
            resolve(client);
          }
          return;
        }
        onText(client, payload, now);
      },
      onControl: (opcode, payload) => {
        // Answer pings (heartbeat) with a pong.
        if (opcode === 9) socket.write(clientFrame(0x0a, payload));
        else if (opcode === 8) {
          client.closedCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          counters.closes.push(client.closedCode);
          socket.destroy();
        }
      },
    });

    socket.on('connect', () => {
      socket.write(upgradeRequest(target, { path: '/v1/agent', headers: { Authorization: `Bearer ${token}` } }));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      if (client.welcomed && !client.closedCode) counters.closes.push('tcp-close');
    });
    socket.on('data', (chunk) => {
      now = Date.now();
      let buf = chunk;
      if (!client.upgraded) {
        handshake += chunk.toString('latin1');
        const end = handshake.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!handshake.startsWith('HTTP/1.1 101')) {
          clearTimeout(timer);
          reject(new Error(`upgrade refused: ${handshake.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        client.upgraded = true;
        buf = Buffer.from(handshake.slice(end + 4), 'latin1');
        handshake = '';
        if (buf.length === 0) return;
      }
      read(buf);
    });
  });
}

function onText(client, payload, now) {
  const c = counters;
  c.frames++;
  c.bytes += payload.length;
  if (c.firstAt === 0) c.firstAt = now;
  c.lastAt = now;
  if (client.sampled) {
    const frame = JSON.parse(payload.toString('utf8'));
    const entries = frame.type === 'event' ? [frame] : frame.type === 'events' ? frame.events : null;
    if (!entries) {
      c.otherFrames++;
      return;
    }
    for (const e of entries) {
      if (e.seq !== client.lastSeq + 1) c.gaps++;
      client.lastSeq = e.seq;
      c.latencies.push(now - Date.parse(e.at));
      // The send time the poster stamped into the text, on the machine-wide monotonic clock.
      const posted = readStamp(e.event?.text);
      if (!Number.isNaN(posted)) c.fromPost.push(stampNow() - posted);
    }
    c.events += entries.length;
    c.sampledEvents += entries.length;
    return;
  }
  let n = 0;
  for (let i = payload.indexOf(SEQ); i !== -1; i = payload.indexOf(SEQ, i + SEQ.length)) n++;
  if (n === 0) c.otherFrames++;
  c.events += n;
}

serveRpc({
  /** Opens every client (a few at a time) and waits for each one's welcome. */
  connect: async () => {
    const tokens = config.tokens;
    let next = 0;
    const worker = async () => {
      while (next < tokens.length) {
        const i = next++;
        clients.push(await openClient(tokens[i], (config.firstIndex + i) % config.sampleEvery === 0));
      }
    };
    await Promise.all(Array.from({ length: Math.min(20, tokens.length) }, worker));
    return { connected: clients.length, sampled: clients.filter((c) => c.sampled).length };
  },
  reset: () => {
    counters = freshCounters();
    cpuAtReset = process.cpuUsage();
    return true;
  },
  /** Counts so far; latencies only when asked (they can be long). */
  report: ({ withLatencies = false }) => {
    const { latencies, fromPost, ...rest } = counters;
    return { ...rest, cpu: process.cpuUsage(cpuAtReset), samples: latencies.length, ...(withLatencies ? { latencies, fromPost } : {}) };
  },
  close: () => {
    for (const c of clients) c.socket.destroy();
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

announceReady({ pid: process.pid });
