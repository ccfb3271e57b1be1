// The queue's table of keys. Dispatch, the footer hints, the `?` overlay and docs/workbench.md
// are all read from it, so a key cannot work without being documented, or be documented without
// working. The keys that open dialogs come from the dialogs' own modules (dialogs/registry.ts).
import { dialogOpeners } from './dialogs/registry.js';
import { always, needsSelection, open, type Binding, type KeyContext } from './keys/context.js';
import { claim, release, reopen, takeNext, togglePresence } from './keys/queue-actions.js';
import { textWidth } from './text.js';

const MOVES: readonly Binding[] = [
  { keys: ['j', 'down'], label: 'j Down', hint: 'move', help: 'move down the queue', needs: '', footer: null, when: always, run: (a) => a.move(1) },
  { keys: ['k', 'up'], label: 'k Up', hint: 'move', help: 'move up the queue', needs: '', footer: null, when: always, run: (a) => a.move(-1) },
  { keys: ['g', 'home'], label: 'g Home', hint: 'top', help: 'go to the top of the queue', needs: '', footer: null, when: always, run: (a) => a.top() },
  { keys: ['G', 'end'], label: 'G End', hint: 'bottom', help: 'go to the bottom of the queue', needs: '', footer: null, when: always, run: (a) => a.bottom() },
  {
    keys: ['enter'],
    label: 'Enter',
    hint: 'open',
    help: 'open the selected conversation full height (again to go back)',
    needs: 'an enquiry is selected',
    footer: 9,
    when: needsSelection,
    run: (a) => a.toggleZoom(),
  },
  { keys: ['pageup'], label: 'PgUp', hint: 'older', help: 'scroll the conversation back', needs: 'an enquiry is selected', footer: null, when: needsSelection, run: (a) => a.scrollPane(5) },
  { keys: ['pagedown'], label: 'PgDn', hint: 'newer', help: 'scroll the conversation forward', needs: 'an enquiry is selected', footer: null, when: needsSelection, run: (a) => a.scrollPane(-5) },
];

const CLAIMING: readonly Binding[] = [
  {
    keys: ['n'],
    label: 'n',
    hint: 'next',
    help: 'take next: the one the routing rule puts first (urgent, Welsh, longest wait)',
    needs: '',
    footer: 1,
    when: always,
    run: (a) => void takeNext(a),
  },
  {
    keys: ['c'],
    label: 'c',
    hint: 'claim',
    help: 'claim the selected enquiry',
    needs: 'it is free',
    footer: 3,
    when: (c) => {
      const ready = open(c);
      if (ready !== true) return ready;
      if (c.selected!.claimedBy === c.me) return 'you already hold it';
      return c.selected!.claimedBy === null ? true : `${c.selected!.claimedBy} holds it`;
    },
    run: claim,
  },
  {
    keys: ['u'],
    label: 'u',
    hint: 'release',
    help: 'release the selected enquiry back to the queue',
    needs: "you hold it (supervisors: anyone's)",
    footer: 12,
    when: (c) => {
      const holder = c.selected?.claimedBy ?? null;
      if (holder === c.me || (c.supervisor && holder !== null)) return true;
      return holder === null ? 'nobody holds it' : 'you do not hold it';
    },
    run: release,
  },
];

const CLOSING: readonly Binding[] = [
  {
    keys: ['o'],
    label: 'o',
    hint: 'reopen',
    help: 'reopen a closed enquiry',
    needs: 'it is closed',
    footer: 11,
    when: (c) => (c.selected?.status === 'closed' ? true : 'it is not closed'),
    run: reopen,
  },
  { keys: ['p'], label: 'p', hint: 'presence', help: 'switch between available and away', needs: '', footer: 13, when: always, run: togglePresence },
  {
    keys: ['esc'],
    label: 'Esc',
    hint: 'back',
    help: 'back out of any dialog; in the queue, clear the filter and close the full-height view',
    needs: '',
    footer: 6,
    when: (c) => (c.filter !== '' || c.zoomed ? true : 'nothing to back out of'),
    run: (a) => a.back(),
  },
];

let table: { all: readonly Binding[]; byKey: Map<string, Binding> } | null = null;

/** The whole table, built on first use: the dialogs' modules are loaded by then, whichever was imported first. */
export function queueKeys(): readonly Binding[] {
  return built().all;
}

function built(): { all: readonly Binding[]; byKey: Map<string, Binding> } {
  if (!table) {
    const all = [...MOVES, ...CLAIMING, ...dialogOpeners(), ...CLOSING];
    const byKey = new Map<string, Binding>();
    for (const b of all) for (const k of b.keys) byKey.set(k, b);
    table = { all, byKey };
  }
  return table;
}

export function bindingFor(name: string): Binding | undefined {
  return built().byKey.get(name);
}

/** The footer: available keys by priority, as many as fit in `width`. Help and quit always come last and always show. */
export function footerHints(c: KeyContext, width: number): string {
  const pinned = queueKeys().filter((b) => b.footer === 0);
  const rest = queueKeys().filter((b) => b.footer !== null && b.footer > 0 && b.when(c) === true).sort((a, b) => a.footer! - b.footer!);
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
  return queueKeys().map((b) => {
    const when = b.when(c);
    const keys = b.keys.includes('ctrl-c') ? `${b.label} ^C` : b.label;
    return { label: keys, help: b.help, unavailable: when === true ? null : when };
  });
}
