// Builds the configured transport. The broker calls this once at start with mailConfigFromEnv's result.
import type { MailConfig } from './config.js';
import { createNotifyTransport } from './notify.js';
import { createOutboxTransport } from './outbox.js';
import { createSmtpTransport } from './smtp.js';
import type { EmailTransport } from './types.js';

export { describeMailConfig, mailConfigFromEnv, MailConfigError, type MailConfig } from './config.js';
export type { EmailTransport, OutgoingEmail } from './types.js';

export function createTransport(config: MailConfig, options: { dataDir: string }): EmailTransport {
  switch (config.transport) {
    case 'outbox':
      return createOutboxTransport(options.dataDir, config.from);
    case 'smtp':
      return createSmtpTransport(config);
    case 'notify':
      return createNotifyTransport(config);
  }
}
