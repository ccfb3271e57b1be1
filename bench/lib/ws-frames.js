// A minimal RFC 6455 reader and writer for the benches' measuring clients: raw TCP sockets cost far
// less CPU than a full websocket library, so the measuring side stays lighter than what it measures.
// The reader joins a message sent in fragments (FIN clear, then continuation frames), as the broker
// does for a large welcome, and passes control frames through as they come, even between fragments.
import { lengthPrefixedReader } from './length-prefixed.js';

/**
 * Returns `push(chunk)`: feed it what the socket reads after the upgrade. Calls
 * `onMessage(opcode, payload)` for each whole text (1) or binary (2) message and
 * `onControl(opcode, payload)` for close (8), ping (9) and pong (10).
 */
export function frameReader({ onMessage, onControl }) {
  let fragments = null;
  let fragmentOpcode = 0;
  return lengthPrefixedReader(frameHeader, (buf, off, start, length) => {
    let payload = buf.subarray(start, start + length);
    if ((buf[off + 1] & 0x80) !== 0) payload = unmask(payload, buf.subarray(start - 4, start));
    const fin = (buf[off] & 0x80) !== 0;
    const opcode = buf[off] & 0x0f;
    if (opcode >= 8) {
      onControl(opcode, payload);
    } else if (opcode === 0) {
      if (!fragments) throw new Error('websocket: continuation frame with no message begun');
      fragments.push(payload);
      if (fin) {
        const whole = Buffer.concat(fragments);
        fragments = null;
        onMessage(fragmentOpcode, whole);
      }
    } else if (fin) {
      onMessage(opcode, payload);
    } else {
      // Copied: the socket's chunk is not ours to keep past this call.
      fragments = [Buffer.from(payload)];
      fragmentOpcode = opcode;
    }
  });
}

/** A frame's header: FIN and opcode, the mask bit and a 7-bit length, or 126/127 and a 16/64-bit one, then a mask key when masked. */
function frameHeader(buf, off, at) {
  if (buf.length - off < 2) return false;
  const b1 = buf[off + 1];
  let length = b1 & 0x7f;
  let size = 2;
  if (length === 126) {
    if (buf.length - off < 4) return false;
    length = buf.readUInt16BE(off + 2);
    size = 4;
  } else if (length === 127) {
    if (buf.length - off < 10) return false;
    length = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
    size = 10;
  }
  if ((b1 & 0x80) !== 0) size += 4;
  at.start = off + size;
  at.length = length;
  return true;
}

function unmask(payload, key) {
  const out = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i] ^ key[i & 3];
  return out;
}

/**
 * One client frame (clients must mask): FIN set, the given opcode, a zero mask key, so the
 * payload goes as it is.
 */
export function clientFrame(opcode, payload) {
  const len = payload.length;
  let head;
  if (len < 126) head = Buffer.from([0x80 | opcode, 0x80 | len, 0, 0, 0, 0]);
  else if (len < 65536) {
    head = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0, 0, 0, 0, 0]);
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(14);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    head.writeUInt32BE(len >>> 0, 6);
  }
  return Buffer.concat([head, payload]);
}

/** The client half of the HTTP upgrade request. */
export function upgradeRequest(url, { path, headers = {} }) {
  const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('base64');
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}
