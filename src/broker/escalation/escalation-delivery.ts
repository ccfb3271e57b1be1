// Sends each court email through the configured transport: an escalation is an event first, then
// delivered, with every attempt's outcome recorded. Temporary failures are retried with backoff;
// a restart resumes whatever is still queued, so nothing an agent escalated is lost.
import type { Escalation } from '../../domain/enquiry.js';
import { chaseDueOn } from '../../domain/working-days.js';
import type { EventEntry } from '../../protocol/frames.js';
import type { BrokerCore } from '../core.js';
import { RetryTimers, type RetryPolicy } from '../retry.js';
import type { SendResult } from '../send-result.js';
import type { EmailTransport } from './transports/index.js';

export interface EscalationDeliveryOptions extends RetryPolicy {
  transport: EmailTransport;
  /** Working days (England and Wales) an email may go unanswered before it is due a chase. */
  chaseAfterWorkingDays: number;
  log(message: string): void;
}

export class EscalationDelivery {
  private readonly retries: RetryTimers;

  constructor(
    private readonly core: BrokerCore,
    private readonly options: EscalationDeliveryOptions,
  ) {
    this.retries = new RetryTimers(options);
    // Another node that recorded it sends it: one send per reply across the nodes.
    core.onCommit((entries, remote) => remote || this.onCommit(entries));
  }

  resumePending(): void {
    for (const enquiry of this.core.state.enquiries.values()) {
      for (const x of enquiry.escalations) {
        if (x.status === 'queued') this.schedule(enquiry.id, x.id, 0);
      }
    }
  }

  /** Stops retrying; once the emails being sent are done (or the grace is over), closes the transport. */
  async stop(): Promise<void> {
    await this.retries.stop();
    await this.options.transport.close();
  }

  private onCommit(entries: EventEntry[]): void {
    for (const { event } of entries) {
      if (event.type === 'escalation.created') this.schedule(event.enquiryId, event.escalationId, 0);
    }
  }

  private schedule(enquiryId: string, escalationId: string, delayMs: number): void {
    this.retries.schedule(escalationId, delayMs, (signal) =>
      this.attempt(enquiryId, escalationId, signal).catch((err: Error) => this.options.log(`escalation ${escalationId}: its outcome was not recorded (${err.message}); it is sent again after a restart`)),
    );
  }

  private async attempt(enquiryId: string, escalationId: string, signal: AbortSignal): Promise<void> {
    const enquiry = this.core.state.enquiries.get(enquiryId);
    const escalation = enquiry?.escalations.find((x) => x.id === escalationId);
    if (!escalation || escalation.status !== 'queued') return;
    const attempts = escalation.attempts + 1;
    const result = await this.options.transport
      .send(emailOf(escalation), signal)
      .catch((err: Error): SendResult => ({ ok: false, temporary: true, reason: err.message }));
    // Abandoned by a stop that could wait no longer: the journal may be closed. Resent after a restart.
    if (this.retries.isStopped) return;
    const actor = { kind: 'system' as const, name: 'mail' };
    if (result.ok) {
      await this.core.recordEventually([
        {
          actor,
          event: {
            type: 'escalation.delivery',
            enquiryId,
            escalationId,
            state: 'sent',
            attempts,
            chaseDueOn: chaseDueOn(new Date(), escalation.chaseAfterDays ?? this.options.chaseAfterWorkingDays),
            ...(result.providerId ? { providerId: result.providerId } : {}),
          },
        },
      ]);
      return;
    }
    const state = result.temporary ? 'retrying' : 'failed';
    await this.core.recordEventually([{ actor, event: { type: 'escalation.delivery', enquiryId, escalationId, state, attempts, reason: result.reason } }]);
    if (result.temporary) {
      this.schedule(enquiryId, escalationId, result.retryAfterMs ?? this.retries.backoff(attempts));
    } else {
      this.options.log(`escalation ${escalationId} to ${escalation.courtName} failed: ${result.reason}`);
    }
  }
}

function emailOf(x: Escalation) {
  return { to: x.to, subject: x.subject, text: x.text, plain: x.plain ?? x.text, html: x.html, reference: x.id, ...(x.chaseOf ? { inReplyTo: x.chaseOf } : {}) };
}
