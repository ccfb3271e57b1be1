// Temp folders and events for the journal tests. Everything here touches real files.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, JournalRecord } from '../../../src/domain/events.js';
import { FileJournalStore, JOURNAL_FILE, type FileJournalOptions } from '../../../src/broker/journal/file-store.js';
import type { NewRecord } from '../../../src/broker/journal/store.js';

export const intake: Actor = { kind: 'intake', name: 'web-form' };

/** Welsh text on purpose: multi-byte UTF-8 keeps byte counts honest. */
export function received(i: number): NewRecord {
  return {
    actor: intake,
    event: {
      type: 'enquiry.received',
      enquiryId: `E${i}`,
      messageId: `M${i}`,
      channel: 'web',
      from: `caller${i}@example.org`,
      name: 'Siân Ŵyn',
      text: `Ble mae'r llys ar gyfer hawliad 305JE126? (${i})`,
      language: 'cy',
      callbackUrl: null,
    },
  };
}

export function claimed(i: number, ref: string): NewRecord {
  return { actor: { kind: 'agent', name: 'alice' }, ref, event: { type: 'enquiry.claimed', enquiryId: `E${i}`, agent: 'alice' } };
}

const folders: string[] = [];
const stores: FileJournalStore[] = [];

export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'courtdesk-journal-'));
  folders.push(dir);
  return dir;
}

export function store(dir: string, options: Omit<FileJournalOptions, 'dir'> = {}): FileJournalStore {
  const s = new FileJournalStore({ dir, ...options });
  stores.push(s);
  return s;
}

/** Closes whatever a test left open and removes its folders. */
export async function cleanUp(): Promise<void> {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => {})));
  await Promise.all(folders.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}

/** Opens a journal and collects what it replays. */
export async function openAll(dir: string, options: Omit<FileJournalOptions, 'dir'> = {}) {
  const s = store(dir, options);
  const records: JournalRecord[] = [];
  const opened = await s.open((r) => records.push(r));
  return { store: s, records, opened };
}

/** Writes `count` received events to a fresh journal in `dir` and closes it. */
export async function journalWith(dir: string, count: number): Promise<JournalRecord[]> {
  const { store: s } = await openAll(dir);
  const { records, durable } = s.append(Array.from({ length: count }, (_, i) => received(i + 1)));
  await durable;
  await s.close();
  return records;
}

export const journalPath = (dir: string) => join(dir, JOURNAL_FILE);

export async function readLines(dir: string): Promise<string[]> {
  return (await fs.readFile(journalPath(dir), 'utf8')).split('\n');
}

export async function writeLines(dir: string, lines: string[]): Promise<void> {
  await fs.writeFile(journalPath(dir), lines.join('\n'));
}

export const sha256hex = (text: string) => createHash('sha256').update(text).digest('hex');

export const alice: Actor = { kind: 'agent', name: 'alice' };
export const bob: Actor = { kind: 'agent', name: 'bob' };
export const system: Actor = { kind: 'system', name: 'delivery' };

/** Every kind of event, over several enquiries, so each part of the state has something in it. */
export function lifeOf(i: number): NewRecord[] {
  const id = `E${i}`;
  const m = (k: string) => `M${i}${k}`;
  return [
    {
      actor: intake,
      event: { type: 'enquiry.received', enquiryId: id, messageId: m('a'), channel: i % 2 ? 'whatsapp' : 'web', from: `+4477000${i % 3}`, name: i % 4 ? 'Siân Ŵyn' : null, text: `Ble mae'r llys? 305JE12${i}`, language: i % 3 ? 'en' : 'cy', callbackUrl: null, idempotencyKey: `key-${i}`, externalId: `wamid.${i}a` },
    },
    { actor: alice, ref: `claim-${i}`, event: { type: 'enquiry.claimed', enquiryId: id, agent: 'alice' } },
    { actor: alice, ref: `reply-${i}`, event: { type: 'enquiry.replied', enquiryId: id, messageId: m('b'), agent: 'alice', text: 'Diolch — we are looking into it.' } },
    { actor: system, event: { type: 'reply.delivery', enquiryId: id, messageId: m('b'), state: 'delivered', attempts: 1, externalId: `wamid.${i}b` } },
    { actor: intake, event: { type: 'enquiry.message', enquiryId: id, messageId: m('c'), text: 'Any news?', externalId: `wamid.${i}c` } },
    { actor: alice, ref: `note-${i}`, event: { type: 'enquiry.noted', enquiryId: id, messageId: m('d'), agent: 'alice', text: 'Asked the court.' } },
    { actor: alice, ref: `tag-${i}`, event: { type: 'enquiry.tagged', enquiryId: id, caseNumber: '305JE126', format: 'civil' } },
    { actor: alice, ref: `untag-${i}`, event: { type: 'enquiry.untagged', enquiryId: id, caseNumber: '305JE126' } },
    {
      actor: alice,
      ref: `escalate-${i}`,
      event: { type: 'escalation.created', enquiryId: id, escalationId: `X${i}`, courtSlug: 'lancaster-courthouse', courtName: 'Lancaster Courthouse', to: 'enquiries.lancaster.countycourt@justice.gov.uk', template: 'general', language: 'en', subject: `Enquiry ${id}`, text: 'Dear court,', html: '<p>Dear court,</p>' },
    },
    { actor: system, event: { type: 'escalation.delivery', enquiryId: id, escalationId: `X${i}`, state: 'sent', attempts: 1, chaseDueOn: '2026-12-08' } },
    ...(i % 2 ? [{ actor: alice, event: { type: 'escalation.answered', enquiryId: id, escalationId: `X${i}`, messageId: m('e'), text: 'Received.' } } as NewRecord] : []),
    { actor: alice, ref: `transfer-${i}`, event: { type: 'enquiry.transferred', enquiryId: id, fromAgent: 'alice', toAgent: 'bob' } },
    ...(i % 3 === 0
      ? [
          { actor: bob, ref: `close-${i}`, event: { type: 'enquiry.closed', enquiryId: id } } as NewRecord,
          { actor: bob, ref: `reopen-${i}`, event: { type: 'enquiry.reopened', enquiryId: id } } as NewRecord,
        ]
      : i % 3 === 1
        ? [{ actor: bob, ref: `close-${i}`, event: { type: 'enquiry.closed', enquiryId: id } } as NewRecord]
        : [{ actor: bob, ref: `release-${i}`, event: { type: 'enquiry.released', enquiryId: id, agent: 'bob' } } as NewRecord]),
    { actor: bob, ref: `presence-${i}`, event: { type: 'agent.presence', agent: i % 2 ? 'bob' : 'alice', state: i % 2 ? 'away' : 'available' } },
  ];
}

export const manyLives = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => lifeOf(from + k)).flat();
