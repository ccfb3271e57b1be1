// Builds domain state the way the broker does: by folding events through the real reducer.
import type { State } from '../../src/domain/enquiry.js';
import { emptyState } from '../../src/domain/enquiry.js';
import type { Actor, CourtdeskEvent, Language } from '../../src/domain/events.js';
import { applyEvent } from '../../src/domain/reducer.js';

export const T0 = Date.parse('2025-03-10T09:00:00.000Z');

/** ISO time `minutes` after T0. */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

export class Journal {
  readonly state: State = emptyState();
  private messages = 0;

  record(event: CourtdeskEvent, when: string, actor: Actor = { kind: 'system', name: 'broker' }, ref?: string): this {
    applyEvent(this.state, { seq: this.state.seq + 1, at: when, actor, event, ...(ref !== undefined ? { ref } : {}) });
    return this;
  }

  receive(enquiryId: string, when: string, options: { from?: string; language?: Language; text?: string; channel?: 'web' | 'sms' | 'whatsapp' | 'api' | 'email'; callbackUrl?: string | null } = {}): this {
    return this.record(
      {
        type: 'enquiry.received',
        enquiryId,
        messageId: this.nextMessageId(),
        channel: options.channel ?? 'web',
        from: options.from ?? `${enquiryId}@example.org`,
        name: null,
        text: options.text ?? `Question from ${enquiryId}`,
        language: options.language ?? 'en',
        callbackUrl: options.callbackUrl ?? null,
      },
      when,
      { kind: 'intake', name: 'web-form' },
    );
  }

  customer(enquiryId: string, when: string, text = 'Any news?'): this {
    return this.record({ type: 'enquiry.message', enquiryId, messageId: this.nextMessageId(), text }, when, { kind: 'intake', name: 'web-form' });
  }

  reply(enquiryId: string, agent: string, when: string, text = 'Thank you, we are looking into it.'): this {
    return this.record({ type: 'enquiry.replied', enquiryId, messageId: this.nextMessageId(), agent, text }, when, { kind: 'agent', name: agent });
  }

  claim(enquiryId: string, agent: string, when: string): this {
    return this.record({ type: 'enquiry.claimed', enquiryId, agent }, when, { kind: 'agent', name: agent });
  }

  close(enquiryId: string, when: string): this {
    return this.record({ type: 'enquiry.closed', enquiryId }, when, { kind: 'agent', name: 'alice' });
  }

  private nextMessageId(): string {
    this.messages += 1;
    return `M${this.messages}`;
  }
}
