// The `/` filter. Every word must match (so "cy wa" is Welsh WhatsApp enquiries). A word matches
// a channel (`whatsapp` or `wa`, `sms`, `web`, `email`, `api`), a language (`cy`, `en`), `mine`
// or `free`, a case number (written any way parseCaseNumber accepts), or else any part of the
// name, sender, latest message, tags or id, ignoring case.
import { parseCaseNumber } from '../domain/case-number.js';
import type { Enquiry } from '../domain/enquiry.js';
import type { Channel } from '../domain/events.js';

type Term =
  | { kind: 'channel'; channel: Channel }
  | { kind: 'language'; language: 'en' | 'cy' }
  | { kind: 'mine' }
  | { kind: 'free' }
  | { kind: 'case'; caseNumber: string; word: string }
  | { kind: 'text'; word: string };

export type Filter = readonly Term[];

const CHANNEL_WORDS: Record<string, Channel> = {
  whatsapp: 'whatsapp',
  wa: 'whatsapp',
  sms: 'sms',
  web: 'web',
  email: 'email',
  api: 'api',
};

export function parseFilter(input: string): Filter {
  const terms: Term[] = [];
  // A 16-digit reference may be typed in groups: "1712 3456 7890 1238" is one case number.
  const grouped = input.replace(/#?\b\d{4}(?:[ -]\d{4}){3}\b/g, (m) => m.replace(/[ #-]/g, ''));
  for (const raw of grouped.trim().toLowerCase().split(/\s+/)) {
    if (raw === '') continue;
    // Object.hasOwn: a search for "constructor" is a word to find, not a channel.
    const channel = Object.hasOwn(CHANNEL_WORDS, raw) ? CHANNEL_WORDS[raw] : undefined;
    if (channel) terms.push({ kind: 'channel', channel });
    else if (raw === 'cy' || raw === 'en') terms.push({ kind: 'language', language: raw });
    else if (raw === 'mine') terms.push({ kind: 'mine' });
    else if (raw === 'free') terms.push({ kind: 'free' });
    else {
      const parsed = parseCaseNumber(raw);
      terms.push(parsed.ok ? { kind: 'case', caseNumber: parsed.caseNumber, word: raw } : { kind: 'text', word: raw });
    }
  }
  return terms;
}

export function matchesFilter(e: Enquiry, filter: Filter, me: string): boolean {
  for (const term of filter) {
    if (!matchesTerm(e, term, me)) return false;
  }
  return true;
}

function matchesTerm(e: Enquiry, term: Term, me: string): boolean {
  switch (term.kind) {
    case 'channel':
      return e.channel === term.channel;
    case 'language':
      return e.language === term.language;
    case 'mine':
      return e.claimedBy === me;
    case 'free':
      return e.claimedBy === null;
    case 'case':
      // A case number mentioned in the text but not yet tagged should still be found.
      return e.caseNumbers.includes(term.caseNumber) || containsText(e, term.word);
    case 'text':
      return containsText(e, term.word);
  }
}

function containsText(e: Enquiry, word: string): boolean {
  return (
    (e.name?.toLowerCase().includes(word) ?? false) ||
    e.from.toLowerCase().includes(word) ||
    e.preview.toLowerCase().includes(word) ||
    e.id.toLowerCase().includes(word) ||
    e.caseNumbers.some((c) => c.toLowerCase().includes(word))
  );
}
