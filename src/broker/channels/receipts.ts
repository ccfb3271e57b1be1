// Delivery receipts: which of our replies a provider's message id names, and the `reply.delivery`
// events its receipts call for (only those that move the reply on; repeats and stale ones record nothing).
import type { State } from '../../domain/enquiry.js';
import type { CourtdeskEvent, DeliveryState } from '../../domain/events.js';
import type { EventEntry } from '../../protocol/frames.js';
import { laterDeliveryState } from './delivery-state.js';
import type { ChannelName, StatusUpdate } from './types.js';

interface SentReply {
  enquiryId: string;
  messageId: string;
}

/** Provider message id → the agent reply it carried, for every reply a channel accepted. */
export class SentReplies {
  /**
   * Built from the state at the first receipt rather than at start: on a long history that is a
   * look at every message (0.2 s at 1,000,000 events) which a broker whose channels are off, or
   * that gets no receipt for a while, need not wait for. An id it finds in the state before that
   * id's event is durable is the provider's own for that reply all the same.
   */
  private byExternalId: Map<string, SentReply> | undefined;

  constructor(private readonly state: () => State) {}

  /** Learns the ids in newly durable events. */
  learn(entries: readonly EventEntry[]): void {
    if (!this.byExternalId) return;
    const state = this.state();
    for (const { event } of entries) {
      if (event.type !== 'reply.delivery' || event.externalId === undefined) continue;
      const channel = state.enquiries.get(event.enquiryId)?.channel;
      if (channel === 'whatsapp' || channel === 'sms') {
        this.byExternalId.set(key(channel, event.externalId), { enquiryId: event.enquiryId, messageId: event.messageId });
      }
    }
  }

  find(channel: ChannelName, externalId: string): SentReply | undefined {
    this.byExternalId ??= indexSentReplies(this.state());
    return this.byExternalId.get(key(channel, externalId));
  }
}

/** Every reply in `state` that a channel accepted, by the provider's id for it. */
function indexSentReplies(state: State): Map<string, SentReply> {
  const index = new Map<string, SentReply>();
  for (const e of state.enquiries.values()) {
    if (e.channel !== 'whatsapp' && e.channel !== 'sms') continue;
    for (const m of e.messages) {
      if (m.delivery?.externalId !== undefined) index.set(key(e.channel, m.delivery.externalId), { enquiryId: e.id, messageId: m.id });
    }
  }
  return index;
}

function key(channel: ChannelName, externalId: string): string {
  return `${channel}\u0000${externalId}`;
}

export interface ReceiptEvents {
  events: CourtdeskEvent[];
  /** Receipts for messages courtdesk did not send (or has no record of): ignored. */
  unknown: number;
}

/**
 * The events `updates` call for. Receipts come out of order and repeated, so each reply keeps the
 * furthest state seen (laterDeliveryState), judged also against earlier receipts in the same batch.
 */
export function receiptEvents(state: State, sent: SentReplies, updates: readonly StatusUpdate[]): ReceiptEvents {
  const out: ReceiptEvents = { events: [], unknown: 0 };
  const reached = new Map<string, DeliveryState>();
  for (const update of updates) {
    const reply = sent.find(update.channel, update.externalId);
    const message = reply && state.enquiries.get(reply.enquiryId)?.messages.find((m) => m.id === reply.messageId);
    if (!reply || !message?.delivery) {
      out.unknown++;
      continue;
    }
    const current = reached.get(message.id) ?? message.delivery.state;
    const next = laterDeliveryState(current, update.state);
    if (next === current) continue;
    reached.set(message.id, next);
    out.events.push({
      type: 'reply.delivery',
      enquiryId: reply.enquiryId,
      messageId: reply.messageId,
      state: next,
      // The attempt this receipt is about; a lower count would let the fold treat it as stale.
      attempts: message.delivery.attempts,
      ...(next === 'failed' ? { reason: update.error ?? `${update.channel === 'sms' ? 'Twilio' : 'WhatsApp'} reported that the message failed, without saying why` } : {}),
    });
  }
  return out;
}
