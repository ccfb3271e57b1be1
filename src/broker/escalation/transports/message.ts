// The one way courtdesk lays out a court email for outbox and SMTP alike: multipart/alternative
// (plain text, then HTML), UTF-8 throughout (Welsh subjects are encoded words), and a Message-ID
// made from the reference so a resend after a crash is recognisably the same email.
import type Mail from 'nodemailer/lib/mailer/index.js';
import { parseSender, type Sender } from './config.js';
import type { OutgoingEmail } from './types.js';

export function messageId(reference: string, from: Sender): string {
  return `<${reference}@${from.address.slice(from.address.lastIndexOf('@') + 1)}>`;
}

/** The nodemailer message for an email; throws when `email.from` overrides with a non-address. */
export function mailOptions(email: OutgoingEmail, defaultFrom: Sender, date = new Date()): Mail.Options {
  const from = email.from === undefined ? defaultFrom : parseSender(email.from);
  if (!from) throw new Error(`"${email.from}" is not a sender address`);
  const id = messageId(email.reference, from);
  const thread = email.inReplyTo === undefined ? {} : { inReplyTo: messageId(email.inReplyTo, from), references: [messageId(email.inReplyTo, from)] };
  return {
    from: from.name ? { name: from.name, address: from.address } : from.address,
    to: email.to,
    subject: email.subject,
    text: email.plain,
    html: email.html,
    messageId: id,
    date,
    headers: { 'X-Courtdesk-Reference': email.reference },
    ...thread,
  };
}
