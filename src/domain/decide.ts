// The one place an agent's command is judged against the current state and turned into events.
// The broker calls it synchronously and folds the events in before the next command, so of two
// agents claiming the same enquiry the first wins and the second is told who has it.
// Repeating a command whose effect already holds (claiming what you hold, tagging a tag you have,
// closing a closed enquiry) succeeds with no events, so a client retrying after a drop is harmless.
// Whether the token's role may send the command at all is checked before (broker/commands.ts);
// here only what depends on the enquiry: work on one someone else holds is the *-others actions.
import { parseCaseNumber } from './case-number.js';
import type { Enquiry, State } from './enquiry.js';
import type { CourtdeskEvent, Presence, Role } from './events.js';
import { can, forbiddenMessage, someoneWho, type Action } from './permissions.js';
import { WHATSAPP_REPLY_WINDOW_MS, whatsappReplyWindow } from './whatsapp-window.js';

/**
 * The commands as the domain sees them. The wire's `Command` (protocol/frames.ts) fits this shape;
 * it is restated here because the domain imports nothing outside itself.
 */
export type DecidableCommand =
  | { type: 'claim'; enquiryId: string }
  | { type: 'release'; enquiryId: string }
  | { type: 'reply'; enquiryId: string; text: string }
  | { type: 'note'; enquiryId: string; text: string }
  | { type: 'tag'; enquiryId: string; caseNumber: string }
  | { type: 'untag'; enquiryId: string; caseNumber: string }
  | { type: 'close'; enquiryId: string }
  | { type: 'reopen'; enquiryId: string }
  | { type: 'transfer'; enquiryId: string; toAgent: string }
  | { type: 'presence'; state: Presence; agent?: string }
  | { type: 'mark-urgent'; enquiryId: string; reason: string }
  | { type: 'open'; enquiryId: string };

export interface DecisionContext {
  /** The token holder sending the command (protocol's AgentIdentity fits). */
  actor: { name: string; role: Role };
  newMessageId(): string;
  agentExists(name: string): boolean;
  /** The time the command is judged at (the WhatsApp reply window runs against it). Default: now. */
  now?: Date;
}

export type DecisionError = { code: string; message: string; missing?: string[] };
export type Decision = { ok: true; events: CourtdeskEvent[] } | { ok: false; error: DecisionError };

