// Every dialog, registered once. A new dialog is one module (state, reducer, key table, hints,
// height, view, and the queue key that opens it) plus its line here; docs/workbench.md says how.
import type { Binding } from '../keys/context.js';
import { answerDialog, answerOpener } from './answer-dialog.js';
import { cannedDialog } from './canned-dialog.js';
import { chaseDialog, chaseOpener } from './chase-dialog.js';
import { closeDialog, closeOpener } from './close-dialog.js';
import type { DialogSpec } from './dialog.js';
import { escalateDialog, escalateOpener } from './escalate-dialog.js';
import { filterDialog, filterOpener } from './filter-dialog.js';
import { helpDialog, helpOpener } from './help-dialog.js';
import { noteDialog, noteOpener } from './note-dialog.js';
import { quitDialog, quitOpener } from './quit-dialog.js';
import { replyDialog, replyOpener } from './reply-dialog.js';
import { tagDialog, tagOpener } from './tag-dialog.js';
import { transferDialog, transferOpener } from './transfer-dialog.js';
import { untagDialog, untagOpener } from './untag-dialog.js';
import { wallboardDialog, wallboardOpener } from './wallboard-dialog.js';

/** In this order the opening keys appear in the queue's table (the footer orders by priority). */
const REGISTERED = [
  { spec: replyDialog, opener: replyOpener },
  { spec: cannedDialog },
  { spec: noteDialog, opener: noteOpener },
  { spec: tagDialog, opener: tagOpener },
  { spec: untagDialog, opener: untagOpener },
  { spec: escalateDialog, opener: escalateOpener },
  { spec: chaseDialog, opener: chaseOpener },
  { spec: answerDialog, opener: answerOpener },
  { spec: closeDialog, opener: closeOpener },
  { spec: transferDialog, opener: transferOpener },
  { spec: filterDialog, opener: filterOpener },
  { spec: wallboardDialog, opener: wallboardOpener },
  { spec: helpDialog, opener: helpOpener },
  { spec: quitDialog, opener: quitOpener },
] as const;

type Registered = (typeof REGISTERED)[number];
type StateOf<T> = T extends { spec: DialogSpec<infer S, infer _A> } ? S : never;

/** An open dialog: the state of one of the registered ones. */
export type Dialog = StateOf<Registered>;

/** A dialog's spec, with its action type forgotten: actions only travel from its own table to its own step. */
export type AnySpec = DialogSpec<Dialog, unknown>;

export function specOf(dialog: Dialog): AnySpec {
  // The registration ties each kind to its spec; TypeScript cannot follow that through the union.
  return REGISTERED.find((r) => r.spec.kind === dialog.kind)!.spec as unknown as AnySpec;
}

export function dialogSpecs(): readonly AnySpec[] {
  return REGISTERED.map((r) => r.spec as unknown as AnySpec);
}

/** The queue keys that open dialogs. */
export function dialogOpeners(): Binding[] {
  return REGISTERED.flatMap((r) => ('opener' in r ? [r.opener] : []));
}
