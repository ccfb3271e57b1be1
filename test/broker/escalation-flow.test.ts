// Escalations end to end through a real broker: commands over the websocket, delivery through the
// outbox and a real SMTP server, answers over HTTP, chases, and a delivery that survives a restart.
import { readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../../src/broker/retry.js';
import { addWorkingDays } from '../../src/domain/working-days.js';
import { makeTokens, postEnquiry, RawAgent, spawnBroker, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { folderState } from '../helpers/folders.js';

const BIRMINGHAM = 'birmingham-civil-and-family-justice-centre';
let t: TestBroker | undefined;
let smtp: SMTPServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  await stopSmtp();
});

interface Smtp {
  port: number;
  /** The messages it accepted. */
  mails: ParsedMail[];
  /** How many messages it has been given whole, answered yet or not. */
  received: number;
  /** When it last answered (Date.now()), or 0 before it has. */
  answeredAt: number;
}

/**
 * A real SMTP server. It answers 451 (try later) while `refuse` returns true, and holds each answer
 * `holdMs` after the message has arrived (Infinity: it never answers, like a hung relay).
 */
async function smtpServer({ refuse = () => false, holdMs = 0 }: { refuse?: () => boolean; holdMs?: number } = {}): Promise<Smtp> {
  const server: Smtp = { port: 0, mails: [], received: 0, answeredAt: 0 };
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // On close, a held answer becomes a 421 after this long rather than smtp-server's 30 s.
    closeTimeout: 100,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        server.received++;
        if (holdMs === Infinity) return;
        setTimeout(() => {
          server.answeredAt = Date.now();
          if (refuse()) {
            callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
            return;
          }
          server.mails.push(mail);
          callback();
        }, holdMs);
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
  server.port = (smtp.server.address() as AddressInfo).port;
  return server;
}

async function stopSmtp(): Promise<void> {
  if (smtp) await new Promise<void>((resolve) => smtp!.close(() => resolve()));
  smtp = undefined;
}

function smtpMail(port: number) {
  return { transport: 'smtp' as const, from: { name: 'Contact centre', address: 'contact@example.gov.uk' }, host: '127.0.0.1', port, secure: 'none' as const };
}

/** An agent holding a fresh enquiry tagged with a case number. */
async function heldEnquiry(broker: Pick<TestBroker, 'url' | 'tokens'>, language: 'en' | 'cy' = 'en'): Promise<{ agent: RawAgent; id: string }> {
  const text = language === 'cy' ? 'Bore da, oes dyddiad i fy ngwrandawiad? Diolch' : 'When is my hearing? I have heard nothing.';
  const id = await postEnquiry(broker.url, broker.tokens.intake, { name: 'Dee Jones', text, language });
  const agent = await RawAgent.connect(broker.url, broker.tokens.agent);
  await agent.welcome();
  await agent.command({ type: 'claim', ref: 'claim', enquiryId: id });
  await agent.command({ type: 'tag', ref: 'tag', enquiryId: id, caseNumber: '305JE126' });
  return { agent, id };
}

function escalationEvents(agent: RawAgent, type: string): any[] {
  return agent.events().filter((e) => e.event.type === type);
}

