// The one table of keys. Dispatch, the footer hints and the `?` overlay are all read from it, so a
// key cannot work without being documented, or be documented without working.
import type { Key } from 'ink';
import type { Enquiry } from '../domain/enquiry.js';
import type { Presence } from '../domain/events.js';
import { awaitingAnswer, chaseTarget } from './escalation-threads.js';
import { textWidth } from './text.js';

/** What decides whether a key means something right now. */
export interface KeyContext {
  selected: Enquiry | null;
  me: string;
  /** Supervisors may add notes to enquiries they do not hold. */
  supervisor: boolean;
  presence: Presence | null;
  filter: string;
  zoomed: boolean;
}

/** What keys can do; the controller implements it. */
export interface Actions {
  move(by: number): void;
  top(): void;
  bottom(): void;
  toggleZoom(): void;
  scrollPane(by: number): void;
  takeNext(): void;
  claim(): void;
  release(): void;
  reply(): void;
  tag(): void;
  untag(): void;
  escalate(): void;
  chase(): void;
  recordAnswer(): void;
  note(): void;
  close(): void;
  reopen(): void;
  filter(): void;
  togglePresence(): void;
  help(): void;
  quit(): void;
  back(): void;
}

export interface Binding {
  /** Key names as `keyName` gives them: a character, or `down`, `enter`, `esc`, `pageup`, `ctrl-c`... */
  keys: readonly string[];
  /** How the keys are written in the help overlay. */
  label: string;
  /** One or two words for the footer. */
  hint: string;
  help: string;
  /** Footer order (lower first); null keeps it out of the footer. */
  footer: number | null;
  /** True when the key can act now, or why not (shown when it is pressed anyway). */
  when(c: KeyContext): true | string;
  run(a: Actions): void;
}

const always = (): true => true;
const needsSelection = (c: KeyContext): true | string => (c.selected ? true : 'no enquiry is selected');
const open = (c: KeyContext): true | string => {
  if (!c.selected) return 'no enquiry is selected';
  return c.selected.status === 'closed' ? 'it is closed: press o to reopen it first' : true;
};
const heldByMe = (c: KeyContext): true | string => {
  const ready = open(c);
  if (ready !== true) return ready;
  if (c.selected!.claimedBy === c.me) return true;
  return c.selected!.claimedBy === null ? 'claim it first: press c' : `${c.selected!.claimedBy} holds it`;
};
/** Emailing a court is the holder's to do; a supervisor may step in on any open enquiry. */
const heldOrSupervisor = (c: KeyContext): true | string => {
  const ready = open(c);
  if (ready !== true) return ready;
  return c.supervisor ? true : heldByMe(c);
};

