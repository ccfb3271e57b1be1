// What the queue's command keys do (n, c, u, o, p, and x once it has asked): send the command, and say on the notice
// line what became of it.
import type { Presence } from '../../domain/events.js';
import type { CommandOutcome } from '../../client/types.js';
import { displayName } from '../format.js';
import type { DialogHost } from '../dialogs/dialog.js';
import type { Actions } from './context.js';

/** The broker picks, by the one routing rule, so presence, the cap and Welsh-first hold here too. */
export async function takeNext(a: Actions): Promise<void> {
  const agent = a.client.agent;
  if (!agent) return a.notify('Not connected yet: wait for the broker.', 'error');
  a.notify('Taking the next enquiry.', 'info');
  const o = await a.ask({ type: 'take-next' });
  if (!o.ok) {
    const why =
      o.error.code === 'NOTHING_WAITING'
        ? `Nothing is waiting unclaimed in your languages (${agent.languages.map((l) => l.toUpperCase()).join(', ')}).`
        : `Could not take the next enquiry: ${o.error.message}`;
    return a.notify(why, o.error.code === 'NOTHING_WAITING' ? 'info' : 'error');
  }
  a.select(o.data.enquiryId);
  const taken = a.enquiry(o.data.enquiryId);
  const name = taken ? displayName(taken) : o.data.enquiryId;
  a.notify(`You hold ${name}'s enquiry${o.data.reason ? ` (${o.data.reason})` : ''}. r to reply.`, 'info');
}

export const claim = (a: Actions): void =>
  onSelected(a, 'claim', (name, o) => (o.ok ? `You hold ${name}'s enquiry.` : `Could not claim ${name}'s enquiry: ${o.error.message}`));

export const release = (a: Actions): void =>
  onSelected(a, 'release', (name, o) => (o.ok ? `Released ${name}'s enquiry to the queue.` : `Could not release ${name}'s enquiry: ${o.error.message}`));

export function closeEnquiry(a: DialogHost, enquiryId: string): void {
  const e = a.enquiry(enquiryId);
  const name = e ? displayName(e) : enquiryId;
  void a.command({ type: 'close', enquiryId }, (o) => (o.ok ? `Closed ${name}'s enquiry (o reopens it).` : `Could not close ${name}'s enquiry: ${o.error.message}`));
}

export const reopen = (a: Actions): void =>
  onSelected(a, 'reopen', (name, o) => (o.ok ? `Reopened ${name}'s enquiry.` : `Could not reopen ${name}'s enquiry: ${o.error.message}`));

export function togglePresence(a: Actions): void {
  const next: Presence = a.presence() === 'available' ? 'away' : 'available';
  void a.command({ type: 'presence', state: next }, (o) => (o.ok ? `You are ${next}.` : `Could not change presence: ${o.error.message}`));
}

function onSelected(a: Actions, type: 'claim' | 'release' | 'reopen', describe: (name: string, o: CommandOutcome) => string): void {
  const e = a.selected();
  if (!e) return;
  const name = displayName(e);
  void a.command({ type, enquiryId: e.id }, (o) => describe(name, o));
}