describe('escalation to a court', () => {
  it('lists courts and templates, previews, asks for missing fields, then sends to the outbox as a real .eml', async () => {
    t = await startTestBroker({ deliveryBaseDelayMs: 20, chaseAfterWorkingDays: 2 });
    const { agent, id } = await heldEnquiry(t);
    const courts = await agent.command({ type: 'list-courts', ref: 'courts', query: 'birmingham' });
    expect(courts.data[0]).toMatchObject({ slug: BIRMINGHAM, email: 'enquiries.birmingham.countycourt@justice.gov.uk', unanswered: 0 });
    const templates = await agent.command({ type: 'list-templates', ref: 'templates' });
    expect(templates.data.map((x: { name: string; language: string }) => `${x.name}/${x.language}`)).toEqual(
      expect.arrayContaining(['hearing-date/en', 'hearing-date/cy', 'urgent-hearing/en', 'chase/cy', 'documents-not-received/en', 'general/en']),
    );

    const asked = await agent.command({ type: 'preview-escalation', ref: 'p1', enquiryId: id, courtSlug: BIRMINGHAM, template: 'urgent-hearing' });
    expect(asked.data.missing).toEqual(['hearingDate']);
    const refused = await agent.command({ type: 'escalate', ref: 'e0', enquiryId: id, courtSlug: BIRMINGHAM, template: 'urgent-hearing' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'MISSING_FIELDS' } });

    const fields = { hearingDate: 'Thursday 26 November 2026 at 10am' };
    const preview = await agent.command({ type: 'preview-escalation', ref: 'p2', enquiryId: id, courtSlug: BIRMINGHAM, template: 'urgent-hearing', fields });
    expect(preview.data).toMatchObject({ missing: [], to: 'enquiries.birmingham.countycourt@justice.gov.uk' });
    expect(preview.data.subject).toContain('305JE126');
    expect(preview.data.text).toContain('Thursday 26 November 2026 at 10am');

    const ack = await agent.command({ type: 'escalate', ref: 'e1', enquiryId: id, courtSlug: BIRMINGHAM, template: 'urgent-hearing', fields });
    expect(ack.ok).toBe(true);
    const sent = await agent.waitFor(() => escalationEvents(agent, 'escalation.delivery').find((e) => e.event.state === 'sent'), 'delivery');
    const escalationId = sent.event.escalationId;
    const files = await readdir(join(t.dataDir, 'outbox'));
    expect(files).toEqual([`${escalationId}.eml`]);
    const mail = await simpleParser(await readFile(join(t.dataDir, 'outbox', files[0]!)));
    expect(mail.subject).toBe(preview.data.subject);
    expect((mail.to as { text: string }).text).toContain('enquiries.birmingham.countycourt@justice.gov.uk');
    expect(mail.text).toContain('When is my hearing?');
    // The clerk's text part shows no template markup: no '#' heading, no '^' inset, no '*' bullets.
    expect(mail.text).toMatch(/^Urgent: hearing on Thursday 26 November 2026 at 10am\n=+$/m);
    expect(mail.text).not.toMatch(/^[#^*] /m);
    expect(mail.text).toMatch(/^ {4}When is my hearing\?/m);
    expect(mail.html).toContain('305JE126');

    const opened = await agent.command({ type: 'open', ref: 'o', enquiryId: id });
    expect(opened.enquiry.escalations).toEqual([expect.objectContaining({ id: escalationId, status: 'sent', courtSlug: BIRMINGHAM, attempts: 1 })]);
    // Unanswered, it falls due for a chase after the template's own working days (an urgent
    // hearing sets one), not the deployment's two.
    expect(opened.enquiry.escalations[0].chaseDueOn).toBe(addWorkingDays(new Date(), 1));
    const backlog = await agent.command({ type: 'list-courts', ref: 'courts2', query: 'birmingham' });
    expect(backlog.data[0]).toMatchObject({ unanswered: 1, oldestSince: expect.any(String) });
    agent.close();
  });

  it('uses the Welsh template for a Welsh enquiry, records the court’s answer over HTTP, and settles the thread', async () => {
    t = await startTestBroker({ deliveryBaseDelayMs: 20 });
    const { agent, id } = await heldEnquiry(t, 'cy');
    await agent.command({ type: 'escalate', ref: 'e', enquiryId: id, courtSlug: 'cardiff-civil-and-family-justice-centre', template: 'hearing-date' });
    const sent = await agent.waitFor(() => escalationEvents(agent, 'escalation.delivery').find((e) => e.event.state === 'sent'), 'delivery');
    const created = escalationEvents(agent, 'escalation.created')[0].event;
    expect(created.language).toBe('cy');
    expect(created.subject).toMatch(/Ymholiad|gwrandawiad/i);

    const chase = await agent.command({ type: 'chase', ref: 'c', enquiryId: id, escalationId: sent.event.escalationId });
    expect(chase.ok).toBe(true);
    const chaseEvent = await agent.waitFor(() => escalationEvents(agent, 'escalation.created').find((e) => e.event.chaseOf), 'the chase');
    expect(chaseEvent.event.subject).toContain(created.subject);
    expect(chaseEvent.event.text).toMatch(/\d{1,2} \p{L}+ \d{4}/u); // the date the original was sent, in Welsh

    const res = await t.post(`/v1/escalations/${sent.event.escalationId}/answer`, { text: 'The hearing is listed for 2 December at 2pm.' });
    expect(res.status).toBe(201);
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`, t.tokens.agent)).json()) as any;
    expect(enquiry.escalations.map((x: { status: string }) => x.status)).toEqual(['answered', 'answered']);
    expect(enquiry.messages.at(-1)).toMatchObject({ author: 'court', text: 'The hearing is listed for 2 December at 2pm.' });
    expect((await t.post('/v1/escalations/XNOSUCH00/answer', { text: 'hello' })).status).toBe(404);
    agent.close();
  });

  it('delivers through a real SMTP server, retrying a temporary refusal, and resumes a pending delivery after a restart exactly once', async () => {
    let refusing = true;
    const server = await smtpServer({ refuse: () => refusing });
    const mail = smtpMail(server.port);
    t = await startTestBroker({ mail, deliveryBaseDelayMs: 60_000, deliveryMaxDelayMs: 60_000 });
    const { agent, id } = await heldEnquiry(t);
    await agent.command({ type: 'escalate', ref: 'e', enquiryId: id, courtSlug: BIRMINGHAM, template: 'hearing-date' });
    const retrying = await agent.waitFor(() => escalationEvents(agent, 'escalation.delivery').find((e) => e.event.state === 'retrying'), 'a temporary failure');
    expect(retrying.event.reason).toMatch(/451|busy/);
    agent.close();

    const { dataDir, tokens } = t;
    await t.broker.close();
    refusing = false;
    t = await startTestBroker({ mail, deliveryBaseDelayMs: 20 }, { dataDir, tokens });
    const deadline = Date.now() + 10_000;
    while (server.mails.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]!.subject).toContain('305JE126');
    expect((server.mails[0]!.from as { text: string }).text).toContain('contact@example.gov.uk');
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`, t.tokens.agent)).json()) as any;
    expect(enquiry.escalations[0]).toMatchObject({ status: 'sent', attempts: 2 });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses escalation by an agent who does not hold the enquiry, and unknown courts or templates', async () => {
    t = await startTestBroker();
    const { agent, id } = await heldEnquiry(t);
    const bob = await RawAgent.connect(t.url, t.tokens.agent2);
    await bob.welcome();
    expect(await bob.command({ type: 'escalate', ref: 'b', enquiryId: id, courtSlug: BIRMINGHAM, template: 'general' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await agent.command({ type: 'escalate', ref: 'x', enquiryId: id, courtSlug: 'atlantis', template: 'general' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COURT' } });
    expect(await agent.command({ type: 'escalate', ref: 'y', enquiryId: id, courtSlug: BIRMINGHAM, template: 'nope' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TEMPLATE' } });
    agent.close();
    bob.close();
  });
});

describe('stopping while a court email is being sent', () => {
  it('waits for it and records it: nothing is written after close, and a restart does not send it again', async () => {
    const server = await smtpServer({ holdMs: 800 });
    t = await startTestBroker({ mail: smtpMail(server.port), deliveryBaseDelayMs: 20 });
    const { agent, id } = await heldEnquiry(t);
    await agent.command({ type: 'escalate', ref: 'e', enquiryId: id, courtSlug: BIRMINGHAM, template: 'hearing-date' });
    await agent.waitFor(() => server.received === 1, 'the email at the SMTP server');
    agent.close();

    const { dataDir, tokens } = t;
    await t.broker.close();
    const closedAt = Date.now();
    expect(server.answeredAt, 'the SMTP server had answered when close() resolved').toBeGreaterThan(0);
    expect(server.answeredAt).toBeLessThanOrEqual(closedAt);
    const atClose = await folderState(dataDir);
    await new Promise((r) => setTimeout(r, 300));
    expect(await folderState(dataDir)).toEqual(atClose);

    t = await startTestBroker({ mail: smtpMail(server.port), deliveryBaseDelayMs: 20 }, { dataDir, tokens });
    const enquiry = (await (await t.get(`/v1/enquiries/${id}`, t.tokens.agent)).json()) as any;
    expect(enquiry.escalations[0]).toMatchObject({ status: 'sent', attempts: 1 });
    await new Promise((r) => setTimeout(r, 300)); // a resend would have reached the server by now
    expect(server.received).toBe(1);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('waits no longer than its grace for an SMTP server that never answers, and the abandoned attempt records nothing', async () => {
    const server = await smtpServer({ holdMs: Infinity });
    t = await startTestBroker({ mail: smtpMail(server.port) });
    const { agent, id } = await heldEnquiry(t);
    await agent.command({ type: 'escalate', ref: 'e', enquiryId: id, courtSlug: BIRMINGHAM, template: 'hearing-date' });
    await agent.waitFor(() => server.received === 1, 'the email at the SMTP server');
    agent.close();

    const begun = Date.now();
    await t.broker.close();
    const took = Date.now() - begun;
    expect(took).toBeGreaterThanOrEqual(STOP_GRACE_MS - 10);
    expect(took).toBeLessThan(STOP_GRACE_MS + 2000);
    // The relay gives up at last (421 as it shuts down), after the broker stopped waiting.
    const atClose = await folderState(t.dataDir);
    await stopSmtp();
    await new Promise((r) => setTimeout(r, 200));
    expect(await folderState(t.dataDir)).toEqual(atClose);
  });

  it('the real binary exits as soon as it has stopped, not when the abandoned send times out, and sends the email after a restart', async () => {
    const hung = await smtpServer({ holdMs: Infinity });
    const smtpEnv = (port: number) => ({
      COURTDESK_MAIL_TRANSPORT: 'smtp',
      COURTDESK_MAIL_FROM: 'Contact centre <contact@example.gov.uk>',
      COURTDESK_SMTP_HOST: '127.0.0.1',
      COURTDESK_SMTP_PORT: String(port),
      COURTDESK_SMTP_SECURE: 'none',
    });
    const dataDir = await tempDir();
    try {
      const tokens = await makeTokens(dataDir);
      const first = await spawnBroker(dataDir, [], smtpEnv(hung.port));
      let id: string;
      try {
        const held = await heldEnquiry({ url: first.url, tokens });
        id = held.id;
        await held.agent.command({ type: 'escalate', ref: 'e', enquiryId: id, courtSlug: BIRMINGHAM, template: 'hearing-date' });
        await held.agent.waitFor(() => hung.received === 1, 'the email at the SMTP server');
        held.agent.close();

        const begun = Date.now();
        first.child.kill('SIGTERM');
        // Without aborting the send, its socket kept the process alive for nodemailer's 60 s socket timeout.
        const limit = STOP_GRACE_MS + 3000;
        const exit = await Promise.race([first.exited, new Promise((r) => setTimeout(() => r(`still running after ${limit} ms`), limit))]);
        expect(exit).toBe(0);
        expect(Date.now() - begun).toBeGreaterThanOrEqual(STOP_GRACE_MS - 10);
        expect(first.stdout.join('')).toContain('courtdesk broker: stopped cleanly');
      } finally {
        first.child.kill('SIGKILL');
        await first.exited;
      }

      // The abandoned send recorded nothing: the next start finds the escalation queued and sends it,
      // as its first recorded attempt.
      await stopSmtp();
      const working = await smtpServer();
      const second = await spawnBroker(dataDir, [], smtpEnv(working.port));
      try {
        await expect.poll(() => working.mails.length, { timeout: 5000 }).toBe(1);
        const get = () => fetch(`${second.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${tokens.agent}` } }).then((r) => r.json() as Promise<any>);
        await expect.poll(async () => (await get()).escalations[0]?.status, { timeout: 5000 }).toBe('sent');
        expect((await get()).escalations[0]).toMatchObject({ status: 'sent', attempts: 1 });
        expect(working.mails[0]!.subject).toContain('305JE126');
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      } finally {
        second.child.kill('SIGKILL');
        await second.exited;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
