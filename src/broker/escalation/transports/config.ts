// Mail settings from COURTDESK_ environment variables, checked in one go so an operator sees
// everything that is wrong at once. Secrets are kept out of every message this file produces.
import { normaliseEmailAddress } from '../../../domain/email-address.js';

export interface Sender {
  name?: string;
  address: string;
}

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export type MailConfig =
  | { transport: 'outbox'; from: Sender }
  | {
      transport: 'smtp';
      from: Sender;
      host: string;
      port: number;
      /** tls: TLS from the first byte (usually 465); starttls: upgrade required (usually 587); none: plain (local relays only). */
      secure: SmtpSecurity;
      user?: string;
      password?: string;
      /** A PEM file of certificate authorities to trust besides the system ones (a private relay). */
      caFile?: string;
    }
  | {
      transport: 'notify';
      apiKey: string;
      templateId: string;
      baseUrl: string;
      /** Notify's id for a reply-to address set up on the service; the service default otherwise. */
      replyToId?: string;
    };

export const DEFAULT_NOTIFY_BASE_URL = 'https://api.notifications.service.gov.uk';
const DEFAULT_FROM: Sender = { name: 'courtdesk', address: 'courtdesk@courtdesk.invalid' };
const DEFAULT_PORTS: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class MailConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`mail settings: ${problems.join('; ')}`);
    this.name = 'MailConfigError';
  }
}

/** Reads `Name <address>` or a bare address. */
export function parseSender(value: string): Sender | null {
  const m = /^\s*(?:"?([^"<>]*?)"?\s*)?<([^<>]+)>\s*$/.exec(value);
  const address = normaliseEmailAddress(m ? (m[2] ?? '') : value);
  if (!address) return null;
  const name = m?.[1]?.trim();
  return name ? { name, address } : { address };
}

/** Splits a Notify API key `{key_name}-{service_id}-{secret}`: the last two are 36-character uuids. */
export function parseNotifyApiKey(key: string): { serviceId: string; secret: string } | null {
  const k = key.trim();
  if (k.length < 74) return null;
  const serviceId = k.slice(-73, -37);
  const secret = k.slice(-36);
  if (k[k.length - 37] !== '-' || !UUID.test(serviceId) || !UUID.test(secret)) return null;
  return { serviceId, secret };
}

export function mailConfigFromEnv(env: Record<string, string | undefined>): MailConfig {
  const get = (name: string): string | undefined => {
    const v = env[`COURTDESK_${name}`]?.trim();
    return v ? v : undefined;
  };
  const problems: string[] = [];
  const transport = get('MAIL_TRANSPORT') ?? 'outbox';

  const fromValue = get('MAIL_FROM');
  const from = fromValue === undefined ? undefined : parseSender(fromValue);
  if (fromValue !== undefined && !from) problems.push('COURTDESK_MAIL_FROM is not an email address (use name@example.org or "Name <name@example.org>")');

  switch (transport) {
    case 'outbox':
      if (problems.length > 0) throw new MailConfigError(problems);
      return { transport, from: from ?? DEFAULT_FROM };

    case 'smtp': {
      if (fromValue === undefined) problems.push('COURTDESK_MAIL_FROM is required for SMTP: the address court replies go to');
      const host = get('SMTP_HOST');
      if (!host) problems.push('COURTDESK_SMTP_HOST is required for SMTP');
      const secure = (get('SMTP_SECURE') ?? 'starttls').toLowerCase();
      if (secure !== 'tls' && secure !== 'starttls' && secure !== 'none') problems.push(`COURTDESK_SMTP_SECURE must be tls, starttls or none, not "${secure}"`);
      const portText = get('SMTP_PORT');
      const port = portText === undefined ? DEFAULT_PORTS[secure as SmtpSecurity] ?? 587 : Number(portText);
      if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`COURTDESK_SMTP_PORT must be a port number, not "${portText}"`);
      const user = get('SMTP_USER');
      const password = env.COURTDESK_SMTP_PASSWORD;
      if (user && !password) problems.push('COURTDESK_SMTP_PASSWORD is required when COURTDESK_SMTP_USER is set');
      if (password && !user) problems.push('COURTDESK_SMTP_USER is required when COURTDESK_SMTP_PASSWORD is set');
      const caFile = get('SMTP_CA_FILE');
      if (problems.length > 0) throw new MailConfigError(problems);
      return {
        transport,
        from: from!,
        host: host!,
        port,
        secure: secure as SmtpSecurity,
        ...(user ? { user, password: password! } : {}),
        ...(caFile ? { caFile } : {}),
      };
    }

    case 'notify': {
      const apiKey = get('NOTIFY_API_KEY');
      if (!apiKey) problems.push('COURTDESK_NOTIFY_API_KEY is required for Notify (from the API integration page of your Notify service)');
      else if (!parseNotifyApiKey(apiKey)) problems.push('COURTDESK_NOTIFY_API_KEY does not look like a Notify API key (key name, then service id and secret, each a 36-character id)');
      const templateId = get('NOTIFY_TEMPLATE_ID');
      if (!templateId) problems.push('COURTDESK_NOTIFY_TEMPLATE_ID is required for Notify: the id of a Notify email template whose subject is ((subject)) and body is ((body))');
      else if (!UUID.test(templateId)) problems.push(`COURTDESK_NOTIFY_TEMPLATE_ID must be a template id like 1f4e…-…, not "${templateId}"`);
      const baseUrl = (get('NOTIFY_BASE_URL') ?? DEFAULT_NOTIFY_BASE_URL).replace(/\/+$/, '');
      if (!/^https?:\/\/[^/\s]+/.test(baseUrl) || !URL.canParse(baseUrl)) problems.push(`COURTDESK_NOTIFY_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
      const replyToId = get('NOTIFY_REPLY_TO_ID');
      if (replyToId && !UUID.test(replyToId)) problems.push('COURTDESK_NOTIFY_REPLY_TO_ID must be the id of a reply-to address in Notify');
      if (problems.length > 0) throw new MailConfigError(problems);
      return { transport, apiKey: apiKey!, templateId: templateId!, baseUrl, ...(replyToId ? { replyToId } : {}) };
    }

    default:
      throw new MailConfigError([`COURTDESK_MAIL_TRANSPORT must be outbox, smtp or notify, not "${transport}"`, ...problems]);
  }
}

/** One line for logs and start-up banners: where mail goes, never a secret. */
export function describeMailConfig(config: MailConfig): string {
  switch (config.transport) {
    case 'outbox':
      return `outbox (.eml files in DATA/outbox, from ${config.from.address})`;
    case 'smtp':
      return `smtp ${config.host}:${config.port} (${config.secure})${config.user ? ` as ${config.user}` : ''}, from ${config.from.address}`;
    case 'notify':
      return `GOV.UK Notify at ${config.baseUrl}, template ${config.templateId}`;
  }
}
