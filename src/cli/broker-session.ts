// A scripted command's connection to the broker: connect with a deadline, send a command and wait
// for its ack, and every way that can fail said as an ExitError with its exit code and what to do.
import { createBrokerClient } from '../client/broker-client.js';
import type { BrokerClient, CommandInput } from '../client/types.js';
import type { Enquiry } from '../domain/enquiry.js';
import type { AgentIdentity } from '../protocol/frames.js';
import { cleanLine } from '../workbench/text.js';
import { EXIT, ExitError } from './script-io.js';

export interface Session {
  client: BrokerClient;
  agent: AgentIdentity;
  broker: string;
  /** Sends a command and waits for its ack; a refusal throws ExitError 1 with the broker's code and message. */
  command(input: CommandInput): Promise<{ seq: number | null; data?: unknown }>;
  /** The enquiry with its whole conversation; the broker records the access as by `courtdesk show`, with `reason`. */
  open(enquiryId: string, reason?: string): Promise<Enquiry>;
}

/**
 * Connects and waits for the welcome. Unlike the workbench, a script does not ride out an outage:
 * the first failed attempt, a refused token, or the deadline ends the run. No outbox file either:
 * a command is acknowledged before the script goes on, or the script fails.
 */
export async function connect(broker: string, token: string, timeoutMs: number): Promise<Session> {
  let client: BrokerClient;
  try {
    client = createBrokerClient({ url: broker, token, summaries: 'objects' });
  } catch (err) {
    throw new ExitError(EXIT.usage, (err as Error).message);
  }
  const failure = await new Promise<ExitError | null>((resolve) => {
    const done = (result: ExitError | null) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(result);
    };
    const timer = setTimeout(
      () => done(new ExitError(EXIT.unreachable, `no welcome from the broker at ${broker} within ${seconds(timeoutMs)} — check the URL and that the broker is running (courtdesk broker), or raise --timeout-ms`)),
      timeoutMs,
    );
    const unsubscribe = client.subscribe(() => {
      const c = client.connection;
      if (c.state === 'reconnecting') done(unreachable(broker, c.lastError));
      else if (c.state === 'refused') done(refusedConnection(broker, c.error));
    });
    client.ready().then(
      () => done(null),
      (err: Error) => done(refusedConnection(broker, err.message)),
    );
  });
  if (failure) {
    await client.close();
    throw failure;
  }
  const agent = client.agent!;
  const wait = <T>(promise: Promise<T>, what: string): Promise<T> =>
    withDeadline(
      promise,
      timeoutMs,
      () => new ExitError(EXIT.unreachable, `the broker at ${broker} did not answer ${what} within ${seconds(timeoutMs)}; it may or may not have been applied (check with courtdesk show)`),
    );
  return {
    client,
    agent,
    broker,
    async command(input) {
      const outcome = await wait(client.send(input), `"${input.type}"`);
      if (!outcome.ok) throw refusal(outcome.error.code, outcome.error.message, outcome.error.missing);
      return { seq: outcome.seq, ...(outcome.data !== undefined ? { data: outcome.data } : {}) };
    },
    async open(enquiryId, reason) {
      const outcome = await wait(client.send({ type: 'open', enquiryId, via: 'show', ...(reason ? { reason } : {}) }), `"open ${enquiryId}"`);
      if (!outcome.ok) throw refusal(outcome.error.code, outcome.error.message);
      if (!outcome.enquiry) throw new ExitError(EXIT.refused, `the broker answered "open ${enquiryId}" without the enquiry; update courtdesk or the broker so both speak the same protocol.`);
      return outcome.enquiry;
    },
  };
}

/** The broker's refusal of a command, as scripts see it: exit 1, `CODE: message`. */
export function refusal(code: string, message: string, missing: string[] = []): ExitError {
  // A client-side refusal means the connection went away under the command, not that the broker said no.
  if (code === 'REFUSED') return new ExitError(EXIT.token, message);
  if (code === 'CLIENT_CLOSED') return new ExitError(EXIT.unreachable, message);
  // A template's missing fields: show the exact flags that fill them.
  const how = missing.length > 0 ? ` Pass ${missing.map((n) => `--field ${n.replace(/\s+/g, '')}=VALUE`).join(' ')}.` : '';
  return new ExitError(EXIT.refused, `${code}: ${message}${how}`);
}

export function unreachable(broker: string, message: string): ExitError {
  const code = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
  const hint =
    code === 'ECONNREFUSED'
      ? 'is it running? start it with courtdesk broker'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'check the host name in the URL'
        : /HTTP 404/.test(message)
          ? 'nothing at /v1/agent there: check the URL points at a courtdesk broker'
          : /certificate|self[- ]signed|TLS|SSL/i.test(message)
            ? "check the URL or the broker's TLS certificate"
            : 'check the URL, that the broker is running, and the network';
  return new ExitError(EXIT.unreachable, `cannot reach the broker at ${broker}: ${code ?? cleanLine(message)} — ${hint}`);
}

function refusedConnection(broker: string, message: string): ExitError {
  if (/HTTP 401|revoked/.test(message)) {
    return new ExitError(
      EXIT.token,
      `the broker at ${broker} rejected the token: ${cleanLine(message)} — pass the right one with --token or COURTDESK_TOKEN (a supervisor makes one with: courtdesk token add NAME --role agent)`,
    );
  }
  if (/HTTP 403/.test(message)) return new ExitError(EXIT.token, `the broker at ${broker} refused this token: ${cleanLine(message)}`);
  // A protocol mismatch: the message already says what to update.
  return new ExitError(EXIT.refused, cleanLine(message));
}

function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => ExitError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
