// What the one-shot commands a script runs against the broker (queue, show, claim … send, escalate)
// share: their common options, their arguments checked, and one way to print results and
// failures. Where they write and their exit codes are in script-io.ts; the broker connection with
// its deadline is in broker-session.ts.
import { agentSocketUrl } from '../client/endpoint.js';
import type { CommandInput } from '../client/types.js';
import type { Enquiry, Escalation } from '../domain/enquiry.js';
import { waitSeconds } from '../domain/queue.js';
import { connect, type Session } from './broker-session.js';
import { parseFlags, type FlagSpec, type FlagValues } from './options.js';
// The reading half of the saved config only: conf (and ajv) load in the commands that write it.
import { ConfigError, loadConfig, resolveLogin } from './saved-config.js';
import { EXIT, ExitError, type Io } from './script-io.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/** Options every scripted command takes (and --help, as every command does). */
const COMMON = {
  json: { type: 'boolean' },
  broker: { type: 'string' },
  token: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

type CommonValues = FlagValues<typeof COMMON> & { help?: boolean };

export const COMMON_HELP = `Common options:
  --json            print JSON on stdout
  --broker URL      broker to use (else COURTDESK_BROKER, else the one \`courtdesk login\` saved)
  --token T         agent token (else COURTDESK_TOKEN, else the saved one)
  --timeout-ms N    give up when the broker has not answered within N ms (default 10000)
  -h, --help        show this help

Exit codes: 0 done; 1 the broker refused (its code and message on stderr); 2 bad usage or no
broker/token configured; 3 broker unreachable or too slow; 4 token rejected.
`;

/** escalate, chase and answer always print the escalation as JSON. */
export const ESCALATION_COMMON_HELP = COMMON_HELP.replace('  --json            print JSON on stdout\n', '  --json            accepted; the escalation is always printed as JSON\n');

export interface ScriptSpec<O extends Record<string, FlagSpec>> {
  name: string;
  /** Starts with the usage line, which usage errors quote. */
  help: string;
  argv: string[];
  io: Io;
  options: O;
  /** Positional argument names, all required unless `minPositionals` says fewer. */
  positionals: string[];
  minPositionals?: number;
}

export interface Script<O extends Record<string, FlagSpec>> {
  values: CommonValues & FlagValues<O>;
  positionals: string[];
  io: Io;
  json: boolean;
  timeoutMs: number;
  /** Prints `value` as JSON with --json, else `text` (one line or several). */
  print(value: unknown, text: string): void;
  /** Connects to the broker (flags, environment, then saved config) and waits for its welcome. */
  connect(): Promise<Session>;
}

/** A script whatever its own options, for helpers that use only the common ones. */
export type AnyScript = Script<Record<string, FlagSpec>>;

/**
 * Parses the arguments, runs `body`, and turns any ExitError into one line on stderr and its
 * exit code. Connections opened through `connect` are closed whatever happens.
 */
export async function runScripted<O extends Record<string, FlagSpec>>(
  spec: ScriptSpec<O>,
  body: (script: Script<O>) => Promise<void>,
): Promise<number> {
  const { name, io } = spec;
  const sessions: Session[] = [];
  try {
    const flags = parseFlags(name, spec.argv, { ...COMMON, ...spec.options }, { positionals: true });
    if (!flags.ok) throw new ExitError(EXIT.usage, flags.message);
    const { positionals } = flags;
    const values = flags.values as Script<O>['values'];
    // Read through the common options' own type: O's may not be narrowed while it is generic.
    const common: CommonValues = values;
    if (common.help) {
      io.out(spec.help.endsWith('\n') ? spec.help : `${spec.help}\n`);
      return EXIT.ok;
    }
    checkPositionals(spec, positionals);
    const json = common.json === true;
    const timeoutMs = parseTimeout(common['timeout-ms']);
    const script: Script<O> = {
      values,
      positionals,
      io,
      json,
      timeoutMs,
      print: (value, text) => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`),
      connect: async () => {
        const login = resolveBrokerLogin({ broker: common.broker, token: common.token }, io);
        const session = await connect(login.broker, login.token, timeoutMs);
        sessions.push(session);
        return session;
      },
    };
    await body(script);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ExitError)) throw err;
    io.err(`courtdesk ${name}: ${oneLine(err.message)}\n`);
    return err.exitCode;
  } finally {
    await Promise.all(sessions.map((s) => s.client.close()));
  }
}

function checkPositionals(spec: ScriptSpec<Record<string, FlagSpec>>, positionals: string[]): void {
  const usage = spec.help.split('\n')[0]!.trim();
  const min = spec.minPositionals ?? spec.positionals.length;
  if (positionals.length < min) {
    throw new ExitError(EXIT.usage, `missing ${spec.positionals.slice(positionals.length, min).join(' and ')}; ${usage}`);
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals.slice(spec.positionals.length).map((p) => JSON.stringify(p));
    throw new ExitError(EXIT.usage, `unexpected argument ${extra.join(' ')} (quote text that has spaces); ${usage}`);
  }
}

/** `--timeout-ms`: a whole number of milliseconds above 0, or `fallback` when not given. */
export function parseTimeout(text: string | undefined, fallback = DEFAULT_TIMEOUT_MS): number {
  if (text === undefined) return fallback;
  const ms = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new ExitError(EXIT.usage, `--timeout-ms must be a whole number of milliseconds above 0 (got ${JSON.stringify(text)}).`);
  }
  return ms;
}

/** A value that may appear once and must not be blank, e.g. --text. */
export function requiredText(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined) throw new ExitError(EXIT.usage, `${flag} is required; ${usage}`);
  if (value.trim() === '') throw new ExitError(EXIT.usage, `${flag} is empty; give the text to send.`);
  return value;
}

/** The broker's HTTP route `path` (e.g. /v1/enquiries), on the same broker the agent socket is on (the base URL is checked the same way). */
export function brokerHttpUrl(broker: string, path: string): string {
  let url: URL;
  try {
    url = new URL(agentSocketUrl(broker));
  } catch (err) {
    throw new ExitError(EXIT.usage, (err as Error).message);
  }
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/v1\/agent$/, path);
  return url.toString();
}

/** Broker and token: flags, then COURTDESK_BROKER / COURTDESK_TOKEN, then what `courtdesk login` saved. */
export function resolveBrokerLogin(flags: { broker?: string | undefined; token?: string | undefined }, io: Io): { broker: string; token: string } {
  // The saved config is read only when needed, so a CI job passing both never depends on (or creates) one.
  const direct = resolveLogin(flags, { broker: null, token: null }, io.env);
  if (direct.ok) return direct;
  let saved;
  try {
    saved = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new ExitError(EXIT.usage, err.message);
    throw err;
  }
  const login = resolveLogin(flags, saved, io.env);
  if (!login.ok) throw new ExitError(EXIT.usage, login.reason);
  return login;
}

/** The broker's and the client's messages are prose, sometimes several sentences: keep the promise of one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

// --- what scripts print --------------------------------------------------------------------------

/** An enquiry without its conversation: what the queue holds for enquiries an agent has not opened. */
export interface EnquirySummary extends Omit<Enquiry, 'messages' | 'messagesLoaded' | 'escalations'> {
  waitSeconds: number;
  escalations: EscalationSummary[];
}

export type EscalationSummary = Omit<Escalation, 'text' | 'html'>;

export function summarise(e: Enquiry, nowMs: number): EnquirySummary {
  const { messages: _messages, messagesLoaded: _loaded, escalations, ...rest } = e;
  return {
    ...rest,
    waitSeconds: waitSeconds(e, nowMs),
    escalations: escalations.map(({ text: _text, html: _html, ...x }) => x),
  };
}

/**
 * Sends one command about an enquiry and prints the outcome: with --json `{ok, seq, enquiry}`
 * (seq null when nothing changed), else `done` (or `unchanged`) as one line.
 */
export async function enquiryCommand(
  script: AnyScript,
  input: Extract<CommandInput, { enquiryId: string }>,
  text: { done: string; unchanged: string },
): Promise<void> {
  const session = await script.connect();
  const { seq } = await session.command(input);
  // The state already holds what the command did (the client folds an ack's events before resolving);
  // an enquiry closed before we connected is not in it, so ask for that one.
  const enquiry = session.client.state.enquiries.get(input.enquiryId) ?? (await session.open(input.enquiryId));
  script.print({ ok: true, seq, enquiry: summarise(enquiry, Date.now()) }, seq === null ? text.unchanged : text.done);
}

/** An enquiry id as typed: trimmed, and not blank. */
export function enquiryId(value: string): string {
  const id = value.trim();
  if (id === '') throw new ExitError(EXIT.usage, 'the enquiry id is empty; take one from `courtdesk queue`.');
  return id;
}

/** escalate, chase and answer print the escalation as JSON whether or not --json is given: it is what scripts want from them. */
export function printEscalation(script: AnyScript, escalation: Escalation | undefined): void {
  if (!escalation) throw new ExitError(EXIT.refused, 'the broker accepted the command, but the enquiry it sent back does not show the escalation; run courtdesk show to look.');
  script.io.out(`${JSON.stringify(escalation, null, 2)}\n`);
}
