// Carrying out a retention rule on a running (or offline) broker core: decide which enquiries it
// removes (domain/retention.ts), record that as one retention.applied event (the point of no
// return: from it on, every fold reads their content as removed), then destroy their keys.
import { closedBeforeFor, dueForRemoval } from '../domain/retention.js';
import { londonDate } from '../domain/working-days.js';
import type { BrokerCore } from './core.js';

export interface RetentionRun {
  /** How the rule was given, for the record: "closed before 2020-12-02" or "--retain-closed 6y". */
  rule: string;
  /** A checked London date (checkClosedBefore / closedBeforeFor). */
  closedBefore: string;
  dryRun: boolean;
  now?: Date;
}

export interface RetentionOutcome {
  closedBefore: string;
  removedOn: string;
  enquiryIds: string[];
  /** Keys destroyed; fewer than enquiries when some were written before content was sealed. */
  keysDestroyed: number;
  /** The seq of the retention.applied event (null for a dry run or when nothing was due). */
  seq: number | null;
  dryRun: boolean;
}

/** At most this many enquiries per retention.applied event, so one record stays a sensible size. */
const PER_EVENT = 10_000;

export async function applyRetention(core: BrokerCore, run: RetentionRun): Promise<RetentionOutcome> {
  const removedOn = londonDate(run.now ?? new Date());
  const enquiryIds = dueForRemoval(core.state, run.closedBefore);
  const outcome: RetentionOutcome = { closedBefore: run.closedBefore, removedOn, enquiryIds, keysDestroyed: 0, seq: null, dryRun: run.dryRun };
  if (run.dryRun || enquiryIds.length === 0) return outcome;
  for (let i = 0; i < enquiryIds.length; i += PER_EVENT) {
    const chunk = enquiryIds.slice(i, i + PER_EVENT);
    const records = await core.recordDecided(() => [
      { actor: { kind: 'system', name: 'retention' }, event: { type: 'retention.applied', rule: run.rule, closedBefore: run.closedBefore, removedOn, enquiryIds: chunk } },
    ]);
    outcome.seq = records[0]!.seq;
    outcome.keysDestroyed += await core.removeContent(chunk, removedOn);
  }
  return outcome;
}

/** How often a `retainClosed` rule is applied while the broker runs. */
const RETENTION_EVERY_MS = 24 * 60 * 60 * 1000;

/** Applies the deployment's retention rule now and then daily; a failed run is logged and tried the next day. */
export function scheduleRetention(core: BrokerCore, period: string, log: (line: string) => void): { stop(): void } {
  closedBeforeFor(period, new Date()); // a bad period stops the start, with its message
  let running: Promise<void> | undefined;
  const run = (): void => {
    running ??= applyRetention(core, { rule: `--retain-closed ${period}`, closedBefore: closedBeforeFor(period, new Date()), dryRun: false })
      .then((done) => {
        if (done.enquiryIds.length > 0) log(`retention: removed the personal content of ${done.enquiryIds.length} enquiries closed before ${done.closedBefore} (seq ${done.seq})`);
      })
      .catch((err: Error) => log(`retention: not applied (${err.message}); it is tried again in a day`))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(run, 0);
  const daily = setInterval(run, RETENTION_EVERY_MS);
  daily.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(daily);
    },
  };
}
