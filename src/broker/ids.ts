// Ids that people read aloud and type: short, upper-case, no look-alike letters (Crockford base32).
import { randomPooled } from './random-pool.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomId(prefix: string, length: number): string {
  const bytes = randomPooled(length);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

/** 8 random characters: 2^40 ids, collisions checked by the caller against state. */
export const newEnquiryId = (): string => randomId('E', 8);
export const newMessageId = (): string => randomId('M', 12);
export const newEscalationId = (): string => randomId('X', 8);
