// Escalations judged against state: who may email a court about an enquiry, what the email says,
// chasing one the court has not answered, and recording the court's answer.
import type { Court } from './courts.js';
import { notHolder, type Decision } from './decide.js';
import type { Enquiry, Escalation } from './enquiry.js';
import type { Language, Role } from './events.js';
import { courtNameIn } from './courts.js';
import { standardFields } from './escalations.js';
import { can } from './permissions.js';
import { renderTemplate, type RenderResult, type Template } from './templates.js';

/** Which court, which template, and what the agent typed for the template's questions. */
export interface EscalationRequest {
  courtSlug: string;
  template: string;
  /** Defaults to the enquiry's language. */
  language?: Language;
  fields?: Record<string, string>;
}

export type EscalationCommand =
  | ({ type: 'escalate'; enquiryId: string } & EscalationRequest)
  | { type: 'chase'; enquiryId: string; escalationId: string }
  | { type: 'answer-escalation'; enquiryId: string; escalationId: string; text: string };

export interface EscalationContext {
  actor: { name: string; role: Role };
  court(slug: string): Court | undefined;
  template(name: string, language: Language): Template | undefined;
  newEscalationId(): string;
  newMessageId(): string;
  now: Date;
}

/** The template name used for chases; every deployment has it built in, in both languages. */
export const CHASE_TEMPLATE = 'chase';

export type Preview =
  | { ok: true; court: Court; template: Template; rendered: Extract<RenderResult, { ok: true }> }
  | { ok: false; code: string; message: string; missing?: string[] };

/** Renders what an escalation would send, without recording anything (the workbench's preview). */
export function previewEscalation(enquiry: Enquiry, command: EscalationRequest, ctx: EscalationContext): Preview {
  const court = ctx.court(command.courtSlug);
  if (!court) return { ok: false, code: 'UNKNOWN_COURT', message: `No court has the slug "${command.courtSlug}"; search the directory by name (courtdesk courts list --search NAME).` };
  const language = command.language ?? enquiry.language;
  const template = ctx.template(command.template, language);
  if (!template) {
    return { ok: false, code: 'UNKNOWN_TEMPLATE', message: `There is no "${command.template}" template in ${language === 'cy' ? 'Welsh' : 'English'}; see courtdesk templates list.` };
  }
  const rendered = renderTemplate(template, { ...(command.fields ?? {}), ...knownFields(standardFields(enquiry, ctx.actor.name, courtNameIn(court, template.language), template.language)) });
  if (!rendered.ok) return { ok: false, code: 'MISSING_FIELDS', message: `${rendered.message}. Fill them in and try again.`, missing: rendered.missing };
  return { ok: true, court, template, rendered };
}

export function decideEscalation(enquiry: Enquiry | undefined, command: EscalationCommand, ctx: EscalationContext): Decision {
  if (!enquiry) return refuse('NOT_FOUND', `There is no enquiry ${command.enquiryId}; check the id, or pick one from the queue.`);
  switch (command.type) {
    case 'escalate': {
      if (enquiry.status === 'closed') return refuse('CLOSED', `Enquiry ${enquiry.id} is closed; reopen it before escalating it.`);
      if (enquiry.claimedBy !== ctx.actor.name && !can(ctx.actor.role, 'escalate-others')) return notHolder(enquiry, ctx.actor.role, 'escalate it', 'escalate-others');
      const preview = previewEscalation(enquiry, command, ctx);
      if (!preview.ok) return { ok: false, error: { code: preview.code, message: preview.message, ...(preview.missing ? { missing: preview.missing } : {}) } };
      return created(enquiry, preview, ctx);
    }
    case 'chase': {
      const found = findEscalation(enquiry, command.escalationId);
      if (!found.ok) return found.decision;
      // Chasing a chase chases the thread: the court is reminded of the first email.
      const original = found.escalation.chaseOf ? enquiry.escalations.find((x) => x.id === found.escalation.chaseOf) ?? found.escalation : found.escalation;
      if (original.status === 'answered') return refuse('ALREADY_ANSWERED', `The court already answered escalation ${original.id}; there is nothing to chase.`);
      if (!original.sentAt) return refuse('NOT_SENT', `Escalation ${original.id} has not been sent yet (${original.lastError ?? 'it is queued'}); wait for it to go before chasing.`);
      const preview = previewEscalation(
        enquiry,
        {
          courtSlug: original.courtSlug,
          template: CHASE_TEMPLATE,
          language: original.language,
          fields: { originalSubject: original.subject, originalSentOn: longDate(original.sentAt, original.language) },
        },
        ctx,
      );
      if (!preview.ok) return refuse(preview.code, preview.message);
      return created(enquiry, preview, ctx, original.id);
    }
    case 'answer-escalation': {
      const found = findEscalation(enquiry, command.escalationId);
      if (!found.ok) return found.decision;
      const text = command.text.trim();
      if (text.length === 0) return refuse('EMPTY_TEXT', "The court's answer is empty; paste what the court said.");
      return { ok: true, events: [{ type: 'escalation.answered', enquiryId: enquiry.id, escalationId: found.escalation.id, messageId: ctx.newMessageId(), text }] };
    }
  }
}

/**
 * The standard fields the enquiry can fill. What it knows wins over what the agent types (the
 * court must see the enquiry as recorded), but an empty one — no case number tagged yet — is left
 * for the agent to supply.
 */
function knownFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value.trim() !== ''));
}

function created(enquiry: Enquiry, preview: Extract<Preview, { ok: true }>, ctx: EscalationContext, chaseOf?: string): Decision {
  const { court, template, rendered } = preview;
  return {
    ok: true,
    events: [
      {
        type: 'escalation.created',
        enquiryId: enquiry.id,
        escalationId: ctx.newEscalationId(),
        courtSlug: court.slug,
        courtName: court.name,
        to: court.email,
        template: template.name,
        language: template.language,
        subject: rendered.subject,
        text: rendered.text,
        plain: rendered.plain,
        html: rendered.html,
        ...(template.chaseAfterDays !== null ? { chaseAfterDays: template.chaseAfterDays } : {}),
        ...(chaseOf ? { chaseOf } : {}),
      },
    ],
  };
}

function findEscalation(enquiry: Enquiry, id: string): { ok: true; escalation: Escalation } | { ok: false; decision: Decision } {
  const escalation = enquiry.escalations.find((x) => x.id === id);
  if (escalation) return { ok: true, escalation };
  const known = enquiry.escalations.map((x) => x.id).join(', ') || 'none';
  return { ok: false, decision: refuse('NOT_FOUND', `Enquiry ${enquiry.id} has no escalation ${id} (its escalations: ${known}).`) };
}

/** "3 November 2026" or "3 Tachwedd 2026", as the date appears in a letter. */
export function longDate(at: string, language: Language): string {
  return new Date(at).toLocaleDateString(language === 'cy' ? 'cy' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
}

function refuse(code: string, message: string): Decision {
  return { ok: false, error: { code, message } };
}
