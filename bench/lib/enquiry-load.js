// What the load generators send and the measuring clients read back: a realistic web-form
// enquiry carrying the moment it was sent, and the broker-shaped event frame the peers (bare ws,
// Mosquitto) broadcast for it, so every server carries the same bytes per enquiry.
//
// The clock is process.hrtime (CLOCK_MONOTONIC on Linux): one clock for every process on the
// machine, not adjusted by NTP, so a stamp taken in the poster's process and a reading taken in
// an agent's process subtract with no offset. clockCheck() in each child lets the parent confirm it.
import { randomBytes } from 'node:crypto';

export const CLOCK = 'process.hrtime.bigint() (CLOCK_MONOTONIC, shared by all processes on the machine)';

/** Milliseconds on the shared monotonic clock. */
export const stampNow = () => Number(process.hrtime.bigint()) / 1e6;

const STAMP = ' t:';

/** A web-form enquiry of about 170 characters, from a sender not seen before, stamped `sentAt`. */
export function enquiryBody(i, sentAt) {
  return {
    channel: 'web',
    from: `caller-${process.pid}-${i}@example.org`,
    name: 'Ann Jones',
    text:
      `Hello, my hearing about claim 305JE126 is listed for next Tuesday at the county court. ` +
      `Which room do I go to, and do I bring the letter? Ref ${i}${STAMP}${sentAt.toFixed(3)}`,
  };
}

/** The send time an enquiry's text carries, or NaN. */
export function readStamp(text) {
  const at = typeof text === 'string' ? text.lastIndexOf(STAMP) : -1;
  return at === -1 ? NaN : Number(text.slice(at + STAMP.length));
}

/** An `event` frame shaped like the broker's for an enquiry it received (the peers send this). */
export function enquiryEventFrame(seq, body) {
  return {
    type: 'event',
    seq,
    at: new Date().toISOString(),
    actor: { kind: 'intake', name: 'bench-intake' },
    event: {
      type: 'enquiry.received',
      enquiryId: `E${randomBytes(5).toString('hex').toUpperCase()}`,
      messageId: `M${randomBytes(6).toString('hex').toUpperCase()}`,
      channel: body.channel,
      from: body.from,
      name: body.name ?? null,
      text: body.text,
      language: 'en',
      callbackUrl: null,
    },
  };
}
