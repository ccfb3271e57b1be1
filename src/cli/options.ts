// Shared CLI plumbing: the data folder default and the one-line failure every command uses.
import { resolve } from 'node:path';

/** `--data` wins, then COURTDESK_DATA, then ./courtdesk-data. */
export function dataDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.COURTDESK_DATA ?? 'courtdesk-data');
}

/** Prints one clear line to stderr and returns the exit code, so commands can `return fail(..)`. */
export function fail(command: string, message: string, code = 1): number {
  process.stderr.write(`courtdesk ${command}: ${message}\n`);
  return code;
}
