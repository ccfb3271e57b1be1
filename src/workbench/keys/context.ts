// The queue's keys: what decides whether one can act now, and what a row of the queue's table
// holds. Dialogs add the rows that open them (their `opener`), so they live here, apart from the
// table itself.
import type { Enquiry } from '../../domain/enquiry.js';
import type { Presence } from '../../domain/events.js';
import type { DialogHost } from '../dialogs/dialog.js';

/** What decides whether a key means something right now. */
export interface KeyContext {
  selected: Enquiry | null;
  me: string;
  /** Supervisors may add notes to enquiries they do not hold. */
  supervisor: boolean;
  /** The token may see the wallboard (supervisors and auditors). */
  wallboard: boolean;
  presence: Presence | null;
  filter: string;
  zoomed: boolean;
}

/** What the queue's keys can do; the controller implements it. */
export interface Actions extends DialogHost {
  move(by: number): void;
  top(): void;
  bottom(): void;
  toggleZoom(): void;
  scrollPane(by: number): void;
  back(): void;
  /** Selects an enquiry (and loads its conversation once the selection rests). */
  select(id: string): void;
  presence(): Presence | null;
}

export interface Binding {
  /** Key names as `keyName` gives them: a character, or `down`, `enter`, `esc`, `pageup`, `ctrl-c`... */
  keys: readonly string[];
  /** How the keys are written in the help overlay. */
  label: string;
  /** One or two words for the footer. */
  hint: string;
  help: string;
  /** When it acts, in words, for the docs' table ('' when always). */
  needs: string;
  /** Footer order (lower first); null keeps it out of the footer. */
  footer: number | null;
  /** True when the key can act now, or why not (shown when it is pressed anyway). */
  when(c: KeyContext): true | string;
  run(a: Actions): void;
}

export const always = (): true => true;
export const needsSelection = (c: KeyContext): true | string => (c.selected ? true : 'no enquiry is selected');
export const open = (c: KeyContext): true | string => {
  if (!c.selected) return 'no enquiry is selected';
  return c.selected.status === 'closed' ? 'it is closed: press o to reopen it first' : true;
};
export const heldByMe = (c: KeyContext): true | string => {
  const ready = open(c);
  if (ready !== true) return ready;
  if (c.selected!.claimedBy === c.me) return true;
  return c.selected!.claimedBy === null ? 'claim it first: press c' : `${c.selected!.claimedBy} holds it`;
};
/** Emailing a court is the holder's to do; a supervisor may step in on any open enquiry. */
export const heldOrSupervisor = (c: KeyContext): true | string => {
  const ready = open(c);
  if (ready !== true) return ready;
  return c.supervisor ? true : heldByMe(c);
};
