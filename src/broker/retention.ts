// Carrying out a retention rule on a running (or offline) broker core: decide which enquiries it
// removes (domain/retention.ts), record that as one retention.applied event (the point of no
// return: from it on, every fold reads their content as removed), then destroy their keys.
import { dueForRemoval } from '../domain/retention.js';
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
