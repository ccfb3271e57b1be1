// The peers bench's pure parts: the saturation search, the verdict table, and the readers its
// measuring clients use (websocket fragments, MQTT packets split anywhere).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the benches, no types
import { saturationSearch } from '../../bench/lib/saturation-search.js';
// @ts-expect-error plain JS module of the benches, no types
import { peerTable, peerVerdict } from '../../bench/lib/peer-table.js';
// @ts-expect-error plain JS module of the benches, no types
import { clientFrame, frameReader } from '../../bench/lib/ws-frames.js';
// @ts-expect-error plain JS module of the benches, no types
import { PUBLISH, packetReader, parsePublish, publishPacket } from '../../bench/lib/mqtt-packets.js';
// @ts-expect-error plain JS module of the benches, no types
import { enquiryBody, readStamp } from '../../bench/lib/enquiry-load.js';

/** Runs a search against a server that holds every rate up to `capacity`. */
function search(capacity: number, options: Record<string, number>) {
  const s = saturationSearch(options);
  for (let rate = s.next(); rate !== null; rate = s.next()) s.record(rate, rate <= capacity);
  return s.result();
}

describe('saturationSearch', () => {
  it('brackets the capacity within the precision, not just the last step of a ramp', () => {
    const r = search(730, { start: 100, factor: 2, precision: 0.05, maxProbes: 20 });
    expect(r.best).toBeLessThanOrEqual(730);
    expect(r.lowestFailed).toBeGreaterThan(730);
    expect((r.lowestFailed - r.best) / r.best).toBeLessThanOrEqual(0.05);
    expect(r.best).toBeGreaterThan(400); // a doubling ramp alone would stop at 400
  });

  it('steps down when even the first rate fails, and gives up at the minimum', () => {
    expect(search(30, { start: 100, factor: 2, precision: 0.1, maxProbes: 20 }).best).toBeGreaterThan(25);
    const none = search(0, { start: 100, factor: 2, min: 20, maxProbes: 20 });
    expect(none.best).toBeNull();
    expect(none.probes.map((p: { rate: number }) => p.rate)).toEqual([100, 50, 25]);
  });

  it('stops at maxProbes and at max', () => {
    expect(search(1e9, { start: 100, maxProbes: 3 }).probes).toHaveLength(3);
    const capped = search(1e9, { start: 100, max: 300, maxProbes: 10 });
    expect(capped.best).toBe(300);
    expect(capped.probes.map((p: { rate: number }) => p.rate)).toEqual([100, 200, 300]);
  });
});

describe('peerVerdict and peerTable', () => {
  it('passes a latency ratio at or under its floor and a throughput ratio at or over it', () => {
    expect(peerVerdict({ courtdesk: 20, peer: 10, floor: 2, better: 'lower' }).pass).toBe(true);
    expect(peerVerdict({ courtdesk: 21, peer: 10, floor: 2, better: 'lower' }).pass).toBe(false);
    expect(peerVerdict({ courtdesk: 99, peer: 100, floor: 1, better: 'higher' }).pass).toBe(false);
    expect(peerVerdict({ courtdesk: 100, peer: 100, floor: 1, better: 'higher' }).ratio).toBe(1);
  });

  it('counts a figure that was not measured as a MISS', () => {
    const v = peerVerdict({ figure: 'x', unit: '/s', courtdesk: NaN, peer: 100, peerName: 'pg', floor: 1, better: 'higher' });
    expect(v.pass).toBe(false);
    expect(peerTable([v])).toMatch(/not measured.*NaN×.*MISS/);
    expect(peerTable([{ ...v, missing: 'none held' }])).toMatch(/none held/);
    expect(peerVerdict({ courtdesk: 5, peer: 0, floor: 1, better: 'higher' }).pass).toBe(false);
    expect(peerVerdict({ courtdesk: 5, peer: 1, floor: 1, better: 'higher', courtdeskLost: true }).pass).toBe(false);
  });

  it('prints the columns the lead quotes', () => {
    const table = peerTable([peerVerdict({ figure: 'intake', unit: '/s', courtdesk: 3000, peer: 1500, peerName: 'PostgreSQL', floor: 1, better: 'higher' })]);
    expect(table.split('\n')[0]).toMatch(/^figure +\| +courtdesk \| +peer \| +ratio \| floor +\| *$/);
    expect(table).toMatch(/2\.00×.*≥ 1\.0×.*PASS/);
  });
});

describe('frameReader', () => {
  it('joins a text message sent in fragments, with a ping between them, however the bytes are cut', () => {
    const text = JSON.stringify({ type: 'welcome', seq: 7, snapshot: { enquiries: 'x'.repeat(70_000) } });
    const a = Buffer.from(text.slice(0, 40_000));
    const b = Buffer.from(text.slice(40_000));
    const head = (first: number, len: number) => {
      const h = Buffer.alloc(4);
      h[0] = first;
      h[1] = 126;
      h.writeUInt16BE(len, 2);
      return h;
    };
    const wire = Buffer.concat([head(0x01, a.length), a, Buffer.from([0x89, 0x01, 0x41]), head(0x80, b.length), b]);
    const messages: string[] = [];
    const controls: number[] = [];
    const push = frameReader({ onMessage: (_op: number, p: Buffer) => messages.push(p.toString()), onControl: (op: number) => controls.push(op) });
    for (let i = 0; i < wire.length; i += 1000) push(wire.subarray(i, i + 1000));
    expect(controls).toEqual([9]);
    expect(messages).toEqual([text]);
  });

  it('reads a masked frame the way it was written', () => {
    const got: Buffer[] = [];
    frameReader({ onMessage: (_op: number, p: Buffer) => got.push(p), onControl: () => {} })(clientFrame(2, Buffer.from('hello')));
    expect(got.map(String)).toEqual(['hello']);
  });
});

describe('MQTT packets', () => {
  it('reads back publishes at QoS 0 and 1 from a stream cut at every byte', () => {
    const big = Buffer.from('y'.repeat(20_000));
    const wire = Buffer.concat([publishPacket('t/a', Buffer.from('one')), publishPacket('t/b', big, 513)]);
    const seen: { topic: string; packetId?: number; size: number }[] = [];
    const push = packetReader((type: number, flags: number, body: Buffer) => {
      expect(type).toBe(PUBLISH);
      const p = parsePublish(flags, body);
      seen.push({ topic: p.topic, packetId: p.packetId, size: p.payload.length });
    });
    for (let i = 0; i < wire.length; i++) push(wire.subarray(i, i + 1));
    expect(seen).toEqual([
      { topic: 't/a', packetId: undefined, size: 3 },
      { topic: 't/b', packetId: 513, size: 20_000 },
    ]);
  });
});

describe('enquiry stamps', () => {
  it('reads back the send time an enquiry carries', () => {
    expect(readStamp(enquiryBody(3, 123456.789).text)).toBe(123456.789);
    expect(readStamp('no stamp here')).toBeNaN();
  });
});
