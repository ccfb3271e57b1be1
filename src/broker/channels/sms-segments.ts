// How an SMS is cut up on the way to the phone. A message in the GSM 03.38 alphabet travels as
// 7-bit septets, 160 to a single SMS; anything else (Welsh ŵ ŷ â, emoji, curly quotes) forces
// UCS-2, 70 UTF-16 units to a single SMS. Longer messages go as concatenated parts that lose 7
// septets / 3 units each to the header that joins them up again: 153 or 67 per part.

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Reached through an escape septet, so each costs two. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  /** How many SMS it goes out as; 0 for empty text. */
  parts: number;
  /** The first character outside the GSM alphabet, when there is one: why it is UCS-2. */
  forcedBy?: string;
}

const LIMITS: Record<SmsEncoding, { single: number; perPart: number }> = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
};

function encode(text: string): { encoding: SmsEncoding; costs: Array<[string, number]>; forcedBy?: string } {
  const chars = [...text];
  const forcedBy = chars.find((c) => !GSM_BASIC.has(c) && !GSM_EXTENSION.has(c));
  if (forcedBy !== undefined) {
    return { encoding: 'UCS-2', costs: chars.map((c) => [c, c.length]), forcedBy };
  }
  return { encoding: 'GSM-7', costs: chars.map((c) => [c, GSM_EXTENSION.has(c) ? 2 : 1]) };
}

/** Cuts where the carrier would, but never through an escape pair or a surrogate pair. */
function cut(costs: Array<[string, number]>, encoding: SmsEncoding): string[] {
  const units = costs.reduce((n, [, cost]) => n + cost, 0);
  if (units === 0) return [];
  const { single, perPart } = LIMITS[encoding];
  if (units <= single) return [costs.map(([c]) => c).join('')];
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const [c, cost] of costs) {
    if (used + cost > perPart) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += c;
    used += cost;
  }
  parts.push(part);
  return parts;
}

export function smsSegments(text: string): SmsSegments {
  const { encoding, costs, forcedBy } = encode(text);
  return {
    encoding,
    units: costs.reduce((n, [, cost]) => n + cost, 0),
    parts: cut(costs, encoding).length,
    ...(forcedBy !== undefined ? { forcedBy } : {}),
  };
}

export type SmsSplit =
  | { ok: true; encoding: SmsEncoding; parts: string[] }
  | { ok: false; reason: string; needed: number };

/**
 * The parts a reply goes out as, or why it cannot go. Send the whole text as one Twilio message:
 * Twilio cuts it into these same parts and the phone joins them up; this tells the broker (and the
 * agent) how many there will be, and refuses what would take more than `maxParts`.
 */
export function splitSms(text: string, maxParts = 10): SmsSplit {
  const { encoding, costs, forcedBy } = encode(text);
  const parts = cut(costs, encoding);
  if (parts.length === 0) return { ok: false, reason: 'The reply is empty: there is nothing to send.', needed: 0 };
  if (parts.length <= maxParts) return { ok: true, encoding, parts };
  const room = maxParts === 1 ? LIMITS[encoding].single : maxParts * LIMITS[encoding].perPart;
  const why = forcedBy !== undefined
    ? ` It contains ${JSON.stringify(forcedBy)}, which is outside the SMS alphabet, so each part holds only ${LIMITS['UCS-2'].perPart} characters.`
    : '';
  return {
    ok: false,
    needed: parts.length,
    reason: `The reply is too long for SMS: it needs ${parts.length} parts and at most ${maxParts} are sent (about ${room} characters).${why} Shorten it or split it into separate replies.`,
  };
}
