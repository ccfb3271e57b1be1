// Random bytes for ids and encryption IVs, taken from one buffer refilled from the system's
// CSPRNG. One intake writes an enquiry id, a message id and an IV or two, and each small
// randomBytes call is its own trip into OpenSSL: about 10% of the broker's core at 8,000
// enquiries/s (bench/intake.js profile). Every byte is handed out once and never again, which
// AES-GCM's IVs require; the bytes are the same CSPRNG output randomBytes would give.
import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let next = POOL_BYTES;

/** `length` fresh random bytes, in a buffer of their own. */
export function randomPooled(length: number): Buffer {
  if (length > POOL_BYTES) return randomBytes(length);
  if (next + length > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const out = Buffer.from(pool.subarray(next, next + length));
  // Wiped as it is handed out, so nothing given once is still in the pool to be given again.
  pool.fill(0, next, next + length);
  next += length;
  return out;
}
