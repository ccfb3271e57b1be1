// Channel settings come from the environment and are checked once, when the broker starts: a
// channel with none of its settings is off, one with only some of them refuses to start, so a
// typo never leaves a channel silently deaf.
import { SMS_STATUS_PATH } from './types.js';
import type { TwilioSender } from './twilio-send.js';
import type { WhatsAppSender } from './whatsapp-send.js';

export interface ChannelSetting {
  name: string;
  /** Which channel it belongs to; 'sms' settings turn SMS on, and so on. */
  channel: 'whatsapp' | 'sms';
  required: boolean;
  /** Secrets are never echoed, not even in an error about their own shape. */
  secret: boolean;
  default?: string;
  description: string;
}

export const DEFAULT_WHATSAPP_API_BASE = 'https://graph.facebook.com/v21.0';
export const DEFAULT_TWILIO_API_BASE = 'https://api.twilio.com';

export const CHANNEL_SETTINGS: readonly ChannelSetting[] = [
  { name: 'COURTDESK_WHATSAPP_VERIFY_TOKEN', channel: 'whatsapp', required: true, secret: true, description: 'Token you also type into Meta\'s webhook settings; answers the subscription check' },
  { name: 'COURTDESK_WHATSAPP_APP_SECRET', channel: 'whatsapp', required: true, secret: true, description: 'Meta app secret; verifies X-Hub-Signature-256 on every webhook' },
  { name: 'COURTDESK_WHATSAPP_ACCESS_TOKEN', channel: 'whatsapp', required: true, secret: true, description: 'Cloud API access token (system user) used to send replies' },
  { name: 'COURTDESK_WHATSAPP_PHONE_NUMBER_ID', channel: 'whatsapp', required: true, secret: false, description: 'Phone number id (not the number) that replies are sent from' },
  { name: 'COURTDESK_WHATSAPP_API_BASE', channel: 'whatsapp', required: false, secret: false, default: DEFAULT_WHATSAPP_API_BASE, description: 'Graph API base URL, with version' },
  { name: 'COURTDESK_TWILIO_ACCOUNT_SID', channel: 'sms', required: true, secret: false, description: 'Twilio account SID (AC…)' },
  { name: 'COURTDESK_TWILIO_AUTH_TOKEN', channel: 'sms', required: true, secret: true, description: 'Twilio auth token; signs webhooks (X-Twilio-Signature) and authenticates sending' },
  { name: 'COURTDESK_TWILIO_FROM', channel: 'sms', required: true, secret: false, description: 'Number replies come from, in E.164 (+447…), or a Messaging Service SID (MG…)' },
  { name: 'COURTDESK_TWILIO_API_BASE', channel: 'sms', required: false, secret: false, default: DEFAULT_TWILIO_API_BASE, description: 'Twilio REST API base URL' },
  { name: 'COURTDESK_PUBLIC_URL', channel: 'sms', required: true, secret: false, description: 'Base URL Twilio reaches the broker at (https://desk.example.org); part of what Twilio signs' },
];

export interface WhatsAppConfig extends WhatsAppSender {
  verifyToken: string;
  appSecret: string;
}

export interface SmsConfig extends TwilioSender {
  /** The base of the URLs Twilio signs; build them with publicWebhookUrl. */
  publicUrl: string;
  statusCallback: string;
}

export interface ChannelConfig {
  /** null when the channel is off. */
  whatsapp: WhatsAppConfig | null;
  sms: SmsConfig | null;
}

export type ChannelConfigResult = { ok: true; config: ChannelConfig } | { ok: false; problems: string[] };

