// Sending an agent's reply as an SMS through Twilio's Messages API.
import { callProvider, field } from '../provider-call.js';
import type { SendResult } from '../send-result.js';

export interface TwilioSender {
  /** e.g. https://api.twilio.com */
  apiBase: string;
  accountSid: string;
  authToken: string;
  /** Our number in E.164, or a Messaging Service SID (MG…). */
  from: string;
  /** Where Twilio posts this message's status callbacks (the broker's public /v1/channels/sms/status). */
  statusCallback?: string;
}

/**
 * POST {apiBase}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth. Send the whole
 * reply (checked with splitSms first): Twilio cuts it into parts and the phone joins them, and one
 * MessageSid carries all the receipts.
 */
export function sendTwilioSms(sender: TwilioSender, to: string, body: string, signal?: AbortSignal): Promise<SendResult> {
  const form = new URLSearchParams({ To: to, Body: body });
  form.set(/^MG[0-9a-f]{32}$/i.test(sender.from) ? 'MessagingServiceSid' : 'From', sender.from);
  if (sender.statusCallback !== undefined) form.set('StatusCallback', sender.statusCallback);
  const basic = Buffer.from(`${sender.accountSid}:${sender.authToken}`, 'utf8').toString('base64');
  return callProvider({
    provider: 'Twilio',
    url: `${sender.apiBase.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(sender.accountSid)}/Messages.json`,
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    secrets: [sender.authToken, basic],
    readId: (json) => {
      const sid = field(json, 'sid');
      return typeof sid === 'string' && sid !== '' ? sid : undefined;
    },
    readError: (json) => {
      const message = field(json, 'message');
      if (typeof message !== 'string') return undefined;
      const code = field(json, 'code');
      const more = field(json, 'more_info');
      return {
        ...(typeof code === 'number' || typeof code === 'string' ? { code } : {}),
        message: typeof more === 'string' ? `${message} (${more})` : message,
      };
    },
    signal,
  });
}
