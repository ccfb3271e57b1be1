// Measuring clients for the fan-out bench: many agent websockets in one process, each a raw TCP
// socket with a minimal RFC 6455 reader (server frames are unmasked and never fragmented by ws),
// so the measuring side costs far less CPU than the server it measures.
//
// Every client counts every event it receives, whether it came alone (`event`) or coalesced
// (`events`). "Sampled" clients (every sampleEvery-th) parse each frame fully, check seq has no
// gap, and record latency = receipt time - Date.parse(event.at); the others count event entries
// by scanning for `"seq":` without parsing. Same machine, same clock as the server.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { announceReady, helperConfig, serveRpc } from './ipc.js';

const config = helperConfig();
const target = new URL(config.url);
const SEQ = Buffer.from('"seq":');
const WELCOME = Buffer.from('{"type":"welcome"');
/** The posting time the intake producer writes into each enquiry's text. */
const POSTED = / posted=(\d+)/;

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
    let pending = null;
    const timer = setTimeout(() => reject(new Error('no welcome within 60 s')), 60_000);

    socket.on('connect', () => {
      socket.write(
        `GET /v1/agent HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Authorization: Bearer ${token}\r\n\r\n`,
      );
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      if (client.welcomed && !client.closedCode) counters.closes.push('tcp-close');
    });
    socket.on('data', (chunk) => {
      const now = Date.now();
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
      }
      if (pending) {
        buf = Buffer.concat([pending, buf]);
        pending = null;
      }
      let off = 0;
      for (;;) {
        if (buf.length - off < 2) break;
        const b0 = buf[off];
        const b1 = buf[off + 1];
        let len = b1 & 0x7f;
        let hdr = 2;
        if (len === 126) {
          if (buf.length - off < 4) break;
          len = buf.readUInt16BE(off + 2);
          hdr = 4;
        } else if (len === 127) {
          if (buf.length - off < 10) break;
          len = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
          hdr = 10;
        }
        if (buf.length - off < hdr + len) break;
        const payload = buf.subarray(off + hdr, off + hdr + len);
        off += hdr + len;
        const opcode = b0 & 0x0f;
        if (opcode === 1) {
          if (!client.welcomed) {
            if (payload.subarray(0, WELCOME.length).equals(WELCOME)) {
              const welcome = JSON.parse(payload.toString('utf8'));
              client.lastSeq = welcome.seq;
              client.welcomed = true;
              clearTimeout(timer);
              resolve(client);
            }
            continue;
          }
          onText(client, payload, now);
        } else if (opcode === 9) {
          // Answer pings (heartbeat) with a pong; a zero mask leaves the payload as it is.
          socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
        } else if (opcode === 8) {
          client.closedCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          counters.closes.push(client.closedCode);
          socket.destroy();
          return;
        }
      }
      if (off < buf.length) pending = buf.subarray(off);
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
      const posted = POSTED.exec(e.event?.text ?? '');
      if (posted) c.fromPost.push(now - Number(posted[1]));
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
