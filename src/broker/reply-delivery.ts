// Gets each agent reply to the customer: to the enquiry's callback URL, or through its channel
// (the DeliveryWorker schedules, retries and leases it). Every attempt's outcome is an event, so
// a restart knows exactly what is still owed and the transcript shows what reached the customer.
import type { Enquiry, Message } from '../domain/enquiry.js';
import type { BrokerCore } from './core.js';
import type { AttemptOutcome, Delivery, DeliveryKind } from './delivery-worker.js';
import type { SendResult } from './send-result.js';

/** Sends one reply; returns how it went. Never throws for an ordinary failure. `signal` aborts the send (the broker is stopping). */
export type ReplySender = (enquiry: Enquiry, message: Message, signal?: AbortSignal) => Promise<SendResult>;

const actor = { kind: 'system' as const, name: 'delivery' };

/** `senderFor` picks how a reply to this enquiry goes out; null when it has nowhere to go. */
export function replyDeliveries(core: BrokerCore, senderFor: (enquiry: Enquiry) => ReplySender | null, log: (message: string) => void): DeliveryKind {
  const pendingReply = ({ enquiryId, id }: Delivery) => {
    const enquiry = core.state.enquiries.get(enquiryId);
    const message = enquiry?.messages.find((m) => m.id === id);
    return enquiry && message?.delivery?.state === 'pending' ? { enquiry, message, delivery: message.delivery } : undefined;
  };
  return {
    name: 'reply',
    startedBy: (event) => (event.type === 'enquiry.replied' || event.type === 'enquiry.acknowledged' ? { enquiryId: event.enquiryId, id: event.messageId } : undefined),
    *owed() {
      for (const enquiry of core.state.enquiries.values()) {
        for (const m of enquiry.messages) if (m.author === 'agent' && m.delivery?.state === 'pending') yield { enquiryId: enquiry.id, id: m.id };
      }
    },
    isOwed: (d) => pendingReply(d) !== undefined,
    async attempt(d, context): Promise<AttemptOutcome> {
      const found = pendingReply(d);
      if (!found) return { next: 'finished' };
      const { enquiry, message, delivery } = found;
      const messageId = message.id;
      const send = senderFor(enquiry);
      if (!send) {
        // Said once, so the agent's screen tells the truth instead of "delivering" for ever; the
        // reply goes when a broker with the channel configured starts.
        const reason = `${enquiry.channel === 'whatsapp' ? 'WhatsApp' : enquiry.channel === 'sms' ? 'SMS' : enquiry.channel} is switched off on this broker; the reply goes once it is configured`;
        if (delivery.reason !== reason) {
          await core.recordEventually([{ actor, event: { type: 'reply.delivery', enquiryId: enquiry.id, messageId, state: 'pending', attempts: delivery.attempts, reason } }]);
        }
        return { next: 'release' };
      }
      const attempts = delivery.attempts + 1;
      const outcome = await send(enquiry, message, context.signal).catch((err: Error): SendResult => ({ ok: false, temporary: true, reason: err.message }));
      // Abandoned by a stop that could wait no longer: the journal may be closed. Resent after a restart.
      if (context.isStopped()) return { next: 'abandoned' };
      if (outcome.ok) {
        // A callback receiver's 2xx means delivered; channels report later receipts themselves.
        const state = enquiry.callbackUrl ? 'delivered' : 'sent';
        await core.recordEventually([
          { actor, event: { type: 'reply.delivery', enquiryId: enquiry.id, messageId, state, attempts, ...(outcome.providerId ? { externalId: outcome.providerId } : {}) } },
        ]);
        return { next: 'finished' };
      }
      const state = outcome.temporary ? 'pending' : 'failed';
      await core.recordEventually([{ actor, event: { type: 'reply.delivery', enquiryId: enquiry.id, messageId, state, attempts, reason: outcome.reason } }]);
      if (outcome.temporary) return { next: 'retry', afterMs: outcome.retryAfterMs ?? context.backoff(attempts) };
      log(`reply ${messageId} on ${enquiry.id} could not be delivered: ${outcome.reason}`);
      return { next: 'finished' };
    },
  };
}
