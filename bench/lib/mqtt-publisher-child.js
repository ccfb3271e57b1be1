// Intake load for Mosquitto: one MQTT connection to its plain TCP listener publishing broker-shaped
// enquiry frames (enquiry-load.js) at QoS 1 on a fixed schedule, as posters-child.js paces POSTs.
// A PUBACK plays the part of courtdesk's 201. One connection keeps every message in one order
// (MQTT orders messages per publisher), so each agent can check seq with no gap; the send time is
// stamped just before the packet is written.
import { connect } from 'node:net';
import { enquiryBody, enquiryEventFrame, stampNow } from './enquiry-load.js';
import { announceReady, helperConfig, serveRpc } from './ipc.js';
import { BENCH_TOPIC, CONNACK, PUBACK, connectPacket, packetReader, publishPacket } from './mqtt-packets.js';

const config = helperConfig();
const socket = connect({ host: config.host, port: config.port });
socket.setNoDelay(true);
let seq = 0;
let nextId = 1;
const inflight = new Map();
let connected;
const connack = new Promise((resolve, reject) => {
  connected = resolve;
  socket.once('error', reject);
});

socket.on('data', packetReader((type, flags, body) => {
  if (type === CONNACK) connected(body[1]);
  else if (type === PUBACK) {
    const id = body.readUInt16BE(0);
    const done = inflight.get(id);
    inflight.delete(id);
    done?.();
  }
}));
socket.on('connect', () => socket.write(connectPacket(`bench-publisher-${process.pid}`)));

function publish(result) {
  seq++;
  const id = nextId;
  nextId = (nextId % 65535) + 1;
  if (inflight.has(id)) throw new Error('more than 65,535 publishes awaiting PUBACK');
  const t = stampNow();
  const payload = Buffer.from(JSON.stringify(enquiryEventFrame(seq, enquiryBody(seq, t))));
  return new Promise((resolve) => {
    inflight.set(id, () => {
      result.ok++;
      result.latencies.push(stampNow() - t);
      resolve();
    });
    socket.write(publishPacket(BENCH_TOPIC, payload, id));
  });
}

serveRpc({
  seq: () => seq,
  /** `rate` publishes a second for `durationMs`; resolves once every one is acknowledged. */
  paced: async ({ rate, durationMs }) => {
    const result = { ok: 0, statuses: {}, errors: {}, latencies: [], behind: 0, startedAt: stampNow(), endedAt: 0 };
    const total = Math.floor((rate * durationMs) / 1000);
    const start = performance.now();
    const acks = [];
    let sent = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - start;
        const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
        while (sent < due) {
          sent++;
          acks.push(publish(result));
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    await Promise.race([Promise.all(acks), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (result.ok < total) result.errors.noPuback = total - result.ok;
    result.endedAt = stampNow();
    return result;
  },
  clock: () => stampNow(),
  close: () => {
    socket.destroy();
    setTimeout(() => process.exit(0), 20);
    return true;
  },
});

const code = await connack;
if (code !== 0) throw new Error(`Mosquitto refused the publisher: CONNACK ${code}`);
announceReady({ pid: process.pid });
