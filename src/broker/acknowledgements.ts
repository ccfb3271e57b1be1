// Every new enquiry with somewhere to send to (a callback URL, WhatsApp, SMS) gets an automatic
// acknowledgement in its language: its place in line and the honest estimate. The event is
// recorded in the same batch as the enquiry's receipt, so it exists exactly once whatever happens
// (a retried POST, a redelivered webhook, a restart), and it goes out by the reply path.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAcknowledgement, renderAcknowledgement, type AcknowledgementTemplate } from '../domain/acknowledgement.js';
import type { State } from '../domain/enquiry.js';
import { LANGUAGES, type Actor, type CourtdeskEvent, type Language } from '../domain/events.js';
import { arrivalPositions } from '../domain/queue.js';
import { ACKNOWLEDGER, deliverable } from '../domain/reducer.js';
import { estimateWaitSeconds, RecentHandleTimes } from '../domain/wait-estimate.js';
import type { BrokerCore } from './core.js';
import { newMessageId } from './ids.js';
import type { NewRecord } from './journal/store.js';
import { packageRoot } from './package-root.js';

/** Where the deployment's own acknowledgement texts go, inside its templates folder. */
export const ACKNOWLEDGEMENT_DIR = 'acknowledgement';

const BROKER: Actor = { kind: 'system', name: ACKNOWLEDGER };

type Received = Extract<CourtdeskEvent, { type: 'enquiry.received' }>;

export class Acknowledger {
  private readonly handleTimes = new RecentHandleTimes();

  constructor(
    core: BrokerCore,
    private readonly templates: ReadonlyMap<Language, AcknowledgementTemplate>,
    /** Agents connected and not away whose token has the language. */
    private readonly availableFor: (language: Language) => number,
  ) {
    // Learnt from every node's events, as they become durable: no scan of the state.
    core.onCommit((entries) => {
      for (const { event, at } of entries) this.handleTimes.observe(event, at);
    });
  }

  /** The documented estimate (domain/wait-estimate.ts) for an enquiry in `language` at `position`. */
  estimate(language: Language, position: number): number | null {
    return estimateWaitSeconds(position, this.availableFor(language), this.handleTimes.medianSeconds());
  }

  /**
   * The records for intake's `events` (by `actor`), each new enquiry's acknowledgement (by the
   * broker) right after its receipt; decided against `state` before they are folded.
   */
  withAcknowledgements(state: State, events: CourtdeskEvent[], actor: Actor): NewRecord[] {
    return this.acknowledged(state, events).map((event) => ({ actor: event.type === 'enquiry.acknowledged' ? BROKER : actor, event }));
  }

  private acknowledged(state: State, events: CourtdeskEvent[]): CourtdeskEvent[] {
    const received = events.filter((e): e is Received => e.type === 'enquiry.received' && deliverable(e));
    if (received.length === 0) return events;
    const positions = arrivalPositions(state, received.map((e) => ({ urgent: e.priority === 'urgent' })));
    const acks = new Map(received.map((e, i) => [e, this.acknowledgement(e, positions[i]!)]));
    return events.flatMap((e) => {
      const ack = e.type === 'enquiry.received' ? acks.get(e) : undefined;
      return ack ? [e, ack] : [e];
    });
  }

  private acknowledgement(e: Received, position: number): CourtdeskEvent | undefined {
    const template = this.templates.get(e.language);
    if (!template) return undefined;
    const estimatedWaitSeconds = this.estimate(e.language, position);
    const text = renderAcknowledgement(template, { enquiryId: e.enquiryId, position, estimatedWaitSeconds });
    return { type: 'enquiry.acknowledged', enquiryId: e.enquiryId, messageId: newMessageId(), text, position, estimatedWaitSeconds };
  }
}

/**
 * The built-in texts (templates/acknowledgement/<language>.txt), each replaced by the deployment's
 * own in `userDir`/acknowledgement/ when there is one. A text that cannot be used is a problem to
 * log, and the built-in one is used instead.
 */
export async function loadAcknowledgements(userDir: string | undefined, problems: string[]): Promise<Map<Language, AcknowledgementTemplate>> {
  const templates = new Map<Language, AcknowledgementTemplate>();
  for (const language of LANGUAGES) {
    const builtIn = join(packageRoot(), 'templates', ACKNOWLEDGEMENT_DIR, `${language}.txt`);
    templates.set(language, parseAcknowledgement(language, await readFile(builtIn, 'utf8'), builtIn));
    if (!userDir) continue;
    const own = join(userDir, ACKNOWLEDGEMENT_DIR, `${language}.txt`);
    const source = await readFile(own, 'utf8').catch(() => null);
    if (source === null) continue;
    try {
      templates.set(language, parseAcknowledgement(language, source, own));
    } catch (err) {
      problems.push(`${(err as Error).message} (the built-in ${language} acknowledgement is used)`);
    }
  }
  return templates;
}