export function decideCommand(state: State, command: DecidableCommand, ctx: DecisionContext): Decision {
  const { actor } = ctx;
  if (command.type === 'presence') return decidePresence(state, command, ctx);

  const enquiry = state.enquiries.get(command.enquiryId);
  if (!enquiry) {
    return refuse('NOT_FOUND', `There is no enquiry ${command.enquiryId}; check the id, or pick one from the queue.`);
  }
  const id = enquiry.id;
  const closed = enquiry.status === 'closed';
  const holds = enquiry.claimedBy === actor.name;
  const role = actor.role;

  switch (command.type) {
    case 'open':
      return accept();

    case 'claim':
      if (closed) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it first if it needs more work.`);
      if (holds) return accept();
      if (enquiry.claimedBy !== null) {
        return refuse(
          'ALREADY_CLAIMED',
          `Enquiry ${id} is already held by ${enquiry.claimedBy}; take another from the queue, or ask ${enquiry.claimedBy} or ${someoneWho('transfer-others')} to transfer it to you.`,
        );
      }
      return accept({ type: 'enquiry.claimed', enquiryId: id, agent: actor.name });

    case 'release':
      if (enquiry.claimedBy === null) return accept();
      if (!holds && !can(role, 'release-others')) return notHolder(enquiry, role, 'release it', 'release-others');
      return accept({ type: 'enquiry.released', enquiryId: id, agent: enquiry.claimedBy });

    case 'reply': {
      if (closed) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it before replying.`);
      if (!holds) return notHolder(enquiry, role, 'reply to it');
      const text = command.text.trimEnd();
      if (text.trim().length === 0) return refuse('EMPTY_TEXT', 'The reply is empty; type a message before sending it.');
      if (enquiry.channel === 'whatsapp') {
        const closed = whatsappWindowClosed(enquiry, ctx.now ?? new Date());
        if (closed) return refuse('REPLY_WINDOW_CLOSED', closed);
      }
      return accept({ type: 'enquiry.replied', enquiryId: id, messageId: ctx.newMessageId(), agent: actor.name, text });
    }

    case 'note': {
      const others = can(role, 'note-others');
      if (closed && !others) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it to add a note, or ask ${someoneWho('note-others')}.`);
      if (!holds && !others) return notHolder(enquiry, role, 'add a note', 'note-others');
      const text = command.text.trimEnd();
      if (text.trim().length === 0) return refuse('EMPTY_TEXT', 'The note is empty; type something before saving it.');
      return accept({ type: 'enquiry.noted', enquiryId: id, messageId: ctx.newMessageId(), agent: actor.name, text });
    }

    case 'tag': {
      if (closed) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it before tagging it.`);
      if (!holds) return notHolder(enquiry, role, 'tag it');
      const parsed = parseCaseNumber(command.caseNumber);
      if (!parsed.ok) return refuse('INVALID_CASE_NUMBER', `That is not a case number we can tag: ${parsed.reason}`);
      if (enquiry.caseNumbers.includes(parsed.caseNumber)) return accept();
      return accept({ type: 'enquiry.tagged', enquiryId: id, caseNumber: parsed.caseNumber, format: parsed.format });
    }

    case 'untag': {
      if (closed) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it before changing its tags.`);
      if (!holds) return notHolder(enquiry, role, 'untag it');
      const parsed = parseCaseNumber(command.caseNumber);
      const caseNumber = parsed.ok ? parsed.caseNumber : command.caseNumber.trim().toUpperCase();
      if (!enquiry.caseNumbers.includes(caseNumber)) {
        const tags = enquiry.caseNumbers.length > 0 ? `its tags are ${enquiry.caseNumbers.join(', ')}` : 'it has no case numbers tagged';
        return refuse('NOT_TAGGED', `Enquiry ${id} is not tagged with ${caseNumber}; ${tags}.`);
      }
      return accept({ type: 'enquiry.untagged', enquiryId: id, caseNumber });
    }

    case 'close':
      if (closed) return accept();
      if (!holds) return notHolder(enquiry, role, 'close it');
      return accept({ type: 'enquiry.closed', enquiryId: id });

    case 'reopen':
      if (!closed) {
        const now = enquiry.status === 'waiting' ? 'waiting for an answer' : 'awaiting the customer';
        return refuse('NOT_CLOSED', `Enquiry ${id} is not closed (it is ${now}), so there is nothing to reopen.`);
      }
      return accept({ type: 'enquiry.reopened', enquiryId: id });

    case 'mark-urgent': {
      if (enquiry.status !== 'waiting') return refuse('NOT_WAITING', `Enquiry ${id} is not waiting for an answer, so there is nothing to hurry.`);
      const reason = command.reason.trim();
      if (reason.length === 0) return refuse('EMPTY_TEXT', 'Say why it is urgent (for example "hearing tomorrow"); the reason is recorded.');
      if (enquiry.urgent?.reason === reason) return accept();
      return accept({ type: 'enquiry.marked-urgent', enquiryId: id, agent: actor.name, reason });
    }

    case 'transfer':
      if (closed) return refuse('CLOSED', `Enquiry ${id} is closed; reopen it before transferring it.`);
      if (!holds && !can(role, 'transfer-others')) return notHolder(enquiry, role, 'transfer it', 'transfer-others');
      if (!ctx.agentExists(command.toAgent)) {
        return refuse('UNKNOWN_AGENT', `There is no agent called ${command.toAgent}; check the spelling of their name.`);
      }
      if (enquiry.claimedBy === command.toAgent) return accept();
      return accept({ type: 'enquiry.transferred', enquiryId: id, fromAgent: enquiry.claimedBy, toAgent: command.toAgent });

    default:
      return assertNever(command);
  }
}

/** Sets one's own presence, or (a supervisor) another agent's; setting what already holds records nothing. */
function decidePresence(state: State, command: { state: Presence; agent?: string }, ctx: DecisionContext): Decision {
  const agent = command.agent ?? ctx.actor.name;
  if (agent !== ctx.actor.name) {
    if (!can(ctx.actor.role, 'presence-others')) return refuse('FORBIDDEN', forbiddenMessage(ctx.actor.role, 'presence-others'));
    if (!ctx.agentExists(agent)) return refuse('UNKNOWN_AGENT', `There is no agent called ${agent}; check the spelling of their name.`);
    if (state.agents.get(agent)?.presence === command.state) return accept();
  }
  return accept({ type: 'agent.presence', agent, state: command.state });
}

/**
 * Why free text cannot go to this WhatsApp customer now, or null while it can. Refusing here, before
 * anything is recorded, tells the agent at once; WhatsApp would otherwise only say so later, as a
 * failed receipt (131047).
 */
function whatsappWindowClosed(enquiry: Enquiry, now: Date): string | null {
  const window = whatsappReplyWindow(enquiry.lastCustomerAt, now.getTime());
  if (window.open) return null;
  const whatToDo =
    `Only an approved WhatsApp template message could reach them now, and courtdesk does not send those. ` +
    `Your reply was not sent: contact the customer another way, or wait for them to write again (their next message reopens the window).`;
  if (window.closedAt === null) {
    return (
      `WhatsApp allows free text only within 24 hours of the customer's last message, ` +
      `and the time of their last message (${JSON.stringify(enquiry.lastCustomerAt)}) cannot be read, so the window is treated as closed. ` +
      whatToDo
    );
  }
  const hoursAgo = Math.floor((now.getTime() - window.closedAt) / 3_600_000);
  const ago = hoursAgo < 1 ? 'less than an hour ago' : `${hoursAgo} hour${hoursAgo === 1 ? '' : 's'} ago`;
  return (
    `WhatsApp allows free text only within 24 hours of the customer's last message. ` +
    `The customer last wrote at ${new Date(window.closedAt - WHATSAPP_REPLY_WINDOW_MS).toISOString()}, so the window closed at ${new Date(window.closedAt).toISOString()} (${ago}). ` +
    whatToDo
  );
}

