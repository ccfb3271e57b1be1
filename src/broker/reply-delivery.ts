// Gets each agent reply to the customer: to the enquiry's callback URL, or through its channel.
// Every attempt's outcome is an event, so a restart knows exactly what is still owed and the
// transcript shows what reached the customer.
import type { Enquiry, Message } from '../domain/enquiry.js';
import type { EventEntry } from '../protocol/frames.js';
import type { BrokerCore } from './core.js';
import { RetryTimers, type RetryPolicy } from './retry.js';
import type { SendResult } from './send-result.js';

/** Sends one reply; returns how it went. Never throws for an ordinary failure. `signal` aborts the send (the broker is stopping). */
export type ReplySender = (enquiry: Enquiry, message: Message, signal?: AbortSignal) => Promise<SendResult>;

export interface ReplyDeliveryOptions extends RetryPolicy {
  /** Picks how a reply to this enquiry goes out; null when it has nowhere to go. */
  senderFor(enquiry: Enquiry): ReplySender | null;
  log(message: string): void;
}

export class ReplyDelivery {
  private readonly retries: RetryTimers;

  constructor(
    private readonly core: BrokerCore,
    private readonly options: ReplyDeliveryOptions,
  ) {
    this.retries = new RetryTimers(options);
    // Another node that recorded it sends it: one send per reply across the nodes.
    core.onCommit((entries, remote) => remote || this.onCommit(entries));
  }

  /** Picks up replies a previous run left undelivered. */
  resumePending(): void {
    for (const enquiry of this.core.state.enquiries.values()) {
      for (const m of enquiry.messages) {
        if (m.author === 'agent' && m.delivery?.state === 'pending') this.schedule(enquiry.id, m.id, 0);
      }
    }
  }

  /** Stops retrying; resolves once the replies being sent are done, or the grace is over. */
  stop(): Promise<void> {
    return this.retries.stop();
  }

  private onCommit(entries: EventEntry[]): void {
    for (const { event } of entries) {
      if (event.type === 'enquiry.replied' || event.type === 'enquiry.acknowledged') this.schedule(event.enquiryId, event.messageId, 0);
    }
  }

  private schedule(enquiryId: string, messageId: string, delayMs: number): void {
    this.retries.schedule(messageId, delayMs, (signal) =>
      this.attempt(enquiryId, messageId, signal).catch((err: Error) => this.options.log(`reply ${messageId} on ${enquiryId}: its outcome was not recorded (${err.message}); it is sent again after a restart`)),
    );
  }

  private async attempt(enquiryId: string, messageId: string, signal: AbortSignal): Promise<void> {
    const enquiry = this.core.state.enquiries.get(enquiryId);
    const message = enquiry?.messages.find((m) => m.id === messageId);
    if (!enquiry || !message?.delivery || message.delivery.state !== 'pending') return;
    const send = this.options.senderFor(enquiry);
    if (!send) {
      // Said once, so the agent's screen tells the truth instead of "delivering" for ever; the
      // reply goes when a broker with the channel configured starts.
      const reason = `${enquiry.channel === 'whatsapp' ? 'WhatsApp' : enquiry.channel === 'sms' ? 'SMS' : enquiry.channel} is switched off on this broker; the reply goes once it is configured`;
      if (message.delivery.reason !== reason) {
        const actor = { kind: 'system' as const, name: 'delivery' };
        await this.core.recordEventually([{ actor, event: { type: 'reply.delivery', enquiryId, messageId, state: 'pending', attempts: message.delivery.attempts, reason } }]);
      }
      return;
    }
    const attempts = message.delivery.attempts + 1;
    const outcome = await send(enquiry, message, signal).catch((err: Error): SendResult => ({ ok: false, temporary: true, reason: err.message }));
    // Abandoned by a stop that could wait no longer: the journal may be closed. Resent after a restart.
    if (this.retries.isStopped) return;
    const actor = { kind: 'system' as const, name: 'delivery' };
    if (outcome.ok) {
      await this.core.recordEventually([
        {
          actor,
          event: {
            type: 'reply.delivery',
            enquiryId,
            messageId,
            // A callback receiver's 2xx means delivered; channels report later receipts themselves.
            state: enquiry.callbackUrl ? 'delivered' : 'sent',
            attempts,
            ...(outcome.providerId ? { externalId: outcome.providerId } : {}),
          },
        },
      ]);
      return;
    }
    const state = outcome.temporary ? 'pending' : 'failed';
    await this.core.recordEventually([{ actor, event: { type: 'reply.delivery', enquiryId, messageId, state, attempts, reason: outcome.reason } }]);
    if (!outcome.temporary) {
      this.options.log(`reply ${messageId} on ${enquiryId} could not be delivered: ${outcome.reason}`);
      return;
    }
    this.schedule(enquiryId, messageId, outcome.retryAfterMs ?? this.retries.backoff(attempts));
  }
}
