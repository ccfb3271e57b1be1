// Sends each court email through the configured transport (the DeliveryWorker schedules, retries
// and leases it): an escalation is an event first, then delivered, with every attempt's outcome
// recorded. A restart resumes whatever is still queued, so nothing an agent escalated is lost.
import type { Escalation } from '../../domain/enquiry.js';
import { chaseDueOn } from '../../domain/working-days.js';
import type { BrokerCore } from '../core.js';
import type { AttemptOutcome, Delivery, DeliveryKind } from '../delivery-worker.js';
import type { SendResult } from '../send-result.js';
import type { EmailTransport } from './transports/index.js';

export interface CourtEmailOptions {
  transport: EmailTransport;
  /** Working days (England and Wales) an email may go unanswered before it is due a chase. */
  chaseAfterWorkingDays: number;
  log(message: string): void;
}

const actor = { kind: 'system' as const, name: 'mail' };

export function courtEmails(core: BrokerCore, options: CourtEmailOptions): DeliveryKind {
  const queued = ({ enquiryId, id }: Delivery) => core.state.enquiries.get(enquiryId)?.escalations.find((x) => x.id === id && x.status === 'queued');
  return {
    name: 'court-email',
    startedBy: (event) => (event.type === 'escalation.created' ? { enquiryId: event.enquiryId, id: event.escalationId } : undefined),
    *owed() {
      for (const enquiry of core.state.enquiries.values()) for (const x of enquiry.escalations) if (x.status === 'queued') yield { enquiryId: enquiry.id, id: x.id };
    },
    isOwed: (d) => queued(d) !== undefined,
    close: () => options.transport.close(),
    async attempt(d, context): Promise<AttemptOutcome> {
      const escalation = queued(d);
      if (!escalation) return { next: 'finished' };
      const { enquiryId } = d;
      const escalationId = escalation.id;
      const attempts = escalation.attempts + 1;
      const result = await options.transport.send(emailOf(escalation), context.signal).catch((err: Error): SendResult => ({ ok: false, temporary: true, reason: err.message }));
      // Abandoned by a stop that could wait no longer: the journal may be closed. Resent after a restart.
      if (context.isStopped()) return { next: 'abandoned' };
      if (result.ok) {
        const chaseDue = chaseDueOn(new Date(), escalation.chaseAfterDays ?? options.chaseAfterWorkingDays);
        await core.recordEventually([
          { actor, event: { type: 'escalation.delivery', enquiryId, escalationId, state: 'sent', attempts, chaseDueOn: chaseDue, ...(result.providerId ? { providerId: result.providerId } : {}) } },
        ]);
        return { next: 'finished' };
      }
      const state = result.temporary ? 'retrying' : 'failed';
      await core.recordEventually([{ actor, event: { type: 'escalation.delivery', enquiryId, escalationId, state, attempts, reason: result.reason } }]);
      if (result.temporary) return { next: 'retry', afterMs: result.retryAfterMs ?? context.backoff(attempts) };
      options.log(`escalation ${escalationId} to ${escalation.courtName} failed: ${result.reason}`);
      return { next: 'finished' };
    },
  };
}

function emailOf(x: Escalation) {
  return { to: x.to, subject: x.subject, text: x.text, plain: x.plain ?? x.text, html: x.html, reference: x.id, ...(x.chaseOf ? { inReplyTo: x.chaseOf } : {}) };
}
