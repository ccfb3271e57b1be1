// Sending an agent's reply as a WhatsApp text through the Cloud API.
import { callProvider, field } from '../provider-call.js';
import type { SendResult } from '../send-result.js';

export interface WhatsAppSender {
  /** e.g. https://graph.facebook.com/v21.0 */
  apiBase: string;
  phoneNumberId: string;
  accessToken: string;
}

/**
 * Graph API codes that mean throttling or a passing outage even when they come with HTTP 400:
 * 1 unknown/possible server error, 2 service temporarily unavailable, 4 too many calls, 80007 and
 * 130429 rate limits, 131016 service unavailable, 131056 too many messages to this one user,
 * 133004 server temporarily unavailable.
 */
const TEMPORARY = new Set(['1', '2', '4', '80007', '130429', '131016', '131056', '133004']);

/** POST {apiBase}/{phoneNumberId}/messages; the id in the answer is what receipts will name. */
export function sendWhatsAppText(sender: WhatsAppSender, to: string, body: string, signal?: AbortSignal): Promise<SendResult> {
  return callProvider({
    provider: 'WhatsApp',
    url: `${sender.apiBase.replace(/\/+$/, '')}/${encodeURIComponent(sender.phoneNumberId)}/messages`,
    headers: { authorization: `Bearer ${sender.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body } }),
    secrets: [sender.accessToken],
    readId: (json) => {
      const messages = field(json, 'messages');
      const id = Array.isArray(messages) ? field(messages[0], 'id') : undefined;
      return typeof id === 'string' && id !== '' ? id : undefined;
    },
    readError: (json) => {
      const error = field(json, 'error');
      const message = field(error, 'message');
      if (typeof message !== 'string') return undefined;
      const details = field(field(error, 'error_data'), 'details');
      const code = field(error, 'code');
      return {
        ...(typeof code === 'number' || typeof code === 'string' ? { code } : {}),
        message: typeof details === 'string' && details !== '' && details !== message ? `${message} — ${details}` : message,
      };
    },
    temporaryCodes: TEMPORARY,
    signal,
  });
}
