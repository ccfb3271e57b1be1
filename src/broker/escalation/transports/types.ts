// The one interface the broker uses to send an escalation to a court, whatever carries it.
// What a send comes to is the broker's one SendResult.
import type { SendResult } from '../../send-result.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  /** Markdown for GOV.UK Notify, which formats it. */
  text: string;
  /** The text part of a real email (outbox, SMTP): no markup. */
  plain: string;
  html: string;
  /**
   * Our unique id for this email (an escalation or chase id): names the outbox file, makes the
   * Message-ID, and is Notify's `reference`. Letters, digits, ".", "_" and "-", at most 128.
   */
  reference: string;
  /** Overrides the configured sender (outbox and SMTP; Notify sends from its service). */
  from?: string;
  /** The reference of an earlier email this one follows up (a chase), so mail clients thread them. */
  inReplyTo?: string;
}

export interface EmailTransport {
  readonly kind: 'outbox' | 'smtp' | 'notify';
  /** `signal` aborts the send (the broker is stopping and no longer waits for it); it then resolves as a temporary failure. */
  send(email: OutgoingEmail, signal?: AbortSignal): Promise<SendResult>;
  /** Releases connections; the transport is not used afterwards. */
  close(): Promise<void>;
}

export const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function badReference(reference: string): SendResult {
  return {
    ok: false,
    temporary: false,
    reason: `"${reference.slice(0, 40)}" cannot be an email reference: use letters, digits, ".", "_" and "-" (at most 128)`,
  };
}
