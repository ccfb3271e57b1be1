// A court email is sent once across nodes: three real broker processes on one PostgreSQL journal
// and a real SMTP server. The node that took the email's lease is killed with SIGKILL while the
// server holds its DATA unanswered (the message is on the wire, the 250 not yet given, so under
// SMTP it is not accepted); exactly one other node takes the lapsed lease over and sends it, with
// the same Message-ID, and the outcome is recorded once.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postEnquiry, RawAgent } from '../helpers/broker.js';
import { describeWithPostgres, startCluster, stopCluster, type Cluster } from '../helpers/pg.js';

const LEASE_MS = 1500;

interface Arrival {
  messageId: string;
  /** Whether the server gave its 250: only then is the mail the court's. */
  accepted: boolean;
}

describeWithPostgres('court emails on several broker nodes', () => {
  let cluster: Cluster;
  let smtp: SMTPServer;
  const arrivals: Arrival[] = [];

  beforeAll(async () => {
    // The first message's DATA is read and never answered; later ones get their 250.
    smtp = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          const arrival = { messageId: mail.messageId ?? '', accepted: arrivals.length > 0 };
          arrivals.push(arrival);
          if (arrival.accepted) callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    const env = {
      COURTDESK_ACKNOWLEDGE: 'off',
      COURTDESK_DELIVERY_LEASE_MS: String(LEASE_MS),
      COURTDESK_MAIL_TRANSPORT: 'smtp',
      COURTDESK_MAIL_FROM: 'Contact centre <contact@example.gov.uk>',
      COURTDESK_SMTP_HOST: '127.0.0.1',
      COURTDESK_SMTP_PORT: String(port),
      COURTDESK_SMTP_SECURE: 'none',
    };
    cluster = await startCluster({ nodes: 3, env });
  }, 30_000);

  afterAll(async () => {
    await stopCluster(cluster);
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 30_000);

  async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('an email whose node is killed before the server accepted it is sent once more, by one other node, and recorded once', async () => {
    const id = await postEnquiry(cluster.nodes[0]!.url, cluster.tokens.intake, { name: 'Dee Jones', text: 'When is my hearing? I have heard nothing.' });
    await until(async () => ((await fetch(`${cluster.nodes[1]!.url}/v1/enquiries/${id}`, { headers: { authorization: `Bearer ${cluster.tokens.supervisor}` } })).ok ? true : undefined), 'the enquiry on node 2');
    const alice = await RawAgent.connect(cluster.nodes[1]!.url, cluster.tokens.agent);
    await alice.welcome();
    expect((await alice.command({ type: 'claim', ref: 'c1', enquiryId: id })).ok).toBe(true);
    expect((await alice.command({ type: 'tag', ref: 't1', enquiryId: id, caseNumber: '305JE126' })).ok).toBe(true);
    const escalated = await alice.command({ type: 'escalate', ref: 'e1', enquiryId: id, courtSlug: 'birmingham-civil-and-family-justice-centre', template: 'hearing-date' });
    expect(escalated.ok).toBe(true);
    const created = await alice.waitFor(() => alice.events().find((e) => e.event.type === 'escalation.created' && e.event.enquiryId === id), 'the escalation');
    const escalationId = created.event.escalationId as string;

    await until(() => (arrivals.length === 1 ? true : undefined), 'the first DATA at the SMTP server');
    const lease = await cluster.db.query<{ node: string }>('SELECT node FROM delivery_leases WHERE key = $1', [`court-email:${escalationId}`]);
    const holder = cluster.nodes.find((n) => n.child.pid === Number(lease.rows[0]!.node.split(':')[1]))!;
    expect(holder).toBeDefined();
    holder.child.kill('SIGKILL');
    await holder.exited;

    // Read from the journal, not from alice's socket: the holder may be the node she is on.
    const sent = await until(async () => {
      const rows = await cluster.db.query<{ line: string }>(`SELECT line FROM journal_records WHERE event_type = 'escalation.delivery' AND enquiry_id = $1`, [id]);
      return rows.rows.map((r) => JSON.parse(r.line).event).find((e) => e.escalationId === escalationId && e.state === 'sent');
    }, 'the email sent by another node', 20_000);
    // The dead holder never recorded its attempt: the survivor's is the first on the record.
    expect(sent.attempts).toBe(1);

    // Two lease periods more: a second survivor or a stale lease would have sent it again by now.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    expect(arrivals.map((a) => a.accepted)).toEqual([false, true]);
    // The same Message-ID both times, so a mail system that did keep the first can drop the second.
    expect(arrivals[1]!.messageId).toBe(arrivals[0]!.messageId);
    const outcomes = await cluster.db.query<{ line: string }>(`SELECT line FROM journal_records WHERE event_type = 'escalation.delivery' AND enquiry_id = $1`, [id]);
    expect(outcomes.rows.map((r) => JSON.parse(r.line).event.state)).toEqual(['sent']);
    alice.close();
  }, 60_000);
});
