import { describe, expect, it } from 'vitest';
import { conversationLines, type PaneOptions } from '../../src/workbench/conversation.js';
import { segmentsWidth } from '../../src/workbench/format.js';
import { makeTheme } from '../../src/workbench/theme.js';
import { enquiry, minutesAgo, NOW } from './fixtures.js';

const options: PaneOptions = {
  width: 60,
  height: 12,
  me: 'alice',
  nowMs: NOW,
  symbols: makeTheme({ theme: 'auto', ascii: true }, {}).symbols,
  pending: [],
  scroll: 0,
};
const lines = (e: Parameters<typeof conversationLines>[0], o: Partial<PaneOptions> = {}) =>
  conversationLines(e, { ...options, ...o }).map((l) => l.map((s) => s.text).join(''));

describe('conversationLines', () => {
  const e = enquiry({
    claimedBy: 'alice',
    caseNumbers: ['305JE126'],
    messages: [
      { id: 'm1', author: 'customer', text: 'When is my hearing?', at: minutesAgo(10) },
      { id: 'm2', author: 'note', agent: 'alice', text: 'Checked the listing', at: minutesAgo(8) },
      { id: 'm3', author: 'agent', agent: 'alice', text: 'It is on Monday', at: minutesAgo(5) },
    ],
    escalations: [
      {
        id: 'x1', courtSlug: 'bristol', courtName: 'Bristol Civil Justice Centre', to: 'civil@bristol.example', template: 't',
        language: 'en', subject: 's', text: '', html: '', attempts: 1, status: 'sent', createdAt: minutesAgo(3), createdBy: 'alice', sentAt: minutesAgo(3), chases: 0,
      },
    ],
  });

  it('shows the header, tags, escalations with status, and authors, notes marked as notes', () => {
    const out = lines(e);
    expect(out[0]).toContain('Jane Smith');
    expect(out[0]).toContain('held by you');
    expect(out.join('\n')).toContain('Case numbers: 305JE126');
    // The court's name gives way before what matters: when it went and when it is due a chase.
    expect(out.join('\n')).toContain('^ [sent] Bristol Civil Jus..., sent 3m ago, chase due 17 Mar');
    expect(out.join('\n')).toMatch(/Jane Smith: When is my hearing\?/);
    expect(out.join('\n')).toMatch(/\* note by you: Checked the listing/);
    expect(out.join('\n')).toMatch(/you: It is on Monday \[recorded; no callback\]/);
  });

  it('never gives more lines than its height, nor lines wider than its width', () => {
    const long = enquiry({ messages: Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, author: 'customer' as const, text: 'word '.repeat(40), at: minutesAgo(30 - i) })) });
    for (const height of [1, 3, 8]) {
      const out = conversationLines(long, { ...options, height });
      expect(out.length).toBeLessThanOrEqual(height);
      for (const l of out) expect(segmentsWidth(l)).toBeLessThanOrEqual(options.width);
    }
  });

  it('shows a pending reply as queued, and not twice once it is in the conversation', () => {
    expect(lines(e, { pending: [{ text: 'On its way', state: 'queued' }] }).join('\n')).toMatch(/you: On its way \[queued\]/);
    expect(lines(e, { pending: [{ text: 'It is on Monday', state: 'queued' }] }).join('\n').match(/It is on Monday/g)).toHaveLength(1);
  });

  it('says when the conversation is still loading, and still shows a pending reply', () => {
    const out = lines(enquiry({ messagesLoaded: false, messages: [] }), { pending: [{ text: 'Hello', state: 'queued' }] }).join('\n');
    expect(out).toContain('Loading the whole conversation');
    expect(out).toContain('you: Hello [queued]');
  });

  it('warns when the WhatsApp reply window has closed', () => {
    expect(lines(enquiry({ lastCustomerAt: minutesAgo(30 * 60) })).join('\n')).toContain('reply window closed');
  });
});

describe('scrolling the conversation', () => {
  it('shows older lines when scrolled back, and says how many are below', () => {
    const e = enquiry({ messages: Array.from({ length: 20 }, (_, i) => ({ id: `m${i}`, author: 'customer' as const, text: `message number ${i}`, at: minutesAgo(30 - i) })) });
    const bottom = lines(e, { height: 6 });
    expect(bottom.at(-1)).toContain('message number 19');
    const back = lines(e, { height: 6, scroll: 5 });
    expect(back.join('\n')).toContain('message number 13');
    expect(back.at(-1)).toContain('5 more below');
    // Scrolling past the first message stops at it.
    expect(lines(e, { height: 6, scroll: 500 }).join('\n')).toContain('message number 0');
  });
});

describe('the header line', () => {
  const long = enquiry({ id: 'E7K2M9QXA', name: 'Bartholomew Fitzgerald-Montgomery', claimedBy: 'alice', waitingSince: minutesAgo(3) });
  const head = (width: number) => lines(long, { width })[0]!;

  it('never cuts the id: the name is shortened with a mark, then the state gives way, then the holder', () => {
    expect(head(90)).toMatch(/^Bartholomew Fitzgerald-Montgomery \| waiting since \d\d:\d\d \| held by you \| E7K2M9QXA$/);
    expect(head(80)).toMatch(/^Bartholomew Fitzgerald-Montgo\.\.\. \| waiting since \d\d:\d\d \| held by you \| E7K2M9QXA$/);
    // At 60 columns the holder and the id used to be cut off, the id with no mark.
    expect(head(60)).toMatch(/^Bartholom\.\.\. \| waiting since \d\d:\d\d \| held by you \| E7K2M9QXA$/);
    expect(head(45)).toBe('Bartholomew Fitz... | held by you | E7K2M9QXA');
    expect(head(24)).toBe('Bartholom... | E7K2M9QXA');
    for (const width of [80, 60, 45, 24, 20]) {
      expect(head(width)).toContain('E7K2M9QXA');
      expect(head(width).length).toBeLessThanOrEqual(width);
    }
  });
});
