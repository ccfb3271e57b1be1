// A dialog's keys as one table: the dispatcher looks keys up in it, the footer shows its hints,
// the `?` help lists it and docs/workbench.md is generated from it, so none of them can disagree.

export interface KeyRow<S, A> {
  /** Key names as `keyName` gives them: a character, or `enter`, `esc`, `up`, `ctrl-u`... */
  keys: readonly string[];
  /** How the keys are written in the footer, the help and the docs. */
  label: string;
  /** The footer's words for it ('' shows the label alone, null leaves it out); a function when they depend on the state. */
  hint: string | null | ((s: S) => string | null);
  /** What it does, in the help and the docs. */
  help: string;
  /** The action the key means now; null when it means nothing (a digit past the end of a list). */
  act(s: S, name: string): A | null;
}

export type KeyTable<S, A> = readonly KeyRow<S, A>[];

export function rowFor<S, A>(table: KeyTable<S, A>, name: string): KeyRow<S, A> | undefined {
  return table.find((row) => row.keys.includes(name));
}

/** The footer for a table: each row's label and hint, in table order. */
export function footerOf<S, A>(table: KeyTable<S, A>, s: S, note?: string): string {
  const parts: string[] = [];
  for (const row of table) {
    const hint = typeof row.hint === 'function' ? row.hint(s) : row.hint;
    if (hint === null) continue;
    parts.push(hint === '' ? row.label : `${row.label} ${hint}`);
  }
  if (note) parts.push(note);
  return parts.join('  ');
}

export const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The index a digit key picks in a list of `count`, or null past its end. */
export function digitIndex(name: string, count: number): number | null {
  const n = Number(name);
  return Number.isInteger(n) && n >= 1 && n <= Math.min(9, count) ? n - 1 : null;
}

