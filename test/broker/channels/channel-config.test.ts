import { describe, expect, it } from 'vitest';
import { CHANNEL_SETTINGS, channelConfigFromEnv, formatChannelSettings } from '../../../src/broker/channels/channel-config.js';

const WHATSAPP = {
  COURTDESK_WHATSAPP_VERIFY_TOKEN: 'verify-secret-1',
  COURTDESK_WHATSAPP_APP_SECRET: 'app-secret-2',
  COURTDESK_WHATSAPP_ACCESS_TOKEN: 'access-secret-3',
  COURTDESK_WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
};
const SMS = {
  COURTDESK_TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  COURTDESK_TWILIO_AUTH_TOKEN: 'auth-secret-4',
  COURTDESK_TWILIO_FROM: '+447700900999',
  COURTDESK_PUBLIC_URL: 'https://desk.example.org/',
};
const SECRETS = ['verify-secret-1', 'app-secret-2', 'access-secret-3', 'auth-secret-4'];

describe('channelConfigFromEnv', () => {
  it('turns both channels off when none of their settings are set', () => {
    expect(channelConfigFromEnv({})).toEqual({ ok: true, config: { whatsapp: null, sms: null } });
    // The public URL alone does not switch SMS on; empty values count as unset.
    expect(channelConfigFromEnv({ COURTDESK_PUBLIC_URL: 'https://desk.example.org', COURTDESK_TWILIO_FROM: '  ' })).toEqual({
      ok: true,
      config: { whatsapp: null, sms: null },
    });
  });

  it('reads a full configuration, with defaults and a status callback under the public URL', () => {
    expect(channelConfigFromEnv({ ...WHATSAPP, ...SMS })).toEqual({
      ok: true,
      config: {
        whatsapp: {
          verifyToken: 'verify-secret-1',
          appSecret: 'app-secret-2',
          accessToken: 'access-secret-3',
          phoneNumberId: '106540352242922',
          apiBase: 'https://graph.facebook.com/v21.0',
        },
        sms: {
          accountSid: 'AC0123456789abcdef0123456789abcdef',
          authToken: 'auth-secret-4',
          from: '+447700900999',
          apiBase: 'https://api.twilio.com',
          publicUrl: 'https://desk.example.org',
          statusCallback: 'https://desk.example.org/v1/channels/sms/status',
        },
      },
    });
    const custom = channelConfigFromEnv({ ...WHATSAPP, COURTDESK_WHATSAPP_API_BASE: 'http://127.0.0.1:9999/v21.0/' });
    expect(custom).toMatchObject({ ok: true, config: { whatsapp: { apiBase: 'http://127.0.0.1:9999/v21.0' }, sms: null } });
  });

  it('names exactly what a half-configured channel is missing, and no secret', () => {
    const result = channelConfigFromEnv({
      COURTDESK_WHATSAPP_VERIFY_TOKEN: 'verify-secret-1',
      COURTDESK_WHATSAPP_PHONE_NUMBER_ID: '1',
      COURTDESK_TWILIO_AUTH_TOKEN: 'auth-secret-4',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'WhatsApp is partly configured: COURTDESK_WHATSAPP_APP_SECRET and COURTDESK_WHATSAPP_ACCESS_TOKEN are missing ' +
          '(COURTDESK_WHATSAPP_VERIFY_TOKEN and COURTDESK_WHATSAPP_PHONE_NUMBER_ID are set). Set the rest, or unset them all to turn WhatsApp off.',
        'SMS is partly configured: COURTDESK_TWILIO_ACCOUNT_SID, COURTDESK_TWILIO_FROM and COURTDESK_PUBLIC_URL are missing ' +
          '(COURTDESK_TWILIO_AUTH_TOKEN is set). Set the rest, or unset them all to turn SMS off.',
      ],
    });
    for (const secret of SECRETS) expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('counts an optional setting as switching its channel on', () => {
    const result = channelConfigFromEnv({ COURTDESK_TWILIO_API_BASE: 'http://127.0.0.1:1' });
    expect(result).toMatchObject({ ok: false, problems: [expect.stringMatching(/^SMS is partly configured: COURTDESK_TWILIO_ACCOUNT_SID, /)] });
  });

  it('refuses malformed values with a reason', () => {
    const result = channelConfigFromEnv({
      ...WHATSAPP,
      ...SMS,
      COURTDESK_WHATSAPP_PHONE_NUMBER_ID: '+15550783881',
      COURTDESK_WHATSAPP_API_BASE: 'graph.facebook.com',
      COURTDESK_TWILIO_ACCOUNT_SID: 'auth-secret-4',
      COURTDESK_TWILIO_FROM: '07700 900999',
      COURTDESK_PUBLIC_URL: 'https://desk.example.org/?x=1',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(5);
    expect(result.problems.join('\n')).toMatch(/COURTDESK_WHATSAPP_API_BASE must be an http\(s\) URL/);
    expect(result.problems.join('\n')).toMatch(/COURTDESK_WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id/);
    expect(result.problems.join('\n')).toMatch(/COURTDESK_TWILIO_ACCOUNT_SID must be "AC"/);
    expect(result.problems.join('\n')).toMatch(/COURTDESK_TWILIO_FROM must be a number in E.164 form/);
    expect(result.problems.join('\n')).toMatch(/COURTDESK_PUBLIC_URL must be a base URL without query/);
    // Even a secret pasted into the wrong setting is not echoed back.
    for (const secret of SECRETS) expect(result.problems.join('\n')).not.toContain(secret);
  });
});

describe('CHANNEL_SETTINGS', () => {
  it('lists every setting once with a description, for --help and the docs', () => {
    const names = CHANNEL_SETTINGS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'COURTDESK_WHATSAPP_VERIFY_TOKEN',
      'COURTDESK_WHATSAPP_APP_SECRET',
      'COURTDESK_WHATSAPP_ACCESS_TOKEN',
      'COURTDESK_WHATSAPP_PHONE_NUMBER_ID',
      'COURTDESK_WHATSAPP_API_BASE',
      'COURTDESK_TWILIO_ACCOUNT_SID',
      'COURTDESK_TWILIO_AUTH_TOKEN',
      'COURTDESK_TWILIO_FROM',
      'COURTDESK_TWILIO_API_BASE',
      'COURTDESK_PUBLIC_URL',
    ]);
    const lines = formatChannelSettings();
    expect(lines).toHaveLength(names.length);
    expect(lines[4]).toContain('default https://graph.facebook.com/v21.0');
    expect(lines[1]).toContain('secret');
  });
});
