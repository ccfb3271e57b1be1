// Enquiry values for pure tests, shaped as the reducer makes them.
import type { Enquiry } from '../../src/domain/enquiry.js';

export const NOW = Date.parse('2025-03-10T12:00:00Z');

export function minutesAgo(minutes: number): string {
  return new Date(NOW - minutes * 60_000).toISOString();
}

let seq = 0;
export function enquiry(overrides: Partial<Enquiry> = {}): Enquiry {
  seq++;
  const at = overrides.receivedAt ?? minutesAgo(5);
  return {
    id: `E${seq}`,
    status: 'waiting',
    channel: 'whatsapp',
    from: '+447700900123',
    name: 'Jane Smith',
    language: 'en',
    callbackUrl: null,
    claimedBy: null,
    caseNumbers: [],
    messages: [{ id: `M${seq}`, author: 'customer', text: 'I need to know when my hearing is', at }],
    escalations: [],
    receivedAt: at,
    receivedSeq: seq,
    waitingSince: at,
    lastCustomerAt: at,
    lastActivityAt: at,
    messageCount: 1,
    preview: 'I need to know when my hearing is',
    messagesLoaded: true,
    ...overrides,
  };
}
