// Replies going out on WhatsApp and SMS: the sender for each configured channel, and the start-up
// line telling an operator which channels are on (an off channel's replies wait, pending).
import type { Enquiry, State } from '../../domain/enquiry.js';
import type { ReplySender } from '../reply-delivery.js';
import type { ChannelConfig, SmsConfig, WhatsAppConfig } from './channel-config.js';
import { splitSms } from './sms-segments.js';
import { sendTwilioSms } from './twilio-send.js';
import { replyWindowOpen } from './whatsapp.js';
import { sendWhatsAppText } from './whatsapp-send.js';

/** The sender for an enquiry's channel, or null when it is not a channel or the channel is off. */
export function channelSenders(config: ChannelConfig, now: () => Date = () => new Date()): (enquiry: Enquiry) => ReplySender | null {
  const whatsapp = config.whatsapp ? whatsappSender(config.whatsapp, now) : null;
  const sms = config.sms ? smsSender(config.sms) : null;
  return (enquiry) => (enquiry.channel === 'whatsapp' ? whatsapp : enquiry.channel === 'sms' ? sms : null);
}

function whatsappSender(config: WhatsAppConfig, now: () => Date): ReplySender {
  return async (enquiry, message, signal) => {
    // Checked again at sending time: a reply that waited (retries, a restart) may have outlived the window.
    const window = replyWindowOpen(enquiry.lastCustomerAt, now());
    if (!window.open) return { ok: false, temporary: false, reason: window.reason };
    return sendWhatsAppText(config, enquiry.from, message.text, signal);
  };
}

function smsSender(config: SmsConfig): ReplySender {
  return async (enquiry, message, signal) => {
    const split = splitSms(message.text);
    if (!split.ok) return { ok: false, temporary: false, reason: split.reason };
    // One message: Twilio cuts it into the parts splitSms counted, and one MessageSid carries every receipt.
    return sendTwilioSms(config, enquiry.from, message.text, signal);
  };
}

/** "WhatsApp on (phone number id …), SMS off; 2 SMS replies wait until SMS is configured". Never a secret. */
export function describeChannels(config: ChannelConfig, state: State): string {
  const parts = [
    config.whatsapp ? `WhatsApp on (phone number id ${config.whatsapp.phoneNumberId})` : 'WhatsApp off',
    config.sms ? `SMS on (from ${config.sms.from}, webhooks at ${config.sms.publicUrl})` : 'SMS off',
  ];
  const waiting = { whatsapp: 0, sms: 0 };
  for (const e of state.enquiries.values()) {
    if ((e.channel !== 'whatsapp' && e.channel !== 'sms') || e.callbackUrl || config[e.channel]) continue;
    for (const m of e.messages) if (m.delivery?.state === 'pending') waiting[e.channel]++;
  }
  const stuck = (['whatsapp', 'sms'] as const)
    .filter((c) => waiting[c] > 0)
    .map((c) => {
      const label = c === 'sms' ? 'SMS' : 'WhatsApp';
      return `${waiting[c]} ${label} repl${waiting[c] === 1 ? 'y waits' : 'ies wait'}, pending, until ${label} is configured (docs/channels.md)`;
    });
  return [parts.join(', '), ...stuck].join('; ');
}
