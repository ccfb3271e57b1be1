// Carries out one agent command against the broker's state: decides it (domain), records the
// events it produces, and answers queries (court directory, templates, previews) from the catalogue.
import { decideCommand } from '../domain/decide.js';
import { decideEscalation, previewEscalation, type EscalationContext } from '../domain/decide-escalation.js';
import type { AgentFigures, CentreFigures } from '../domain/centre-figures.js';
import { courtBacklog } from '../domain/escalations.js';
import type { Actor, CourtdeskEvent, Language } from '../domain/events.js';
import { can, forbiddenMessage } from '../domain/permissions.js';
import { courtListing, escalationPreview, takenEnquiry, templateSummary, type EscalationPreview, type QueryAnswers, type QueryType } from '../protocol/answers.js';
import { decideTakeNext, type RoutingPolicy, type TakeNext } from '../domain/routing.js';
import { COMMAND_ACTIONS } from '../protocol/command-actions.js';
import { JOURNAL_UNAVAILABLE, type AgentIdentity, type Command, type ServerFrame } from '../protocol/frames.js';
import type { SocketAccesses } from './access-log.js';
import type { BrokerCore } from './core.js';
import { JournalUnavailableError } from './journal/store.js';
import type { CourtDirectory } from './escalation/court-directory.js';
import type { TemplateLibrary } from './escalation/template-loader.js';
import { newEscalationId, newMessageId } from './ids.js';

export type Outcome = Extract<ServerFrame, { type: 'ack' }>;

/** What escalations need from the broker's configuration. */
export interface Catalogue {
  courts: CourtDirectory;
  templates: TemplateLibrary;
}

export interface CommandContext {
  core: BrokerCore;
  catalogue: Catalogue;
  agent: AgentIdentity;
  /** What this socket has been recorded reading. */
  accesses: SocketAccesses;
  agentExists(name: string): boolean;
  /** The deployment's routing rule settings, and this token's own cap on enquiries held, if it has one. */
  routing: RoutingPolicy;
  heldCap?: number;
  /** The centre's figures, and this socket's watch of them. */
  wallboard: {
    onlineAgents(): AgentFigures[];
    watch(): CentreFigures;
    unwatch(): void;
  };
}

/** How many courts a directory query returns at most. */
const COURT_RESULTS = 50;

