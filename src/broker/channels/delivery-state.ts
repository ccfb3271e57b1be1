// Receipts arrive out of order and repeated (WhatsApp says so; Twilio retries callbacks), so the
// broker keeps the furthest state it has seen rather than the latest one to arrive.
import type { DeliveryState } from '../../domain/events.js';
import type { ReceiptState } from './types.js';

/**
 * One line, furthest last: pending < sent < failed < delivered < read.
 *
 * - 'failed' beats 'pending' and 'sent': the provider had it and could not hand it over.
 * - 'delivered' and 'read' beat 'failed': they prove the phone got the message, so a 'failed'
 *   arriving after them is stale or contradictory and must not tell the agent it was lost
 *   (and a 'delivered' arriving after a 'failed' corrects it).
 */
const RANK: Record<DeliveryState, number> = { pending: 0, sent: 1, failed: 2, delivered: 3, read: 4 };

/** The state to keep when `incoming` arrives for a message whose state is `current`. Never goes backwards. */
export function laterDeliveryState(current: DeliveryState, incoming: ReceiptState): DeliveryState {
  return RANK[incoming] > RANK[current] ? incoming : current;
}
