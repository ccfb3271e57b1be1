// GET /v1/export on a real broker: a case worked over the websocket and HTTP, exported in every
// format from the broker's own journal file, and refused to the roles that may not export.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken } from '../../src/broker/tokens.js';
import { makeTokens, startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { expectInOrder } from '../helpers/in-order.js';
import { ANSWER, CASE, HOSTILE_TEXT, journalHead, kinds, NOTE, REPLY, workCase, type WorkedCase } from './export-scenario.js';

let t: TestBroker;
let worked: WorkedCase;
let auditor: string;

beforeAll(async () => {
  // The auditor's token is there before the broker starts: one added later is seen within a second, not at once.
  const dataDir = await tempDir();
  const tokens = await makeTokens(dataDir);
  auditor = await addToken(dataDir, { name: 'audrey', role: 'auditor' });
  t = await startTestBroker({ deliveryBaseDelayMs: 20, acknowledgeEnquiries: false }, { dataDir, tokens });
  worked = await workCase(t);
});
afterAll(async () => {
  await worked?.close();
  await t?.close();
  if (t) await rm(t.dataDir, { recursive: true, force: true });
});

const exportAs = (query: string, token = t.tokens.supervisor) => t.get(`/v1/export?${query}`, token);

describe('GET /v1/export', () => {
  it('gives a supervisor the case in JSON: each enquiry ever tagged, every record in order, the seq range and the head', async () => {
    // Read first: the export itself then records an access for each enquiry it holds.
    const head = journalHead(await readFile(join(t.dataDir, 'journal.ndjson'), 'utf8'));
    const res = await exportAs('case=305je126&format=json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const transcript = (await res.json()) as any;
    const after = (await readFile(join(t.dataDir, 'journal.ndjson'), 'utf8')).trim().split('\n').slice(-2).map((l) => JSON.parse(l));
    expect(after.map((r: { event: { type: string; via: string; enquiryId: string } }) => [r.event.type, r.event.via, r.event.enquiryId])).toEqual([
      ['enquiry.accessed', 'export', worked.id],
      ['enquiry.accessed', 'export', worked.untaggedId],
    ]);

    expect(transcript.case).toBe(CASE);
    expect(transcript.enquiries.map((e: { id: string }) => e.id)).toEqual([worked.id, worked.untaggedId]);
    const [main, untagged] = transcript.enquiries;
    expect(main).toMatchObject({ id: worked.id, channel: 'web', from: 'dee@example.org', name: 'Dee <b>Jones</b>', language: 'en', stillTagged: true, caseNumbers: [CASE] });
    expect(kinds(main)).toEqual([
      'enquiry.received',
      'enquiry.claimed',
      'enquiry.replied',
      'reply.delivery',
      'enquiry.noted',
      'enquiry.tagged',
      'escalation.created',
      'escalation.delivery',
      'escalation.answered',
      'enquiry.closed',
      'enquiry.reopened',
    ]);
    const entry = (kind: string) => main.timeline.find((x: { kind: string }) => x.kind === kind);
    expect(entry('enquiry.received')).toMatchObject({ text: HOSTILE_TEXT, actor: { kind: 'intake', name: 'webform' } });
    expect(entry('enquiry.replied')).toMatchObject({ text: REPLY, agent: 'alice', actor: { kind: 'agent', name: 'alice' } });
    expect(main.timeline.filter((x: { kind: string }) => x.kind === 'reply.delivery').map((x: { state: string }) => x.state)).toEqual(['delivered']);
    expect(entry('reply.delivery').replySeq).toBe(entry('enquiry.replied').seq);
    expect(entry('enquiry.noted')).toMatchObject({ text: NOTE });
    const email = entry('escalation.created');
    expect(email).toMatchObject({ escalationId: worked.escalationId, to: 'enquiries.birmingham.countycourt@justice.gov.uk' });
    expect(email.subject).toContain(CASE);
    expect(email.html).toContain('<!DOCTYPE html>');
    expect(email.text).toContain(CASE);
    expect(entry('escalation.delivery')).toMatchObject({ state: 'sent', attempts: 1, escalationSeq: email.seq });
    expect(entry('escalation.answered')).toMatchObject({ text: ANSWER, escalationSeq: email.seq });
    expect(entry('enquiry.claimed').atLondon).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d (GMT|BST)$/);

    expect(untagged.stillTagged).toBe(false);
    expect(kinds(untagged)).toEqual(['enquiry.received', 'enquiry.claimed', 'enquiry.tagged', 'enquiry.untagged']);

    const seqs = transcript.enquiries.flatMap((e: { timeline: { seq: number }[] }) => e.timeline.map((x) => x.seq));
    expect(transcript.source).toMatchObject({ firstSeq: Math.min(...seqs), lastSeq: Math.max(...seqs), headSeq: head.seq, headHash: head.hash, epoch: t.broker.epoch });
    for (const e of transcript.enquiries) expect(e.timeline.map((x: { seq: number }) => x.seq)).toEqual([...e.timeline.map((x: { seq: number }) => x.seq)].sort((a, b) => a - b));
  });

  it('gives the same case as text and as HTML, each with every step in order and the head hash', async () => {
    const head = journalHead(await readFile(join(t.dataDir, 'journal.ndjson'), 'utf8'));
    const text = await (await exportAs(`case=${CASE}&format=text`)).text();
    const order = ['wrote in by web form', 'Claimed by alice', 'Reply to the customer by alice', 'Reply (seq', 'Internal note — not sent to the customer', 'Tagged with case 305JE126', 'Escalated by email to Birmingham', 'Plain text part, as sent', 'Email to Birmingham', 'Answer from Birmingham', 'Closed by alice', 'Reopened by alice'];
    expectInOrder(text, order);
    expect(text).toContain(head.hash);
    expect(text).toContain('is no longer tagged 305JE126');
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    const headBeforeHtml = journalHead(await readFile(join(t.dataDir, 'journal.ndjson'), 'utf8'));
    const res = await exportAs(`case=${CASE}&format=html`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await res.text();
    expectInOrder(html, order);
    expect(html).toContain(headBeforeHtml.hash);
    // The citizen's markup is text on the page, never markup.
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('Dee &lt;b&gt;Jones&lt;/b&gt;');
  });

  it('exports one enquiry, and allows an auditor', async () => {
    const res = await exportAs(`enquiry=${worked.otherId}&format=json`, auditor);
    expect(res.status).toBe(200);
    const transcript = (await res.json()) as any;
    expect(transcript.enquiry).toBe(worked.otherId);
    expect(transcript.enquiries.map((e: { id: string }) => e.id)).toEqual([worked.otherId]);
    expect(kinds(transcript.enquiries[0])).toEqual(['enquiry.received', 'enquiry.claimed', 'enquiry.tagged']);
  });

  it('refuses agent and intake tokens, naming the roles that may export', async () => {
    for (const token of [t.tokens.agent, t.tokens.intake]) {
      const res = await exportAs(`case=${CASE}`, token);
      expect(res.status).toBe(403);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toMatch(/supervisor or auditor/);
    }
    expect((await fetch(`${t.url}/v1/export?case=${CASE}`)).status).toBe(401);
  });

  it('says what is wrong with an unknown case or enquiry, a bad case number, a bad format or a bad query', async () => {
    const answer = async (query: string) => {
      const res = await exportAs(query);
      return { status: res.status, ...((await res.json()) as any).error };
    };
    expect(await answer('case=999XX999')).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'no enquiry in the journal is tagged 999XX999; check the case number (courtdesk queue --json lists tags)',
    });
    expect(await answer('enquiry=ENOSUCH')).toMatchObject({ status: 404, message: expect.stringContaining('no enquiry in the journal has the id ENOSUCH') });
    expect(await answer('case=305JE12')).toMatchObject({ status: 400, code: 'INVALID_CASE_NUMBER' });
    expect(await answer(`case=${CASE}&format=pdf`)).toMatchObject({ status: 400, code: 'BAD_EXPORT', message: expect.stringContaining('json, text, html') });
    expect(await answer(`case=${CASE}&enquiry=${worked.id}`)).toMatchObject({ status: 400, code: 'BAD_EXPORT' });
    expect(await answer('')).toMatchObject({ status: 400, code: 'BAD_EXPORT' });
    expect(await answer(`case=${CASE}&fromat=text`)).toMatchObject({ status: 400, message: expect.stringContaining('"fromat"') });
    expect(await answer(`case=${CASE}&case=A1QZ1234`)).toMatchObject({ status: 400, message: expect.stringContaining('more than once') });
  });
});

