// How an error message or a log line names a value that came from outside: quoted and cut short,
// and never serialised whole, so a huge or deeply nested value neither floods the log nor throws
// (JSON.stringify overflows the stack on deep nesting that JSON.parse reads happily).

/** At most this many characters of a string are quoted. */
const SHOWN_LENGTH = 40;

export function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > SHOWN_LENGTH ? `${JSON.stringify(value.slice(0, SHOWN_LENGTH))}…` : JSON.stringify(value);
  return String(value);
}
