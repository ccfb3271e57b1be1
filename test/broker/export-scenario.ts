// A case worked end to end through a real broker, for the export tests: a customer whose text
// tries to inject markup, a claim, a reply delivered to a callback URL, an internal note, a tag,
// an escalation emailed to the outbox, the court's answer, a close and a reopen; beside it an
// enquiry tagged with the case and untagged again, and one tagged with another case.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postEnquiry, RawAgent, type TestBroker } from '../helpers/broker.js';

export const CASE = '305JE126';
export const COURT = 'birmingham-civil-and-family-justice-centre';
export const HOSTILE_TEXT = 'Has the court got my defence? <script>alert("pwned")</script> <img src="https://evil.example/x.png">';
export const HOSTILE_NAME = 'Dee <b>Jones</b>';
export const REPLY = 'Thank you. I will ask the court and come back to you.';
export const NOTE = 'Called Birmingham: the line was busy. Escalating by email.';
export const ANSWER = 'The defence was received on 20 November; the hearing is listed for 2 December at 2pm.';

export interface WorkedCase {
  /** The enquiry with everything. */
  id: string;
  /** Tagged with the case, then untagged. */
  untaggedId: string;
  /** Tagged with another case only. */
  otherId: string;
  escalationId: string;
  close(): Promise<void>;
}

/** A receiver for reply callbacks that takes every one. */
async function callbackReceiver(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/replies`, server };
}

export async function workCase(t: Pick<TestBroker, 'url' | 'tokens' | 'post'>): Promise<WorkedCase> {
  const receiver = await callbackReceiver();
  const agent = await RawAgent.connect(t.url, t.tokens.agent);
  await agent.welcome();
  const ok = async (frame: Record<string, unknown>) => {
    const ack = await agent.command(frame);
    if (!ack.ok) throw new Error(`${String(frame.type)} refused: ${JSON.stringify(ack.error)}`);
    return ack;
  };
  const events = (type: string) => agent.events().filter((e) => e.event.type === type);

  const id = await postEnquiry(t.url, t.tokens.intake, { name: HOSTILE_NAME, from: 'dee@example.org', text: HOSTILE_TEXT, callbackUrl: receiver.url });
  await ok({ type: 'claim', ref: 'claim', enquiryId: id });
  await ok({ type: 'reply', ref: 'reply', enquiryId: id, text: REPLY });
  await agent.waitFor(() => events('reply.delivery').find((e) => e.event.state === 'delivered'), 'the reply delivered');
  await ok({ type: 'note', ref: 'note', enquiryId: id, text: NOTE });
  await ok({ type: 'tag', ref: 'tag', enquiryId: id, caseNumber: '305je126' });
  await ok({ type: 'escalate', ref: 'escalate', enquiryId: id, courtSlug: COURT, template: 'hearing-date' });
  const sent = await agent.waitFor(() => events('escalation.delivery').find((e) => e.event.state === 'sent'), 'the email sent');
  const escalationId: string = sent.event.escalationId;
  const answered = await t.post(`/v1/escalations/${escalationId}/answer`, { text: ANSWER });
  if (answered.status !== 201) throw new Error(`the answer was refused: ${await answered.text()}`);
  await agent.waitFor(() => events('escalation.answered')[0], 'the answer');
  await ok({ type: 'close', ref: 'close', enquiryId: id });
  await ok({ type: 'reopen', ref: 'reopen', enquiryId: id });

  const untaggedId = await postEnquiry(t.url, t.tokens.intake, { from: 'ed@example.org', text: 'Is 305JE126 my case or my neighbour’s?' });
  await ok({ type: 'claim', ref: 'claim2', enquiryId: untaggedId });
  await ok({ type: 'tag', ref: 'tag2', enquiryId: untaggedId, caseNumber: CASE });
  await ok({ type: 'untag', ref: 'untag2', enquiryId: untaggedId, caseNumber: CASE });

  const otherId = await postEnquiry(t.url, t.tokens.intake, { from: 'fay@example.org', text: 'About claim A1QZ1234.' });
  await ok({ type: 'claim', ref: 'claim3', enquiryId: otherId });
  await ok({ type: 'tag', ref: 'tag3', enquiryId: otherId, caseNumber: 'A1QZ1234' });

  return {
    id,
    untaggedId,
    otherId,
    escalationId,
    close: async () => {
      agent.close();
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    },
  };
}

/** The seq and hash of the journal's last record, read straight from the file. */
export function journalHead(journal: string): { seq: number; hash: string } {
  const last = journal.trimEnd().split('\n').at(-1)!;
  const record = JSON.parse(last) as { seq: number; hash: string };
  return { seq: record.seq, hash: record.hash };
}

/** The kinds of a transcript enquiry's timeline, in order, leaving out the accesses earlier exports in a file recorded. */
export function kinds(enquiry: { timeline: { kind: string }[] }): string[] {
  return enquiry.timeline.map((x) => x.kind).filter((kind) => kind !== 'enquiry.accessed');
}
