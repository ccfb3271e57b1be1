// How the workbench sends a command and words what became of it, apart from the controller so
// both rules read alone: what a role may never do is refused here at once (an auditor reads and
// changes nothing) rather than sent to fail, and a command restored from an earlier run's outbox,
// which nobody is waiting on, is still reported.
import type { BrokerClient, CommandInput, CommandOutcomeReport, OutcomeOf } from '../client/types.js';
import { can, forbiddenMessage } from '../domain/permissions.js';
import { COMMAND_ACTIONS } from '../protocol/command-actions.js';
import { QUERY_COMMANDS } from '../protocol/frames.js';
import type { Notice } from './ui-state.js';

export async function askBroker<C extends CommandInput>(client: BrokerClient, input: C): Promise<OutcomeOf<C['type']>> {
  const role = client.agent?.role;
  const action = COMMAND_ACTIONS[input.type];
  // A refusal is an outcome of every type; TypeScript cannot see that through OutcomeOf's condition.
  const refusal = (code: string, message: string) => ({ ok: false, error: { code, message } }) as OutcomeOf<C['type']>;
  if (role && !can(role, action)) return refusal('FORBIDDEN', forbiddenMessage(role, action));
  try {
    return await client.send(input);
  } catch (err) {
    return refusal('CLIENT_ERROR', err instanceof Error ? err.message : String(err));
  }
}

/** The notice for a command an earlier run left unsent, once the broker has answered it; null for anything else. */
export function restoredNotice(report: CommandOutcomeReport): Notice | null {
  if (!report.restored || QUERY_COMMANDS.has(report.command.type)) return null;
  const c = report.command;
  const what = c.type === 'reply' ? 'A reply left unsent last time' : `A ${c.type} left unsent last time`;
  return report.outcome.ok ? { text: `${what} has now been sent.`, tone: 'info' } : { text: `${what} was refused: ${report.outcome.error.message}`, tone: 'error' };
}
