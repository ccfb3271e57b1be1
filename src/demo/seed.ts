// Writes the demo's earlier morning straight into a new journal, with the times it happened, so
// the queue opens with real waits (74 minutes, 66, …) instead of everything arriving at once.
import type { Actor, CourtdeskEvent } from '../domain/events.js';
import { FileJournalStore } from '../broker/journal/file-store.js';
import { newEnquiryId, newMessageId } from '../broker/ids.js';
import { SEEDED } from './morning.js';

/** Returns the ids given to SEEDED, in order, so the live stream can follow them up. */
export async function seedMorning(dataDir: string, intakeName: string, nowMs = Date.now()): Promise<string[]> {
  const timeline: Array<{ at: number; actor: Actor; event: CourtdeskEvent }> = [];
  const ids: string[] = [];
  for (const s of SEEDED) {
    const enquiryId = newEnquiryId();
    ids.push(enquiryId);
    const intake: Actor = { kind: 'intake', name: intakeName };
    timeline.push({
      at: nowMs - s.minutesAgo * 60_000,
      actor: intake,
      event: { type: 'enquiry.received', enquiryId, messageId: newMessageId(), channel: s.channel, from: s.from, name: s.name, text: s.text, language: s.language, callbackUrl: null },
    });
    for (const h of s.history ?? []) {
      const at = nowMs - h.minutesAgo * 60_000;
      if (h.kind === 'customer') {
        timeline.push({ at, actor: intake, event: { type: 'enquiry.message', enquiryId, messageId: newMessageId(), text: h.text } });
      } else if (h.kind === 'tag') {
        timeline.push({ at, actor: { kind: 'agent', name: 'bob' }, event: { type: 'enquiry.tagged', enquiryId, caseNumber: h.caseNumber, format: h.format } });
      } else if (h.kind === 'claim') {
        timeline.push({ at, actor: { kind: 'agent', name: h.agent }, event: { type: 'enquiry.claimed', enquiryId, agent: h.agent } });
      } else {
        const type = h.kind === 'reply' ? 'enquiry.replied' : 'enquiry.noted';
        timeline.push({ at, actor: { kind: 'agent', name: h.agent }, event: { type, enquiryId, messageId: newMessageId(), agent: h.agent, text: h.text } });
      }
    }
  }
  timeline.sort((a, b) => a.at - b.at);

  let clock = 0;
  const store = new FileJournalStore({ dir: dataDir, now: () => new Date(clock) });
  await store.open(() => undefined);
  for (const item of timeline) {
    clock = item.at;
    store.append([{ actor: item.actor, event: item.event }]);
  }
  await store.close();
  return ids;
}