/**
 * Refuses work by someone who does not hold the enquiry. Nobody holding it is NOT_HOLDER: claiming
 * it first is in the sender's hands. Someone else holding it is FORBIDDEN when the role table has
 * an `others` action the sender's role lacks (only a role change would let them), else NOT_HOLDER.
 */
export function notHolder(enquiry: Enquiry, role: Role, doing: string, others?: Action): Decision {
  const { id, claimedBy } = enquiry;
  if (claimedBy === null) {
    const who = others ? `the agent holding it or ${someoneWho(others)}` : 'the agent holding it';
    return refuse('NOT_HOLDER', `Claim enquiry ${id} first; only ${who} can ${doing}.`);
  }
  if (others) return refuse('FORBIDDEN', `Enquiry ${id} is held by ${claimedBy}. ${forbiddenMessage(role, others, `ask ${claimedBy} or ${someoneWho(others)}`)}`);
  return refuse('NOT_HOLDER', `Enquiry ${id} is held by ${claimedBy}, not you; ask them or ${someoneWho('transfer-others')} to transfer it to you before you ${doing}.`);
}

function accept(...events: CourtdeskEvent[]): Decision {
  return { ok: true, events };
}

function refuse(code: string, message: string): Decision {
  return { ok: false, error: { code, message } };
}

function assertNever(x: never): never {
  throw new Error(`unknown command ${JSON.stringify(x)}`);
}
