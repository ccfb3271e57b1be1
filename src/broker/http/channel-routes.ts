// The providers' webhooks: WhatsApp Cloud API and Twilio SMS. They carry no courtdesk token; each is
// authenticated by its provider's signature, checked over the raw bytes before anything is parsed.
// A webhook is answered 200 only once what it brought is durable, so a provider that hears nothing
// sends it again, and the provider's message ids make that redelivery record nothing new.
import type { Acknowledger } from '../acknowledgements.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  answerSubscription,
  EMPTY_TWIML,
  inboundEvents,
  MAX_WEBHOOK_BODY_BYTES,
  parseTwilioInbound,
  parseTwilioStatus,
  publicWebhookUrl,
  readTwilioWebhook,
  readWhatsAppWebhook,
  receiptEvents,
  SMS_STATUS_PATH,
  SMS_WEBHOOK_PATH,
  WHATSAPP_WEBHOOK_PATH,
  type ChannelConfig,
  type ChannelName,
  type InboundMessage,
  type SentReplies,
  type StatusUpdate,
  type WebhookRejection,
} from '../channels/index.js';
import type { BrokerCore } from '../core.js';
import { newEnquiryId, newMessageId } from '../ids.js';
import type { NewRecord } from '../journal/store.js';
import { HttpError, readBody, sendJson } from './respond.js';

export interface ChannelRoutesContext {
  core: BrokerCore;
  channels: ChannelConfig;
  sent: SentReplies;
  log(line: string): void;
  /** New enquiries are acknowledged in the same batch as their receipt. */
  acknowledger: Acknowledger;
}

/** What one webhook did, in the 200 answer (counts only: providers ignore it, people debugging read it). */
interface Recorded {
  messages: number;
  duplicates: number;
  receipts: number;
  ignoredReceipts: number;
}

/** Handles the request if it is a channel webhook; returns false when the path is not one. */
export async function handleChannelWebhook(ctx: ChannelRoutesContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  switch (path) {
    case WHATSAPP_WEBHOOK_PATH:
      await whatsapp(ctx, req, res);
      return true;
    case SMS_WEBHOOK_PATH:
      await sms(ctx, req, res, 'inbound');
      return true;
    case SMS_STATUS_PATH:
      await sms(ctx, req, res, 'status');
      return true;
    default:
      return false;
  }
}

async function whatsapp(ctx: ChannelRoutesContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const config = ctx.channels.whatsapp;
  if (!config) throw channelOff('WhatsApp', 'COURTDESK_WHATSAPP_');
  if (req.method === 'GET') {
    const answer = answerSubscription(new URL(req.url ?? '/', 'http://broker').searchParams, config.verifyToken);
    if (answer.status !== 200) ctx.log(`WhatsApp subscription check refused: ${answer.body}`);
    res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(answer.body);
    return;
  }
  allow(req, 'GET, POST');
  const read = readWhatsAppWebhook(await readBody(req, MAX_WEBHOOK_BODY_BYTES), req.headers['x-hub-signature-256'], config.appSecret);
  if (!read.ok) throw rejected(ctx, 'WhatsApp', read);
  for (const problem of read.problems) ctx.log(`WhatsApp webhook: ${problem}`);
  sendJson(res, 200, await record(ctx, 'whatsapp', read.messages, read.statuses));
}

async function sms(ctx: ChannelRoutesContext, req: IncomingMessage, res: ServerResponse, kind: 'inbound' | 'status'): Promise<void> {
  const config = ctx.channels.sms;
  if (!config) throw channelOff('SMS', 'COURTDESK_TWILIO_');
  allow(req, 'POST');
  const raw = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
  // Twilio signed the URL it called, which only the operator knows when the broker sits behind a proxy.
  const read = readTwilioWebhook(raw, req.headers['x-twilio-signature'], publicWebhookUrl(config.publicUrl, req.url ?? '/'), config.authToken);
  if (!read.ok) throw rejected(ctx, 'SMS', read);
  if (kind === 'status') {
    const parsed = parseTwilioStatus(read.form);
    if (!parsed.ok) throw new HttpError(400, 'BAD_WEBHOOK', `The status callback cannot be read: ${parsed.problem}.`);
    sendJson(res, 200, await record(ctx, 'sms', [], [parsed.value]));
    return;
  }
  const parsed = parseTwilioInbound(read.form);
  if (!parsed.ok) throw new HttpError(400, 'BAD_WEBHOOK', `The message cannot be read: ${parsed.problem}.`);
  await record(ctx, 'sms', [parsed.value], []);
  // Empty TwiML: Twilio sends no automatic answer; the agent's reply goes out through the API.
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(EMPTY_TWIML), 'cache-control': 'no-store' });
  res.end(EMPTY_TWIML);
}

/** Records everything one webhook brought in one batch, resolving once it is durable. */
async function record(ctx: ChannelRoutesContext, channel: ChannelName, messages: InboundMessage[], statuses: StatusUpdate[]): Promise<Recorded> {
  const { core } = ctx;
  // A receipt can name a reply whose 'sent' (with the provider's id) is folded but not yet durable,
  // so not yet indexed: wait for the commit once rather than drop the receipt.
  if (statuses.some((s) => !ctx.sent.find(s.channel, s.externalId)) && core.state.seq > core.durableSeq) await core.flush();
  // Decided and recorded with nothing awaited between, so the threading and duplicate checks hold
  // when recorded (and are made again if another broker node's records came first).
  let inbound!: ReturnType<typeof inboundEvents>;
  let receipts!: ReturnType<typeof receiptEvents>;
  const recorded = await core.recordDecided((): NewRecord[] => {
    inbound = inboundEvents(core.state, messages, { enquiry: newEnquiryId, message: newMessageId });
    receipts = receiptEvents(core.state, ctx.sent, statuses);
    return [
      ...ctx.acknowledger.withAcknowledgements(core.state, inbound.events, { kind: 'intake', name: channel }),
      ...receipts.events.map((event) => ({ actor: { kind: 'system' as const, name: channel }, event })),
    ];
  });
  // A redelivery may race the first delivery's commit: answer only once that is on disk too.
  if (recorded.length === 0 && inbound.duplicates > 0) await core.flush();
  return { messages: inbound.events.length, duplicates: inbound.duplicates, receipts: receipts.events.length, ignoredReceipts: statuses.length - receipts.events.length };
}

function rejected(ctx: ChannelRoutesContext, label: string, read: WebhookRejection): HttpError {
  // Logged so an operator can see a misconfigured secret; the message names headers and settings, never values.
  if (read.status === 401) ctx.log(`${label} webhook refused: ${read.error.message}`);
  return new HttpError(read.status, read.error.code, `${read.error.message}. Nothing was recorded.`);
}

function channelOff(label: string, prefix: string): HttpError {
  return new HttpError(404, 'CHANNEL_OFF', `${label} is off on this broker: none of its ${prefix} settings are set. See docs/channels.md to turn it on.`);
}

function allow(req: IncomingMessage, methods: string): void {
  if (!methods.split(', ').includes(req.method ?? '')) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Use ${methods.replace(', ', ' or ')} for this path.`, { allow: methods });
  }
}
