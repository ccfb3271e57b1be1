// The few MQTT 3.1.1 packets the peers bench needs (CONNECT, SUBSCRIBE, PUBLISH at QoS 0 and 1,
// PUBACK), encoded and decoded by hand. Written here rather than taken from the `mqtt` package:
// the measuring clients must cost the same per message for every server they measure, and the
// same raw-socket reader and one JSON.parse per message is what the courtdesk side gets; mqtt.js
// runs each client through streams and an event emitter per packet, which would load the
// measuring core more for Mosquitto than for courtdesk and flatter neither.
import { lengthPrefixedReader } from './length-prefixed.js';

/** The one topic the bench publishes enquiries on and every agent subscribes to. */
export const BENCH_TOPIC = 'courtdesk/bench/enquiries';

export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const SUBACK = 9;

function remainingLength(n) {
  const bytes = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function str(s) {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function packet(firstByte, body) {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

/** CONNECT with a clean session and keep-alive off (the bench's runs are short and local). */
export function connectPacket(clientId) {
  return packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0]), str(clientId)]));
}

export function subscribePacket(packetId, topic, qos = 0) {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId, 0);
  return packet(0x82, Buffer.concat([id, str(topic), Buffer.from([qos])]));
}

/** PUBLISH at QoS 0 (packetId omitted) or QoS 1. */
export function publishPacket(topic, payload, packetId) {
  if (packetId === undefined) return packet(0x30, Buffer.concat([str(topic), payload]));
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId, 0);
  return packet(0x32, Buffer.concat([str(topic), id, payload]));
}

/**
 * Returns `push(chunk)`, which calls `onPacket(type, flags, body)` for every whole packet in the
 * byte stream, however the stream was cut into chunks (or websocket messages).
 */
export function packetReader(onPacket) {
  return lengthPrefixedReader(fixedHeader, (buf, off, start, length) => onPacket(buf[off] >> 4, buf[off] & 0x0f, buf.subarray(start, start + length)));
}

/** The fixed header: the type and flags byte, then the remaining length in 1 to 4 bytes of 7 bits. */
function fixedHeader(buf, off, at) {
  if (buf.length - off < 2) return false;
  let length = 0;
  let mult = 1;
  for (let i = off + 1; i < buf.length && i < off + 5; i++) {
    length += (buf[i] & 0x7f) * mult;
    mult *= 128;
    if ((buf[i] & 0x80) === 0) {
      at.start = i + 1;
      at.length = length;
      return true;
    }
  }
  if (buf.length >= off + 5) throw new Error('mqtt: remaining length longer than 4 bytes');
  return false;
}

/** Topic, packet id (QoS 1 and 2 only) and payload of a PUBLISH body. */
export function parsePublish(flags, body) {
  const topicLength = body.readUInt16BE(0);
  const topic = body.toString('utf8', 2, 2 + topicLength);
  const qos = (flags >> 1) & 3;
  if (qos === 0) return { topic, packetId: undefined, payload: body.subarray(2 + topicLength) };
  return { topic, packetId: body.readUInt16BE(2 + topicLength), payload: body.subarray(4 + topicLength) };
}
