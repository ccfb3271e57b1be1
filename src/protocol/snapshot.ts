// What a client receives on connect. Everyone gets every open enquiry as a summary (enough to rank
// and draw the queue); full conversations travel only for enquiries the agent holds, or opens
// later with the `open` command. That keeps the snapshot small for thin clients and keeps
// conversations need-to-know. docs/protocol.md records the measured sizes.
import type { Enquiry, State } from '../domain/enquiry.js';
import { emptyState } from '../domain/enquiry.js';
import { isUnanswered } from '../domain/escalations.js';
import { trackQueued } from '../domain/reducer.js';
import type { Snapshot } from './frames.js';

export function snapshotFor(state: State, agentName: string): Snapshot {
  const enquiries: Enquiry[] = [];
  for (const e of state.enquiries.values()) {
    const entry = snapshotEntry(e, agentName);
    if (entry) enquiries.push(entry);
  }
  return { enquiries, agents: [...state.agents.values()] };
}

/** How one enquiry appears in this agent's snapshot, or null when it is left out. */
export function snapshotEntry(e: Enquiry, agentName: string): Enquiry | null {
  // A closed enquiry stays in view while a court still owes an answer: its count is what stops
  // agents emailing the same court a third time.
  if (e.status === 'closed' && !e.escalations.some(isUnanswered)) return null;
  return e.claimedBy === agentName ? e : summaryOf(e);
}

/** An enquiry without its conversation or email bodies: the queue row needs only the derived fields. */
export function summaryOf(e: Enquiry): Enquiry {
  return { ...e, messages: [], escalations: e.escalations.map((x) => ({ ...x, text: '', html: '' })), messagesLoaded: false };
}

export function stateFromSnapshot(snapshot: Snapshot, seq: number): State {
  const state = emptyState();
  state.seq = seq;
  for (const e of snapshot.enquiries) {
    state.enquiries.set(e.id, e);
    trackQueued(state, e);
    if (e.status !== 'closed') state.openBySender.set(`${e.channel}\u0000${e.from}`, e.id);
  }
  for (const a of snapshot.agents) state.agents.set(a.name, a);
  return state;
}
