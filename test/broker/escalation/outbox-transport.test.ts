import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTransport } from '../../../src/broker/escalation/transports/index.js';
import { mailConfigFromEnv } from '../../../src/broker/escalation/transports/config.js';
import type { OutgoingEmail } from '../../../src/broker/escalation/transports/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const email: OutgoingEmail = {
  to: 'enquiries.cardiff.countycourt@justice.gov.uk',
  subject: 'Ymholiad am ddyddiad gwrandawiad – achos 305JE126 – ŵyr a ŷd',
  text: 'Annwyl gydweithwyr,\n\nMae Siân yn holi.\n',
  plain: 'Annwyl gydweithwyr,\n\nMae Siân yn holi.\n',
  html: '<!DOCTYPE html><html lang="cy"><body><p>Annwyl gydweithwyr,</p><p>Mae Siân yn holi.</p></body></html>',
  reference: 'ESC-42.1',
};

describe('outbox transport', () => {
  it('writes a standard .eml that parses back to the same email', async () => {
    const config = mailConfigFromEnv({ COURTDESK_MAIL_FROM: 'Canolfan Gwasanaeth <ctsc@example.gov.uk>' });
    const transport = createTransport(config, { dataDir: dir });
    const result = await transport.send(email);
    const file = join(dir, 'outbox', 'ESC-42.1.eml');
    expect(result).toEqual({ ok: true, providerId: file });

    const raw = await readFile(file);
    expect(raw.toString('latin1')).toMatch(/^[\x00-\x7f]*$/); // 7-bit clean: the Welsh is encoded
    expect(raw.toString()).toContain('\r\n');
    expect(raw.toString()).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw.toString()).toMatch(/^Subject: =\?UTF-8\?/m);

    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(email.subject);
    expect(mail.from?.value).toEqual([{ name: 'Canolfan Gwasanaeth', address: 'ctsc@example.gov.uk' }]);
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.address).toBe(email.to);
    expect(mail.text).toBe(email.text);
    expect(mail.html).toContain('<p>Mae Siân yn holi.</p>');
    expect(mail.messageId).toBe('<ESC-42.1@example.gov.uk>');
    expect(mail.date).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - mail.date!.getTime())).toBeLessThan(60_000);
    expect(mail.headers.get('x-courtdesk-reference')).toBe('ESC-42.1');
    expect(mail.headers.get('x-unsent')).toBe('1');
    expect(mail.headers.get('mime-version')).toBe('1.0');

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, 'outbox'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await transport.close();
  });

  it('threads a chase under the email it follows, and overwrites on a resend', async () => {
    const transport = createTransport(mailConfigFromEnv({}), { dataDir: dir });
    expect((await transport.send({ ...email, reference: 'ESC-42.2', inReplyTo: 'ESC-42.1', text: 'first', plain: 'first' })).ok).toBe(true);
    expect((await transport.send({ ...email, reference: 'ESC-42.2', inReplyTo: 'ESC-42.1', text: 'second', plain: 'second' })).ok).toBe(true);
    expect(await readdir(join(dir, 'outbox'))).toEqual(['ESC-42.2.eml']);
    const mail = await simpleParser(await readFile(join(dir, 'outbox', 'ESC-42.2.eml')));
    expect(mail.text).toBe('second');
    expect(mail.inReplyTo).toBe('<ESC-42.1@courtdesk.invalid>');
    expect(mail.references).toBe('<ESC-42.1@courtdesk.invalid>');
    expect(mail.from?.value[0]?.address).toBe('courtdesk@courtdesk.invalid');
  });

  it('refuses a reference that is not a safe file name, and a bad sender override', async () => {
    const transport = createTransport(mailConfigFromEnv({}), { dataDir: dir });
    for (const reference of ['../../etc/passwd', '', 'a b', '.hidden']) {
      const result = await transport.send({ ...email, reference });
      expect(result.ok === false && !result.temporary && result.reason).toMatch(/cannot be an email reference/);
    }
    const result = await transport.send({ ...email, from: 'not an address' });
    expect(result.ok === false && !result.temporary && result.reason).toMatch(/not a sender address/);
  });

  it('reports an unwritable outbox as temporary', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'outbox'), 'a file where the folder should be');
    const result = await createTransport(mailConfigFromEnv({}), { dataDir: dir }).send(email);
    expect(result.ok === false && result.temporary).toBe(true);
    expect(result.ok === false && result.reason).toMatch(/could not write .*EEXIST|ENOTDIR/);
  });
});