export const KEYMAP: readonly Binding[] = [
  { keys: ['j', 'down'], label: 'j Down', hint: 'move', help: 'move down the queue', footer: null, when: always, run: (a) => a.move(1) },
  { keys: ['k', 'up'], label: 'k Up', hint: 'move', help: 'move up the queue', footer: null, when: always, run: (a) => a.move(-1) },
  { keys: ['g', 'home'], label: 'g', hint: 'top', help: 'go to the top of the queue', footer: null, when: always, run: (a) => a.top() },
  { keys: ['G', 'end'], label: 'G', hint: 'bottom', help: 'go to the bottom of the queue', footer: null, when: always, run: (a) => a.bottom() },
  {
    keys: ['enter'],
    label: 'Enter',
    hint: 'open',
    help: 'open the selected conversation full height (again to go back)',
    footer: 9,
    when: needsSelection,
    run: (a) => a.toggleZoom(),
  },
  { keys: ['pageup'], label: 'PgUp', hint: 'older', help: 'scroll the conversation back', footer: null, when: needsSelection, run: (a) => a.scrollPane(5) },
  { keys: ['pagedown'], label: 'PgDn', hint: 'newer', help: 'scroll the conversation forward', footer: null, when: needsSelection, run: (a) => a.scrollPane(-5) },
  {
    keys: ['n'],
    label: 'n',
    hint: 'next',
    help: 'take next: claim the longest-waiting free enquiry in your languages',
    footer: 1,
    when: always,
    run: (a) => a.takeNext(),
  },
  {
    keys: ['c'],
    label: 'c',
    hint: 'claim',
    help: 'claim the selected enquiry',
    footer: 3,
    when: (c) => {
      const ready = open(c);
      if (ready !== true) return ready;
      if (c.selected!.claimedBy === c.me) return 'you already hold it';
      return c.selected!.claimedBy === null ? true : `${c.selected!.claimedBy} holds it`;
    },
    run: (a) => a.claim(),
  },
  {
    keys: ['u'],
    label: 'u',
    hint: 'release',
    help: 'release the selected enquiry back to the queue',
    footer: 12,
    when: (c) => (c.selected?.claimedBy === c.me ? true : 'you do not hold it'),
    run: (a) => a.release(),
  },
  { keys: ['r'], label: 'r', hint: 'reply', help: 'reply to the customer (Tab in the editor: canned replies)', footer: 2, when: heldByMe, run: (a) => a.reply() },
  { keys: ['t'], label: 't', hint: 'tag', help: 'tag a County Court case number', footer: 4, when: heldByMe, run: (a) => a.tag() },
  {
    keys: ['T'],
    label: 'T',
    hint: 'untag',
    help: 'remove a case-number tag',
    footer: 14,
    when: (c) => {
      const ready = heldByMe(c);
      if (ready !== true) return ready;
      return c.selected!.caseNumbers.length > 0 ? true : 'it has no case numbers';
    },
    run: (a) => a.untag(),
  },
  {
    keys: ['e'],
    label: 'e',
    hint: 'escalate',
    help: 'escalate to a court by email: court, template, details, preview, send',
    footer: 10,
    when: heldOrSupervisor,
    run: (a) => a.escalate(),
  },
  {
    keys: ['C'],
    label: 'C',
    hint: 'chase',
    help: "chase the oldest escalation the court has not answered (asks first)",
    footer: 15,
    when: (c) => {
      const ready = heldOrSupervisor(c);
      if (ready !== true) return ready;
      const target = chaseTarget(c.selected!);
      return target.ok ? true : target.reason;
    },
    run: (a) => a.chase(),
  },
  {
    keys: ['A'],
    label: 'A',
    hint: 'answer',
    help: "record the court's answer to an escalation",
    footer: 16,
    when: (c) => {
      if (!c.selected) return 'no enquiry is selected';
      if (awaitingAnswer(c.selected).length > 0) return true;
      return c.selected.escalations.length === 0 ? 'it has not been escalated' : 'no escalation of it is waiting for the court';
    },
    run: (a) => a.recordAnswer(),
  },
  {
    keys: ['a'],
    label: 'a',
    hint: 'note',
    help: 'add an internal note (never sent to the customer)',
    footer: 8,
    when: (c) => (c.supervisor && c.selected ? true : heldByMe(c)),
    run: (a) => a.note(),
  },
  { keys: ['x'], label: 'x', hint: 'close', help: 'close the selected enquiry', footer: 11, when: heldByMe, run: (a) => a.close() },
  {
    keys: ['o'],
    label: 'o',
    hint: 'reopen',
    help: 'reopen a closed enquiry',
    footer: 11,
    when: (c) => (c.selected?.status === 'closed' ? true : 'it is not closed'),
    run: (a) => a.reopen(),
  },
  { keys: ['/'], label: '/', hint: 'filter', help: 'filter: words, case number, channel (wa, sms, web), cy/en, mine, free', footer: 5, when: always, run: (a) => a.filter() },
  { keys: ['p'], label: 'p', hint: 'presence', help: 'switch between available and away', footer: 13, when: always, run: (a) => a.togglePresence() },
  { keys: ['?'], label: '?', hint: 'help', help: 'show or hide this help', footer: 0, when: always, run: (a) => a.help() },
  { keys: ['q', 'ctrl-c'], label: 'q', hint: 'quit', help: 'quit (asks first when a draft or an unsent reply would be left)', footer: 0, when: always, run: (a) => a.quit() },
  {
    keys: ['esc'],
    label: 'Esc',
    hint: 'back',
    help: 'back out of any dialog; in the queue, clear the filter and close the full-height view',
    footer: 6,
    when: (c) => (c.filter !== '' || c.zoomed ? true : 'nothing to back out of'),
    run: (a) => a.back(),
  },
];

const BY_KEY = new Map<string, Binding>();
for (const b of KEYMAP) for (const k of b.keys) BY_KEY.set(k, b);

export function bindingFor(name: string): Binding | undefined {
  return BY_KEY.get(name);
}

/** Names one useInput call: a character, or the special key. Null for what the table cannot name. */
export function keyName(input: string, key: Key): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  if (key.delete || key.backspace) return 'backspace';
  if (key.ctrl) return input.length === 1 ? `ctrl-${input}` : null;
  if (key.meta) return null;
  if (input === '\n') return 'enter';
  return [...input].length === 1 ? input : null;
}

/** The footer: available keys by priority, as many as fit in `width`. Help and quit always come last and always show. */
export function footerHints(c: KeyContext, width: number): string {
  const pinned = KEYMAP.filter((b) => b.footer === 0);
  const rest = KEYMAP.filter((b) => b.footer !== null && b.footer > 0 && b.when(c) === true).sort((a, b) => a.footer! - b.footer!);
  const text = (b: Binding) => `${b.label} ${b.hint}`;
  const tail = pinned.map(text).join('  ');
  const parts: string[] = [];
  let used = textWidth(tail);
  const seen = new Set<string>();
  for (const b of [{ label: 'j/k', hint: 'move' } as Binding, ...rest]) {
    const t = text(b);
    if (seen.has(t)) continue;
    if (used + textWidth(t) + 2 > width) continue;
    seen.add(t);
    parts.push(t);
    used += textWidth(t) + 2;
  }
  return [...parts, tail].join('  ');
}

export interface HelpLine {
  label: string;
  help: string;
  /** Why the key does nothing now, if it does nothing. */
  unavailable: string | null;
}

export function helpLines(c: KeyContext): HelpLine[] {
  return KEYMAP.map((b) => {
    const when = b.when(c);
    const keys = b.keys.includes('ctrl-c') ? `${b.label} ^C` : b.label;
    return { label: keys, help: b.help, unavailable: when === true ? null : when };
  });
}
