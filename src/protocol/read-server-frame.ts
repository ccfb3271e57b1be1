// What a client checks of each frame from the broker before acting on it: that it is JSON, of a
// type it knows, with the fields that type needs. The checks are of the frame's own fields only
// (events are the reducer's to read, and the client trusts its broker's events): cheap enough
// for every frame of a busy queue. A frame of a type this client does not know is no error: a
// newer broker may send frames that carry nothing this client needs.
import type { ServerFrame } from './frames.js';
import { readCentreFigures } from './figures-check.js';
import { shown } from './shown.js';

export type ReadFrame = { ok: true; frame: ServerFrame | null } | { ok: false; problem: string };

export function readServerFrame(text: string): ReadFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'The broker sent a frame that is not JSON.' };
  }
  if (!isRecord(value)) return { ok: false, problem: 'The broker sent a frame that is not a JSON object.' };
  const check = Object.hasOwn(CHECKS, String(value.type)) ? CHECKS[value.type as ServerFrame['type']] : undefined;
  if (!check) return { ok: true, frame: null };
  const problem = check(value);
  return problem === null ? { ok: true, frame: value as unknown as ServerFrame } : { ok: false, problem: `The broker sent a "${String(value.type)}" frame that ${problem}.` };
}

type Check = (f: Record<string, unknown>) => string | null;

const CHECKS: Record<ServerFrame['type'], Check> = {
  welcome: (f) =>
    typeof f.protocol !== 'number'
      ? 'has no protocol number'
      : !isRecord(f.agent) || typeof f.agent.name !== 'string' || typeof f.agent.role !== 'string' || !Array.isArray(f.agent.languages)
        ? 'names no agent (name, role, languages)'
        : typeof f.epoch !== 'string' || !isSeq(f.seq)
          ? 'has no epoch and seq'
          : f.snapshot !== undefined && (!isRecord(f.snapshot) || !Array.isArray(f.snapshot.enquiries) || !Array.isArray(f.snapshot.agents))
            ? 'has a snapshot without enquiries and agents'
            : null,
  event: (f) => entryProblem(f),
  events: (f) => {
    if (!Array.isArray(f.events)) return `has events ${shown(f.events)}, not a list`;
    for (const entry of f.events) {
      const problem = isRecord(entry) ? entryProblem(entry) : `has an entry ${shown(entry)}`;
      if (problem) return problem;
    }
    return null;
  },
  ack: (f) => {
    if (typeof f.ref !== 'string') return 'has no ref';
    if (f.ok === true) {
      if (f.seq !== null && !isSeq(f.seq)) return `has seq ${shown(f.seq)}`;
      return f.enquiry !== undefined && (!isRecord(f.enquiry) || typeof f.enquiry.id !== 'string') ? 'carries an enquiry without an id' : null;
    }
    return f.ok === false ? errorProblem(f.error) : `has ok ${shown(f.ok)}, not true or false`;
  },
  error: (f) => errorProblem(f.error),
  status: (f) =>
    f.journal !== 'ok' && f.journal !== 'degraded' && f.journal !== 'failed'
      ? `has journal ${shown(f.journal)}`
      : f.message !== null && typeof f.message !== 'string'
        ? `has message ${shown(f.message)}`
        : null,
  wallboard: (f) => {
    const read = readCentreFigures(f.figures);
    return read.ok ? null : `has figures where ${read.problem}`;
  },
};

function entryProblem(e: Record<string, unknown>): string | null {
  if (!isSeq(e.seq)) return `has an event with seq ${shown(e.seq)}`;
  return isRecord(e.event) && typeof e.event.type === 'string' ? null : `has event ${e.seq} without a type`;
}

function errorProblem(error: unknown): string | null {
  return isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string' ? null : 'has an error without a code and a message';
}

function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
