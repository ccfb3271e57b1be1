// Shared CLI plumbing: flag parsing, the data folder default and the one-line failure every command uses.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** One option as node's parseArgs takes it. */
export type FlagSpec = { readonly type: 'string' | 'boolean'; readonly multiple?: boolean; readonly short?: string };
type FlagValue<S extends FlagSpec> = S['type'] extends 'string' ? (S['multiple'] extends true ? string[] : string) : S['multiple'] extends true ? boolean[] : boolean;
/** What parseArgs returns for these options, spelled out (its own inferred type does not survive a generic). */
export type FlagValues<O extends Record<string, FlagSpec>> = { [K in keyof O]?: FlagValue<O[K]> };

/** Every command takes --help, which its usage errors point to. */
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

export type ParsedFlags<O extends Record<string, FlagSpec>> =
  | { ok: true; values: FlagValues<O & typeof HELP_FLAG>; positionals: string[] }
  | { ok: false; message: string };

/**
 * Parses `argv` strictly against `options` (plus --help). Bad usage comes back as the one sentence
 * every command prints, ending with where the help is; positional arguments are refused unless
 * the command takes them.
 */
export function parseFlags<O extends Record<string, FlagSpec>>(
  command: string,
  argv: string[],
  options: O,
  { positionals = false }: { positionals?: boolean } = {},
): ParsedFlags<O> {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, ...HELP_FLAG }, allowPositionals: positionals, strict: true });
    return { ok: true, values: parsed.values as FlagValues<O & typeof HELP_FLAG>, positionals: parsed.positionals };
  } catch (err) {
    // Only the user's arguments are reported as usage; a malformed options table is a bug.
    if (!String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) throw err;
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    if (unknown) {
      const names = Object.keys({ ...options, ...HELP_FLAG }).map((name) => `--${name}`);
      const near = closest(unknown.split('=')[0]!, names);
      return { ok: false, message: `unknown option ${unknown}${near ? `; did you mean ${near}?` : '.'} Run \`courtdesk ${command} --help\`.` };
    }
    // parseArgs's messages may run over several lines, and most lack a full stop.
    const what = (err as Error).message.replace(/\s+/g, ' ').trim().replace(/\.?$/, '.');
    return { ok: false, message: `${what} Run \`courtdesk ${command} --help\`.` };
  }
}

/** `--data` wins, then COURTDESK_DATA, then ./courtdesk-data. */
export function dataDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.COURTDESK_DATA ?? 'courtdesk-data');
}

/** Prints one clear line to stderr and returns the exit code, so commands can `return fail(..)`. */
export function fail(command: string, message: string, code = 1): number {
  process.stderr.write(`courtdesk ${command}: ${message}\n`);
  return code;
}

/** The candidate nearest `word` by edit distance, if near enough to be a slip of the keyboard. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