/** Reads and checks every channel setting; `problems` name settings, never secret values. */
export function channelConfigFromEnv(env: Record<string, string | undefined>): ChannelConfigResult {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const problems: string[] = [];

  const whatsapp = readChannel('whatsapp', 'WhatsApp', get, problems);
  const sms = readChannel('sms', 'SMS', get, problems);

  if (whatsapp !== null) {
    checkUrl('COURTDESK_WHATSAPP_API_BASE', whatsapp('COURTDESK_WHATSAPP_API_BASE'), problems);
    if (!/^\d+$/.test(whatsapp('COURTDESK_WHATSAPP_PHONE_NUMBER_ID'))) {
      problems.push('COURTDESK_WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id from the WhatsApp Manager, not the phone number.');
    }
  }
  if (sms !== null) {
    checkUrl('COURTDESK_TWILIO_API_BASE', sms('COURTDESK_TWILIO_API_BASE'), problems);
    checkUrl('COURTDESK_PUBLIC_URL', sms('COURTDESK_PUBLIC_URL'), problems, true);
    if (!/^AC[0-9a-f]{32}$/i.test(sms('COURTDESK_TWILIO_ACCOUNT_SID'))) {
      problems.push('COURTDESK_TWILIO_ACCOUNT_SID must be "AC" followed by 32 hexadecimal digits, as shown in the Twilio console.');
    }
    if (!/^\+[1-9]\d{6,14}$/.test(sms('COURTDESK_TWILIO_FROM')) && !/^MG[0-9a-f]{32}$/i.test(sms('COURTDESK_TWILIO_FROM'))) {
      problems.push(`COURTDESK_TWILIO_FROM must be a number in E.164 form such as +447700900123, or a Messaging Service SID (MG…); got ${JSON.stringify(sms('COURTDESK_TWILIO_FROM'))}.`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const publicUrl = sms === null ? '' : sms('COURTDESK_PUBLIC_URL').replace(/\/+$/, '');
  return {
    ok: true,
    config: {
      whatsapp:
        whatsapp === null
          ? null
          : {
              verifyToken: whatsapp('COURTDESK_WHATSAPP_VERIFY_TOKEN'),
              appSecret: whatsapp('COURTDESK_WHATSAPP_APP_SECRET'),
              accessToken: whatsapp('COURTDESK_WHATSAPP_ACCESS_TOKEN'),
              phoneNumberId: whatsapp('COURTDESK_WHATSAPP_PHONE_NUMBER_ID'),
              apiBase: whatsapp('COURTDESK_WHATSAPP_API_BASE').replace(/\/+$/, ''),
            },
      sms:
        sms === null
          ? null
          : {
              accountSid: sms('COURTDESK_TWILIO_ACCOUNT_SID'),
              authToken: sms('COURTDESK_TWILIO_AUTH_TOKEN'),
              from: sms('COURTDESK_TWILIO_FROM'),
              apiBase: sms('COURTDESK_TWILIO_API_BASE').replace(/\/+$/, ''),
              publicUrl,
              statusCallback: publicUrl + SMS_STATUS_PATH,
            },
    },
  };
}

/**
 * A reader of a channel's settings with defaults applied, or null when the channel is off. SMS is
 * turned on by its own settings only: COURTDESK_PUBLIC_URL alone may serve other purposes.
 */
function readChannel(
  channel: ChannelSetting['channel'],
  label: string,
  get: (name: string) => string | undefined,
  problems: string[],
): ((name: string) => string) | null {
  const settings = CHANNEL_SETTINGS.filter((s) => s.channel === channel);
  const own = settings.filter((s) => s.name !== 'COURTDESK_PUBLIC_URL');
  const set = own.filter((s) => get(s.name) !== undefined);
  if (set.length === 0) return null;
  const missing = settings.filter((s) => s.required && get(s.name) === undefined).map((s) => s.name);
  if (missing.length > 0) {
    problems.push(
      `${label} is partly configured: ${listing(missing)} ${missing.length === 1 ? 'is' : 'are'} missing ` +
        `(${listing(set.map((s) => s.name))} ${set.length === 1 ? 'is' : 'are'} set). Set the rest, or unset them all to turn ${label} off.`,
    );
    return null;
  }
  return (name) => get(name) ?? settings.find((s) => s.name === name)?.default ?? '';
}

function checkUrl(name: string, value: string | undefined, problems: string[], isPublic = false): void {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    problems.push(`${name} must be an http(s) URL; got ${JSON.stringify(value)}.`);
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${name} must be an http(s) URL; got ${JSON.stringify(value)}.`);
  } else if (isPublic && (url.search !== '' || url.hash !== '')) {
    problems.push(`${name} must be a base URL without query or fragment; got ${JSON.stringify(value)}.`);
  }
}

function listing(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The settings as lines for `courtdesk broker --help` (secrets show no value, defaults show theirs). */
export function formatChannelSettings(): string[] {
  const width = Math.max(...CHANNEL_SETTINGS.map((s) => s.name.length));
  return CHANNEL_SETTINGS.map((s) => {
    const notes = [s.required ? null : `default ${s.default}`, s.secret ? 'secret' : null].filter((n) => n !== null);
    return `  ${s.name.padEnd(width)}  ${s.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  });
}
