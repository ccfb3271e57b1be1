// Hands back to the queue the waiting enquiries of agents away or disconnected longer than the
// routing rule allows (domain/routing.ts decideReturns), looking every so often. Each return is an
// `enquiry.returned` event by the broker, saying why; the enquiry keeps its place by original wait.
import type { Actor } from '../domain/events.js';
import { decideReturns, type RoutingPolicy } from '../domain/routing.js';
import type { BrokerCore } from './core.js';
import { JournalUnavailableError } from './journal/store.js';

const BROKER: Actor = { kind: 'system', name: 'broker' };

export function scheduleReturns(
  core: BrokerCore,
  policy: RoutingPolicy,
  disconnectedSinceMs: (agent: string) => number | null,
  everyMs: number,
  log: (line: string) => void,
): { stop(): void } {
  let running = false;
  const look = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const records = await core.recordDecided(() =>
        decideReturns(core.state, policy, Date.now(), disconnectedSinceMs).map((event) => ({ actor: BROKER, event })),
      );
      if (records.length > 0) log(`routing: returned ${records.length} enquir${records.length === 1 ? 'y' : 'ies'} to the queue from agents away or disconnected too long`);
    } catch (err) {
      // Not done now is done at the next look: nothing was recorded.
      if (!(err instanceof JournalUnavailableError)) log(`routing: returning enquiries failed: ${(err as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void look(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
