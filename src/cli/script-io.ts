// Where a scripted command writes, the environment it reads, and how it fails.
// A CI job has to tell "the broker said no" from "the broker is down" from "the token is wrong"
// without reading prose, so each has its own exit code, and the reason is one line on stderr.

export const EXIT = {
  ok: 0,
  /** The broker refused the command (its code and message are on stderr). */
  refused: 1,
  /** Bad arguments, or no broker/token configured. */
  usage: 2,
  /** The broker cannot be reached, or did not answer in time. */
  unreachable: 3,
  /** The broker rejected the token. */
  token: 4,
} as const;

/** Where a command writes, and the environment it reads; injectable so tests run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
  };
}

/** A failure with its exit code, thrown anywhere below a command and printed once by `runScripted`. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
