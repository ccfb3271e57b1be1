import { describe, expect, it } from 'vitest';
import {
  describeMailConfig,
  mailConfigFromEnv,
  MailConfigError,
  parseNotifyApiKey,
  parseSender,
} from '../../../src/broker/escalation/transports/config.js';

const SERVICE = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const KEY = `my_test_key-${SERVICE}-${SECRET}`;

function problems(env: Record<string, string>): string[] {
  try {
    mailConfigFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(MailConfigError);
    return (err as MailConfigError).problems;
  }
  return [];
}

describe('mailConfigFromEnv', () => {
  it('defaults to the outbox', () => {
    expect(mailConfigFromEnv({})).toEqual({ transport: 'outbox', from: { name: 'courtdesk', address: 'courtdesk@courtdesk.invalid' } });
  });

  it('reads SMTP settings with sensible ports', () => {
    const base = { COURTDESK_MAIL_TRANSPORT: 'smtp', COURTDESK_MAIL_FROM: 'ctsc@example.gov.uk', COURTDESK_SMTP_HOST: 'smtp.example.gov.uk' };
    expect(mailConfigFromEnv(base)).toEqual({ transport: 'smtp', from: { address: 'ctsc@example.gov.uk' }, host: 'smtp.example.gov.uk', port: 587, secure: 'starttls' });
    expect(mailConfigFromEnv({ ...base, COURTDESK_SMTP_SECURE: 'TLS' })).toMatchObject({ port: 465, secure: 'tls' });
    expect(mailConfigFromEnv({ ...base, COURTDESK_SMTP_SECURE: 'none', COURTDESK_SMTP_PORT: '2525', COURTDESK_SMTP_USER: 'u', COURTDESK_SMTP_PASSWORD: 'p w' })).toMatchObject({
      port: 2525,
      secure: 'none',
      user: 'u',
      password: 'p w',
    });
  });

  it('lists everything missing or wrong at once', () => {
    expect(problems({ COURTDESK_MAIL_TRANSPORT: 'smtp', COURTDESK_SMTP_SECURE: 'ssl', COURTDESK_SMTP_PORT: '99999', COURTDESK_SMTP_USER: 'u' })).toEqual([
      'COURTDESK_MAIL_FROM is required for SMTP: the address court replies go to',
      'COURTDESK_SMTP_HOST is required for SMTP',
      'COURTDESK_SMTP_SECURE must be tls, starttls or none, not "ssl"',
      'COURTDESK_SMTP_PORT must be a port number, not "99999"',
      'COURTDESK_SMTP_PASSWORD is required when COURTDESK_SMTP_USER is set',
    ]);
    expect(problems({ COURTDESK_MAIL_TRANSPORT: 'notify' })).toEqual([
      expect.stringMatching(/^COURTDESK_NOTIFY_API_KEY is required/),
      expect.stringMatching(/^COURTDESK_NOTIFY_TEMPLATE_ID is required.*\(\(subject\)\).*\(\(body\)\)/),
    ]);
    expect(problems({ COURTDESK_MAIL_TRANSPORT: 'pigeon', COURTDESK_MAIL_FROM: 'nobody' })).toEqual([
      'COURTDESK_MAIL_TRANSPORT must be outbox, smtp or notify, not "pigeon"',
      'COURTDESK_MAIL_FROM is not an email address (use name@example.org or "Name <name@example.org>")',
    ]);
  });

  it('reads Notify settings and never repeats a key it rejects', () => {
    const env = { COURTDESK_MAIL_TRANSPORT: 'notify', COURTDESK_NOTIFY_API_KEY: KEY, COURTDESK_NOTIFY_TEMPLATE_ID: SERVICE };
    const config = mailConfigFromEnv(env);
    expect(config).toEqual({ transport: 'notify', apiKey: KEY, templateId: SERVICE, baseUrl: 'https://api.notifications.service.gov.uk' });
    expect(describeMailConfig(config)).not.toContain(SECRET);
    const bad = problems({ ...env, COURTDESK_NOTIFY_API_KEY: `${KEY}x`, COURTDESK_NOTIFY_BASE_URL: 'ftp://x' });
    expect(bad).toEqual([expect.stringMatching(/does not look like a Notify API key/), 'COURTDESK_NOTIFY_BASE_URL must be an http(s) URL, not "ftp://x"']);
    expect(bad.join(' ')).not.toContain(SECRET.slice(0, 8));
  });

  it('describes SMTP without the password', () => {
    const config = mailConfigFromEnv({ COURTDESK_MAIL_TRANSPORT: 'smtp', COURTDESK_MAIL_FROM: 'a@b.org', COURTDESK_SMTP_HOST: 'h.example', COURTDESK_SMTP_USER: 'u', COURTDESK_SMTP_PASSWORD: 'hunter22' });
    expect(describeMailConfig(config)).toBe('smtp h.example:587 (starttls) as u, from a@b.org');
  });
});

describe('parsing helpers', () => {
  it('split a Notify API key into service id and secret', () => {
    expect(parseNotifyApiKey(KEY)).toEqual({ serviceId: SERVICE, secret: SECRET });
    expect(parseNotifyApiKey(`with-dashes-in-name-${SERVICE}-${SECRET}`)).toEqual({ serviceId: SERVICE, secret: SECRET });
    expect(parseNotifyApiKey(`${SERVICE}-${SECRET}`)).toBeNull();
    expect(parseNotifyApiKey('short')).toBeNull();
  });

  it('read a sender with or without a display name', () => {
    expect(parseSender('Courts Contact Centre <CTSC@Example.GOV.UK>')).toEqual({ name: 'Courts Contact Centre', address: 'CTSC@example.gov.uk' });
    expect(parseSender('"Canolfan, Caerdydd" <a@b.org>')).toEqual({ name: 'Canolfan, Caerdydd', address: 'a@b.org' });
    expect(parseSender('a@b.org')).toEqual({ address: 'a@b.org' });
    expect(parseSender('<>')).toBeNull();
  });
});
