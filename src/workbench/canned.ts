// Canned replies an agent drops into the reply editor with Tab, in English and Welsh. A court user
// who writes in Welsh is answered in Welsh, so the list offered follows the enquiry's language.
// Placeholders are the court templates' own (domain/placeholders.ts); a value the enquiry and agent
// cannot supply is asked for, never sent as `((name))`.
import type { Enquiry } from '../domain/enquiry.js';
import type { Language } from '../domain/events.js';

export interface CannedReply {
  title: string;
  text: string;
}

export const CANNED_REPLIES: Record<Language, readonly CannedReply[]> = {
  en: [
    {
      title: 'Greeting',
      text: "Hello ((name)), thank you for contacting the court. My name is ((agent)) and I'll help you with your enquiry.",
    },
    {
      title: 'Ask for the case number',
      text: 'Could you tell me your case number, please? It is on the letters the court has sent you, for example 305JE126.',
    },
    {
      title: 'Passed to the court',
      text: 'I have passed your enquiry about case ((case number)) to the hearing centre. The court will reply to you directly.',
    },
    {
      title: 'Hearing date',
      text: 'Your hearing is listed for ((hearing date)). Please arrive 30 minutes early and bring your papers.',
    },
    {
      title: 'Anything else',
      text: 'Is there anything else I can help you with today?',
    },
    {
      title: 'Closing',
      text: 'Thank you for contacting the court, ((name)). If you need us again, reply to this message.',
    },
  ],
  cy: [
    {
      title: 'Cyfarchiad (greeting)',
      text: "Helo ((name)), diolch am gysylltu â'r llys. ((agent)) ydw i a byddaf yn eich helpu gyda'ch ymholiad.",
    },
    {
      title: 'Gofyn am rif yr achos (case number)',
      text: "A allwch roi rhif eich achos i mi, os gwelwch yn dda? Mae ar y llythyrau y mae'r llys wedi'u hanfon atoch, er enghraifft 305JE126.",
    },
    {
      title: "Wedi'i anfon i'r llys (passed to the court)",
      text: "Rwyf wedi anfon eich ymholiad am achos ((case number)) i'r ganolfan wrandawiadau. Bydd y llys yn ateb yn uniongyrchol i chi.",
    },
    {
      title: 'Dyddiad y gwrandawiad (hearing date)',
      text: "Mae eich gwrandawiad wedi'i restru ar gyfer ((hearing date)). Dewch 30 munud yn gynnar a dewch â'ch papurau gyda chi.",
    },
    {
      title: 'Unrhyw beth arall (anything else)',
      text: 'A oes unrhyw beth arall y gallaf eich helpu ag ef heddiw?',
    },
    {
      title: 'Cloi (closing)',
      text: "Diolch am gysylltu â'r llys, ((name)). Os oes angen help arnoch eto, atebwch y neges hon.",
    },
  ],
};

/** Values the enquiry and the agent supply, keyed by `fieldKey` (domain/placeholders.ts). Absent when unknown. */
export function knownValues(e: Pick<Enquiry, 'name' | 'caseNumbers' | 'id'>, agentName: string): Record<string, string> {
  const values: Record<string, string> = { agent: agentName, agentname: agentName, reference: e.id, enquiry: e.id };
  if (e.name && e.name.trim() !== '') values.name = e.name.trim();
  if (e.caseNumbers.length > 0) values.casenumber = e.caseNumbers[0]!;
  return values;
}
