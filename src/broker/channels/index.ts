// What the broker's HTTP server and reply outbox use from the channel adapters.
export * from './types.js';
export { laterDeliveryState } from './delivery-state.js';
export {
  verifyWhatsAppSignature,
  answerSubscription,
  parseWhatsAppWebhook,
  readWhatsAppWebhook,
  replyWindowOpen,
  type SubscriptionAnswer,
  type WhatsAppWebhook,
  type WhatsAppWebhookRead,
  type ReplyWindow,
} from './whatsapp.js';
export {
  twilioSignature,
  verifyTwilioSignature,
  twilioParams,
  publicWebhookUrl,
  parseTwilioInbound,
  parseTwilioStatus,
  readTwilioWebhook,
  EMPTY_TWIML,
  type TwilioParams,
  type TwilioWebhookRead,
} from './twilio.js';
export { smsSegments, splitSms, type SmsSegments, type SmsSplit, type SmsEncoding } from './sms-segments.js';
export { sendWhatsAppText, type WhatsAppSender } from './whatsapp-send.js';
export { sendTwilioSms, type TwilioSender } from './twilio-send.js';
export {
  channelConfigFromEnv,
  formatChannelSettings,
  CHANNEL_SETTINGS,
  DEFAULT_WHATSAPP_API_BASE,
  DEFAULT_TWILIO_API_BASE,
  type ChannelConfig,
  type ChannelConfigResult,
  type ChannelSetting,
  type WhatsAppConfig,
  type SmsConfig,
} from './channel-config.js';
export { inboundEvents, type InboundEvents, type IdSource } from './inbound.js';
export { SentReplies, receiptEvents, type ReceiptEvents } from './receipts.js';
export { channelSenders, describeChannels } from './outbound.js';
