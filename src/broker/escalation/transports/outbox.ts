// The default transport: each email becomes a standard .eml file in DATA/outbox/<reference>.eml,
// which any mail client opens (Outlook opens it ready to send, thanks to X-Unsent). Written
// atomically, so whatever picks files up never sees half an email; a resend overwrites the same file.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { writeFileAtomic } from '../atomic-write.js';
import type { Sender } from './config.js';
import { mailOptions } from './message.js';
import { badReference, REFERENCE, type EmailTransport, type OutgoingEmail } from './types.js';
import type { SendResult } from '../../send-result.js';

export const outboxDir = (dataDir: string): string => join(dataDir, 'outbox');

export function createOutboxTransport(dataDir: string, from: Sender): EmailTransport {
  const dir = outboxDir(dataDir);
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'outbox',
    async send(email: OutgoingEmail): Promise<SendResult> {
      if (!REFERENCE.test(email.reference)) return badReference(email.reference);
      let message: Buffer;
      try {
        const options = mailOptions(email, from);
        options.headers = { ...(options.headers as Record<string, string>), 'X-Unsent': '1' };
        message = (await builder.sendMail(options)).message as Buffer;
      } catch (err) {
        return { ok: false, temporary: false, reason: `could not build the email: ${(err as Error).message}` };
      }
      const file = join(dir, `${email.reference}.eml`);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(file, message, 0o600);
      } catch (err) {
        // A full disk or a permissions slip can be put right; the email is still worth sending.
        const code = (err as NodeJS.ErrnoException).code;
        return { ok: false, temporary: true, reason: `could not write ${file}: ${code ?? (err as Error).message}` };
      }
      return { ok: true, providerId: file };
    },
    async close() {
      builder.close();
    },
  };
}
