// Shapes shared by the channel adapters and the broker routes that will call them. The adapters
// turn provider payloads into these and never touch the journal; the broker decides what to record.

export type ChannelName = 'whatsapp' | 'sms';

/** One message a court user sent us, as the broker needs it to open or continue an enquiry. */
export interface InboundMessage {
  channel: ChannelName;
  /** The sender's address on the channel: WhatsApp wa_id (digits) or an E.164 phone number. */
  from: string;
  /** The sender's profile name when the channel gives one (WhatsApp), else null. */
  name: string | null;
  /** The text to show the agent; a placeholder for things we cannot show (images, MMS…). */
  text: string;
  /** The channel's own id (WhatsApp wamid, Twilio MessageSid): the key that makes redelivery harmless. */
  externalId: string;
  /** ISO-8601 UTC time the customer sent it (the channel's timestamp, or when we received it). */
  at: string;
  /** Set when the message was not plain text, naming its type, so the agent is told to look. */
  unsupported?: string;
}

/** The state a provider reports for one of OUR sent messages. */
export type ReceiptState = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  channel: ChannelName;
  /** The provider's id of the message we sent (WhatsApp wamid, Twilio MessageSid). */
  externalId: string;
  state: ReceiptState;
  /** ISO-8601 UTC time of the state change (the provider's timestamp, or when we received it). */
  at: string;
  /** Why it failed, for the agent: "code: title — details". Only with state 'failed'. */
  error?: string;
}

/** What a parser makes of one provider request that carries a single item. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * What a webhook reader tells the route to do. On `ok: false` answer `status` with the
 * `{"error":{code,message}}` body and record nothing.
 */
export type WebhookRejection = { ok: false; status: 400 | 401 | 413; error: { code: string; message: string } };

export const WHATSAPP_WEBHOOK_PATH = '/v1/channels/whatsapp/webhook';
export const SMS_WEBHOOK_PATH = '/v1/channels/sms/webhook';
export const SMS_STATUS_PATH = '/v1/channels/sms/status';

/** Provider payloads are small; anything bigger is refused before it is parsed. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