export async function executeCommand(ctx: CommandContext, command: Command): Promise<Outcome> {
  const { core, agent } = ctx;
  const { ref } = command;
  const ok = (data: QueryAnswers[QueryType]): Outcome => ({ type: 'ack', ref, ok: true, seq: null, data });
  // Every command and query is one action of the role table, checked before anything else.
  const action = COMMAND_ACTIONS[command.type];
  if (!can(agent.role, action)) return refused(ref, 'FORBIDDEN', forbiddenMessage(agent.role, action));
  switch (command.type) {
    case 'list-courts': {
      const backlog = new Map(courtBacklog(core.state.enquiries.values()).map((b) => [b.courtSlug, b]));
      const courts = command.query ? ctx.catalogue.courts.search(command.query) : [...ctx.catalogue.courts.courts];
      return ok(courts.slice(0, COURT_RESULTS).map((c) => courtListing(c, backlog.get(c.slug))));
    }
    case 'list-templates':
      return ok(ctx.catalogue.templates.templates.map(templateSummary));
    case 'list-agents':
      return ok(ctx.wallboard.onlineAgents());
    case 'watch-wallboard':
      return ok(ctx.wallboard.watch());
    case 'unwatch-wallboard':
      ctx.wallboard.unwatch();
      return ok(null);
    case 'preview-escalation': {
      const enquiry = core.state.enquiries.get(command.enquiryId);
      if (!enquiry) return refused(ref, 'NOT_FOUND', `There is no enquiry ${command.enquiryId}.`);
      const preview = previewEscalation(enquiry, command, escalationContext(ctx));
      if (!preview.ok) return preview.missing ? ok({ missing: preview.missing, message: preview.message } satisfies EscalationPreview) : refused(ref, preview.code, preview.message);
      return ok(escalationPreview(preview.court, preview.template.language, preview.rendered));
    }
    case 'open': {
      const decision = decideCommand(core.state, command, { actor: agent, newMessageId, agentExists: ctx.agentExists });
      if (!decision.ok) return { type: 'ack', ref, ok: false, error: decision.error };
      try {
        // The access is on disk before the conversation is given. Not under the command's ref: a ref
        // found in the journal after a restart is answered without the conversation.
        await ctx.accesses.record(core, { enquiryId: command.enquiryId, by: agent.name, role: agent.role, via: command.via ?? 'workbench', reason: command.reason });
        // Read only once everything folded is durable and broadcast, so the copy in the ack holds no
        // event the socket has not already been sent (the client would otherwise fold it twice).
        for (let tries = 0; core.state.seq > core.durableSeq && tries < 20; tries++) await core.flush();
      } catch (err) {
        if (err instanceof JournalUnavailableError && !err.uncertain) return journalRefusal(ref, err);
        throw err;
      }
      return { type: 'ack', ref, ok: true, seq: null, enquiry: core.state.enquiries.get(command.enquiryId)! };
    }
    case 'take-next': {
      let taken: TakeNext | undefined;
      const outcome = await record(ctx, ref, () => {
        taken = decideTakeNext(core.state, { name: agent.name, languages: agent.languages, ...(ctx.heldCap !== undefined ? { heldCap: ctx.heldCap } : {}) }, ctx.routing, Date.now());
        return taken.ok ? { ok: true, events: [taken.event] } : taken;
      });
      if (!outcome.ok || !taken?.ok) return outcome;
      return { ...outcome, data: takenEnquiry(taken.enquiry.id, taken.placement) };
    }
    case 'escalate':
    case 'chase':
    case 'answer-escalation': {
      return record(ctx, ref, () => decideEscalation(core.state.enquiries.get(command.enquiryId), command, escalationContext(ctx)));
    }
    default:
      return record(ctx, ref, () => decideCommand(core.state, command, { actor: agent, newMessageId, agentExists: ctx.agentExists, now: new Date() }));
  }
}

type Decision = { ok: true; events: CourtdeskEvent[] } | { ok: false; error: { code: string; message: string } };

/** Decides and records (BrokerCore.recordDecided: on a shared journal, against the state caught up to its head). */
async function record(ctx: CommandContext, ref: string, decide: () => Decision): Promise<Outcome> {
  const actor: Actor = { kind: ctx.agent.role, name: ctx.agent.name };
  let refusal: Outcome | undefined;
  let journalled: number | undefined;
  try {
    const records = await ctx.core.recordDecided(() => {
      // Looked up in the decision: on a shared journal the same command may have been recorded by
      // another node, sent there before this one's node died (the ref is the idempotency key).
      journalled = ctx.core.state.refs.get(`${ctx.agent.name}\u0000${ref}`);
      if (journalled !== undefined) return [];
      const decision = decide();
      refusal = decision.ok ? undefined : { type: 'ack', ref, ok: false, error: decision.error };
      return decision.ok ? decision.events.map((event, i) => ({ actor, event, ...(i === 0 ? { ref } : {}) })) : [];
    });
    if (journalled !== undefined) return { type: 'ack', ref, ok: true, seq: journalled };
    if (refusal) return refusal;
    return { type: 'ack', ref, ok: true, seq: records.length > 0 ? records[records.length - 1]!.seq : null };
  } catch (err) {
    if (err instanceof JournalUnavailableError && !err.uncertain) return journalRefusal(ref, err);
    throw err;
  }
}

/** The answer to a command the journal could not record; the same ref may be sent again. */
export function journalRefusal(ref: string, err: JournalUnavailableError): Outcome {
  return refused(ref, JOURNAL_UNAVAILABLE, `${err.message} Nothing was recorded; send it again in a few seconds.`);
}

function escalationContext(ctx: CommandContext): EscalationContext {
  return {
    actor: ctx.agent,
    court: (slug) => ctx.catalogue.courts.get(slug),
    template: (name, language: Language) => ctx.catalogue.templates.get(name, language),
    newEscalationId,
    newMessageId,
    now: new Date(),
  };
}

function refused(ref: string, code: string, message: string): Outcome {
  return { type: 'ack', ref, ok: false, error: { code, message } };
}
