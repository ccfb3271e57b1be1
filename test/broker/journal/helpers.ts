// Temp folders and events for the journal tests. Everything here touches real files.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, JournalRecord } from '../../../src/domain/events.js';
import { FileJournalStore, JOURNAL_FILE } from '../../../src/broker/journal/file-store.js';
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

export function store(dir: string, options: { log?: (msg: string) => void } = {}): FileJournalStore {
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
export async function openAll(dir: string, options: { log?: (msg: string) => void } = {}) {
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
