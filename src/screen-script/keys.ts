// Key names a script may press, and the bytes a terminal sends for each. Scripts write these bytes
// to the workbench's input exactly as a terminal would, so the same parser reads them as reads an
// agent's keyboard.

const NAMED: Readonly<Record<string, string>> = {
  enter: '\r',
  return: '\r',
  esc: '\u001b',
  escape: '\u001b',
  tab: '\t',
  'shift+tab': '\u001b[Z',
  backspace: '\u007f',
  delete: '\u001b[3~',
  space: ' ',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  home: '\u001b[H',
  end: '\u001b[F',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  pgup: '\u001b[5~',
  pgdn: '\u001b[6~',
};

/** The names, for error messages and the help. */
export const KEY_NAMES: readonly string[] = [...Object.keys(NAMED), 'ctrl+a … ctrl+z', 'any single character (j, G, ?, /)'];

/**
 * The bytes for a key name, or null for a name that means nothing. Named keys ignore case
 * (`Enter`, `ESC`); a single character is itself, so `g` and `G` differ. `ctrl+u` and `ctrl-u`
 * are the same control byte.
 */
export function keyBytes(name: string): string | null {
  if ([...name].length === 1) return name.codePointAt(0)! < 0x20 ? null : name;
  const lower = name.toLowerCase();
  // Object.hasOwn: `press constructor` names no key, whatever Object.prototype holds.
  if (Object.hasOwn(NAMED, lower)) return NAMED[lower]!;
  const ctrl = /^ctrl[+-]([a-z])$/.exec(lower);
  if (ctrl) return String.fromCharCode(ctrl[1]!.charCodeAt(0) - 96);
  return null;
}
