import { beforeEach, describe, expect, it } from 'vitest';
import type { Decision, DecidableCommand, DecisionContext } from '../../src/domain/decide.js';
import { decideCommand } from '../../src/domain/decide.js';
import type { CourtdeskEvent, Role } from '../../src/domain/events.js';
import type { AgentIdentity, Command } from '../../src/protocol/frames.js';
import { at, Journal } from './journal.js';

// Compile-time: what the broker receives off the wire can be handed straight to decideCommand.
const fromWire = (command: Extract<Command, { type: DecidableCommand['type'] }>, identity: AgentIdentity): [DecidableCommand, DecisionContext['actor']] => [command, identity];
void fromWire;

const AGENTS = new Set(['alice', 'bob', 'sian', 'sam']);

function ctxFor(name: string, role: Role = 'agent'): DecisionContext {
  let n = 0;
  return {
    actor: { name, role, languages: ['en'] } as AgentIdentity,
    newMessageId: () => `${name}-m${++n}`,
    agentExists: (agent) => AGENTS.has(agent),
  };
}

let alice: DecisionContext;
let bob: DecisionContext;
let sam: DecisionContext;

function events(decision: Decision): CourtdeskEvent[] {
  if (!decision.ok) throw new Error(`expected ok, got ${decision.error.code}: ${decision.error.message}`);
  return decision.events;
}

function error(decision: Decision): { code: string; message: string } {
  if (decision.ok) throw new Error(`expected a refusal, got ${JSON.stringify(decision.events)}`);
  return decision.error;
}

let j: Journal;

/** Decides and, like the broker, folds the events in before anything else happens. */
function run(command: DecidableCommand, ctx: DecisionContext): Decision {
  const decision = decideCommand(j.state, command, ctx);
  if (decision.ok) for (const event of decision.events) j.record(event, at(30), { kind: ctx.actor.role === 'supervisor' ? 'supervisor' : 'agent', name: ctx.actor.name });
  return decision;
}

beforeEach(() => {
  alice = ctxFor('alice');
  bob = ctxFor('bob');
  sam = ctxFor('sam', 'supervisor');
  j = new Journal().receive('E1', at(0)).receive('E2', at(1));
});

describe('decideCommand: any enquiry command', () => {
  it('refuses an unknown enquiry with NOT_FOUND', () => {
    for (const command of [
      { type: 'claim', enquiryId: 'E9' },
      { type: 'open', enquiryId: 'E9' },
      { type: 'reply', enquiryId: 'E9', text: 'hi' },
      { type: 'reopen', enquiryId: 'E9' },
    ] as const) {
      const e = error(decideCommand(j.state, command, alice));
      expect(e.code).toBe('NOT_FOUND');
      expect(e.message).toContain('E9');
    }
  });

  it('answers open with no events', () => {
    expect(events(decideCommand(j.state, { type: 'open', enquiryId: 'E1' }, alice))).toEqual([]);
  });
});

describe('decideCommand: claim', () => {
  it('claims an unclaimed enquiry for the actor', () => {
    expect(events(run({ type: 'claim', enquiryId: 'E1' }, alice))).toEqual([{ type: 'enquiry.claimed', enquiryId: 'E1', agent: 'alice' }]);
    expect(j.state.enquiries.get('E1')?.claimedBy).toBe('alice');
  });

  it('lets the first of two claims win and names the holder to the second', () => {
    const first = run({ type: 'claim', enquiryId: 'E1' }, alice);
    const second = run({ type: 'claim', enquiryId: 'E1' }, bob);
    expect(first.ok).toBe(true);
    const e = error(second);
    expect(e.code).toBe('ALREADY_CLAIMED');
    expect(e.message).toContain('alice');
    expect(j.state.enquiries.get('E1')?.claimedBy).toBe('alice');
  });

  it('refuses a supervisor too when someone else holds it', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'claim', enquiryId: 'E1' }, sam)).code).toBe('ALREADY_CLAIMED');
  });

  it('succeeds with no events when the actor already holds it', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(events(run({ type: 'claim', enquiryId: 'E1' }, alice))).toEqual([]);
  });

  it('refuses a closed enquiry with CLOSED', () => {
    j.close('E1', at(2));
    const e = error(run({ type: 'claim', enquiryId: 'E1' }, alice));
    expect(e.code).toBe('CLOSED');
    expect(e.message).toMatch(/reopen/);
  });
});

describe('decideCommand: release', () => {
  beforeEach(() => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
  });

  it('lets the holder release, naming them on the event', () => {
    expect(events(run({ type: 'release', enquiryId: 'E1' }, alice))).toEqual([{ type: 'enquiry.released', enquiryId: 'E1', agent: 'alice' }]);
    expect(j.state.enquiries.get('E1')?.claimedBy).toBeNull();
  });

  it('lets a supervisor release someone else’s enquiry', () => {
    expect(events(run({ type: 'release', enquiryId: 'E1' }, sam))).toEqual([{ type: 'enquiry.released', enquiryId: 'E1', agent: 'alice' }]);
  });

  it('refuses another agent with FORBIDDEN naming the holder, their role and the roles that may', () => {
    const e = error(run({ type: 'release', enquiryId: 'E1' }, bob));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toMatch(/^Enquiry E1 is held by alice\. This is an agent token, which may not release an enquiry someone else holds; only supervisor tokens may, so ask alice or a supervisor\.$/);
  });

  it('succeeds with no events when nobody holds it', () => {
    expect(events(run({ type: 'release', enquiryId: 'E2' }, bob))).toEqual([]);
  });
});

describe('decideCommand: reply', () => {
  it('records the holder’s reply with a new message id, trailing whitespace trimmed', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(events(run({ type: 'reply', enquiryId: 'E1', text: '  Bore da.\n\nYour hearing is on Monday.  \n\n' }, alice))).toEqual([
      { type: 'enquiry.replied', enquiryId: 'E1', messageId: 'alice-m1', agent: 'alice', text: '  Bore da.\n\nYour hearing is on Monday.' },
    ]);
    expect(j.state.enquiries.get('E1')?.status).toBe('awaiting-customer');
  });

  it('asks an agent to claim an unclaimed enquiry first', () => {
    const e = error(run({ type: 'reply', enquiryId: 'E1', text: 'hi' }, alice));
    expect(e.code).toBe('NOT_HOLDER');
    expect(e.message).toMatch(/^Claim enquiry E1 first/);
  });

  it('refuses an agent who does not hold it, naming the holder', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    const e = error(run({ type: 'reply', enquiryId: 'E1', text: 'hi' }, bob));
    expect(e.code).toBe('NOT_HOLDER');
    expect(e.message).toContain('held by alice');
  });

  it('does not let a supervisor reply to an enquiry someone else holds', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'reply', enquiryId: 'E1', text: 'hi' }, sam)).code).toBe('NOT_HOLDER');
  });

  it('refuses a closed enquiry with CLOSED', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    run({ type: 'close', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'reply', enquiryId: 'E1', text: 'hi' }, alice)).code).toBe('CLOSED');
  });

  it('refuses a blank reply', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'reply', enquiryId: 'E1', text: ' \n\t' }, alice)).code).toBe('EMPTY_TEXT');
  });
});

describe('decideCommand: the WhatsApp 24-hour reply window', () => {
  const HOUR = 60;
  /** A WhatsApp enquiry W1 received at minute 0 and claimed by alice; `now` is `minutes` after T0. */
  function whatsapp(minutes: number): DecisionContext {
    j.receive('W1', at(0), { channel: 'whatsapp', from: '447700900123' }).claim('W1', 'alice', at(1));
    return { ...alice, now: new Date(at(minutes)) };
  }

  it('accepts free text up to the last minute before 24 hours have passed', () => {
    const ctx = whatsapp(24 * HOUR - 1);
    expect(events(run({ type: 'reply', enquiryId: 'W1', text: 'Your hearing is on Monday.' }, ctx))[0]?.type).toBe('enquiry.replied');
  });

  it('refuses at exactly 24 hours with REPLY_WINDOW_CLOSED, saying when it closed, why, and what to do', () => {
    const e = error(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, whatsapp(24 * HOUR)));
    expect(e.code).toBe('REPLY_WINDOW_CLOSED');
    expect(e.message).toContain('within 24 hours');
    expect(e.message).toContain(`closed at ${at(24 * HOUR)}`);
    expect(e.message).toContain('less than an hour ago');
    expect(e.message).toMatch(/template/);
    expect(e.message).toMatch(/contact the customer another way, or wait for them to write again/);
  });

  it('says how long ago the window closed', () => {
    expect(error(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, whatsapp(27 * HOUR + 30))).message).toContain('(3 hours ago)');
  });

  it('runs from the customer\'s latest message, not the first, so a new message reopens it', () => {
    const ctx = whatsapp(30 * HOUR);
    expect(error(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, ctx)).code).toBe('REPLY_WINDOW_CLOSED');
    j.customer('W1', at(29 * HOUR), 'Are you there?');
    expect(events(run({ type: 'reply', enquiryId: 'W1', text: 'Yes, sorry for the wait.' }, ctx))).toHaveLength(1);
  });

  it('does not count agent replies or notes as the customer writing', () => {
    const ctx = whatsapp(25 * HOUR);
    j.reply('W1', 'alice', at(23 * HOUR));
    j.record({ type: 'enquiry.noted', enquiryId: 'W1', messageId: 'N1', agent: 'alice', text: 'called them' }, at(23 * HOUR));
    expect(error(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, ctx)).code).toBe('REPLY_WINDOW_CLOSED');
  });

  it('applies to WhatsApp only: SMS and web enquiries of any age can be answered', () => {
    j.receive('S1', at(0), { channel: 'sms', from: '+447700900123' }).claim('S1', 'alice', at(1)).claim('E1', 'alice', at(1));
    const later = { ...alice, now: new Date(at(72 * HOUR)) };
    expect(events(run({ type: 'reply', enquiryId: 'S1', text: 'hi' }, later))).toHaveLength(1);
    expect(events(run({ type: 'reply', enquiryId: 'E1', text: 'hi' }, later))).toHaveLength(1);
  });

  it('refuses when the customer\'s last message has no readable time: the window cannot be shown to be open', () => {
    j.receive('W2', 'not a time', { channel: 'whatsapp', from: '447700900124' }).claim('W2', 'alice', at(1));
    const e = error(run({ type: 'reply', enquiryId: 'W2', text: 'hi' }, { ...alice, now: new Date(at(5)) }));
    expect(e.code).toBe('REPLY_WINDOW_CLOSED');
    expect(e.message).toContain('"not a time"');
    expect(e.message).toContain('cannot be read');
    expect(e.message).toMatch(/contact the customer another way, or wait for them to write again/);
  });

  it('judges against the real clock when the context gives no time', () => {
    const { now: _now, ...noClock } = whatsapp(0);
    expect(error(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, noClock)).code).toBe('REPLY_WINDOW_CLOSED'); // T0 is in 2025
    j.customer('W1', new Date().toISOString());
    expect(events(run({ type: 'reply', enquiryId: 'W1', text: 'hi' }, noClock))).toHaveLength(1);
  });
});

describe('decideCommand: note', () => {
  it('records the holder’s note, trimmed at the end', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(events(run({ type: 'note', enquiryId: 'E1', text: 'Called the court. \n' }, alice))).toEqual([
      { type: 'enquiry.noted', enquiryId: 'E1', messageId: 'alice-m1', agent: 'alice', text: 'Called the court.' },
    ]);
  });

  it('lets a supervisor add a note to any enquiry, even a closed one', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(events(run({ type: 'note', enquiryId: 'E1', text: 'Checked.' }, sam))).toHaveLength(1);
    expect(events(run({ type: 'note', enquiryId: 'E2', text: 'Checked.' }, sam))).toHaveLength(1);
    j.close('E2', at(3));
    expect(events(run({ type: 'note', enquiryId: 'E2', text: 'Closed correctly.' }, sam))).toHaveLength(1);
  });

  it('refuses other agents', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    const held = error(run({ type: 'note', enquiryId: 'E1', text: 'x' }, bob));
    expect(held.code).toBe('FORBIDDEN');
    expect(held.message).toContain('alice');
    expect(error(run({ type: 'note', enquiryId: 'E2', text: 'x' }, bob)).message).toMatch(/^Claim enquiry E2 first/);
    j.close('E2', at(3));
    expect(error(run({ type: 'note', enquiryId: 'E2', text: 'x' }, bob)).code).toBe('CLOSED');
  });
});

describe('decideCommand: tag and untag', () => {
  beforeEach(() => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
  });

  it('tags with the normalised number and its format', () => {
    expect(events(run({ type: 'tag', enquiryId: 'E1', caseNumber: '#1712-3456-7890-1238' }, alice))).toEqual([
      { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '1712345678901238', format: 'ccd' },
    ]);
    expect(events(run({ type: 'tag', enquiryId: 'E1', caseNumber: ' 305je126' }, alice))).toEqual([
      { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: '305JE126', format: 'civil' },
    ]);
    expect(events(run({ type: 'tag', enquiryId: 'E1', caseNumber: 'abcd1234' }, alice))).toEqual([
      { type: 'enquiry.tagged', enquiryId: 'E1', caseNumber: 'ABCD1234', format: 'unverified' },
    ]);
    expect(j.state.enquiries.get('E1')?.caseNumbers).toEqual(['1712345678901238', '305JE126', 'ABCD1234']);
  });

  it('succeeds with no events when the tag is already there, however it is written', () => {
    run({ type: 'tag', enquiryId: 'E1', caseNumber: '1712345678901238' }, alice);
    expect(events(run({ type: 'tag', enquiryId: 'E1', caseNumber: '1712 3456 7890 1238' }, alice))).toEqual([]);
  });

  it('refuses an invalid number with the parser’s reason', () => {
    const e = error(run({ type: 'tag', enquiryId: 'E1', caseNumber: '1712345678901239' }, alice));
    expect(e.code).toBe('INVALID_CASE_NUMBER');
    expect(e.message).toContain('the check digit does not match — a digit may be mistyped');
  });

  it('only lets the holder tag', () => {
    expect(error(run({ type: 'tag', enquiryId: 'E1', caseNumber: '305JE126' }, bob)).code).toBe('NOT_HOLDER');
    expect(error(run({ type: 'tag', enquiryId: 'E1', caseNumber: '305JE126' }, sam)).code).toBe('NOT_HOLDER');
    expect(error(run({ type: 'tag', enquiryId: 'E2', caseNumber: '305JE126' }, alice)).message).toMatch(/^Claim enquiry E2 first/);
  });

  it('untags a number written in any accepted form', () => {
    run({ type: 'tag', enquiryId: 'E1', caseNumber: '1712345678901238' }, alice);
    run({ type: 'tag', enquiryId: 'E1', caseNumber: '305JE126' }, alice);
    expect(events(run({ type: 'untag', enquiryId: 'E1', caseNumber: '#1712-3456-7890-1238' }, alice))).toEqual([
      { type: 'enquiry.untagged', enquiryId: 'E1', caseNumber: '1712345678901238' },
    ]);
    expect(j.state.enquiries.get('E1')?.caseNumbers).toEqual(['305JE126']);
  });

  it('refuses to untag a number that is not there, listing the tags', () => {
    run({ type: 'tag', enquiryId: 'E1', caseNumber: '305JE126' }, alice);
    const e = error(run({ type: 'untag', enquiryId: 'E1', caseNumber: 'A1QZ1234' }, alice));
    expect(e.code).toBe('NOT_TAGGED');
    expect(e.message).toContain('A1QZ1234');
    expect(e.message).toContain('305JE126');
    expect(error(run({ type: 'untag', enquiryId: 'E1', caseNumber: 'not a number' }, alice)).code).toBe('NOT_TAGGED');
  });

  it('only lets the holder untag', () => {
    run({ type: 'tag', enquiryId: 'E1', caseNumber: '305JE126' }, alice);
    expect(error(run({ type: 'untag', enquiryId: 'E1', caseNumber: '305JE126' }, bob)).code).toBe('NOT_HOLDER');
  });
});

describe('decideCommand: close and reopen', () => {
  it('lets the holder close', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(events(run({ type: 'close', enquiryId: 'E1' }, alice))).toEqual([{ type: 'enquiry.closed', enquiryId: 'E1' }]);
    expect(j.state.enquiries.get('E1')?.status).toBe('closed');
  });

  it('asks others to claim it first', () => {
    const e = error(run({ type: 'close', enquiryId: 'E1' }, alice));
    expect(e.code).toBe('NOT_HOLDER');
    expect(e.message).toMatch(/claim/i);
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'close', enquiryId: 'E1' }, bob)).code).toBe('NOT_HOLDER');
  });

  it('succeeds with no events for an enquiry already closed', () => {
    j.close('E1', at(2));
    expect(events(run({ type: 'close', enquiryId: 'E1' }, bob))).toEqual([]);
  });

  it('lets any agent reopen a closed enquiry', () => {
    j.close('E1', at(2));
    expect(events(run({ type: 'reopen', enquiryId: 'E1' }, bob))).toEqual([{ type: 'enquiry.reopened', enquiryId: 'E1' }]);
    expect(j.state.enquiries.get('E1')?.status).toBe('waiting');
  });

  it('refuses to reopen an open enquiry with NOT_CLOSED', () => {
    const e = error(run({ type: 'reopen', enquiryId: 'E1' }, bob));
    expect(e.code).toBe('NOT_CLOSED');
    expect(e.message).toContain('waiting');
  });
});

describe('decideCommand: transfer', () => {
  beforeEach(() => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
  });

  it('lets the holder hand over to another agent', () => {
    expect(events(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'bob' }, alice))).toEqual([
      { type: 'enquiry.transferred', enquiryId: 'E1', fromAgent: 'alice', toAgent: 'bob' },
    ]);
    expect(j.state.enquiries.get('E1')?.claimedBy).toBe('bob');
  });

  it('lets a supervisor move someone else’s enquiry, or assign an unclaimed one', () => {
    expect(events(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'sian' }, sam))).toEqual([
      { type: 'enquiry.transferred', enquiryId: 'E1', fromAgent: 'alice', toAgent: 'sian' },
    ]);
    expect(events(run({ type: 'transfer', enquiryId: 'E2', toAgent: 'bob' }, sam))).toEqual([
      { type: 'enquiry.transferred', enquiryId: 'E2', fromAgent: null, toAgent: 'bob' },
    ]);
  });

  it('refuses other agents: FORBIDDEN while someone holds it, NOT_HOLDER (claim it first) while nobody does', () => {
    const e = error(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'bob' }, bob));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('alice');
    expect(error(run({ type: 'transfer', enquiryId: 'E2', toAgent: 'bob' }, alice)).code).toBe('NOT_HOLDER');
  });

  it('refuses an agent that does not exist with UNKNOWN_AGENT', () => {
    const e = error(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'bobb' }, alice));
    expect(e.code).toBe('UNKNOWN_AGENT');
    expect(e.message).toContain('bobb');
  });

  it('succeeds with no events when the target already holds it', () => {
    expect(events(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'alice' }, alice))).toEqual([]);
  });

  it('refuses a closed enquiry', () => {
    run({ type: 'close', enquiryId: 'E1' }, alice);
    expect(error(run({ type: 'transfer', enquiryId: 'E1', toAgent: 'bob' }, sam)).code).toBe('CLOSED');
  });
});

describe('decideCommand: presence', () => {
  it('records the actor’s presence', () => {
    expect(events(run({ type: 'presence', state: 'away' }, bob))).toEqual([{ type: 'agent.presence', agent: 'bob', state: 'away' }]);
    expect(j.state.agents.get('bob')).toMatchObject({ name: 'bob', presence: 'away', since: expect.any(String) });
  });
});

describe('decideCommand: messages', () => {
  it('gives every refusal as a sentence that names the enquiry', () => {
    run({ type: 'claim', enquiryId: 'E1' }, alice);
    j.close('E2', at(3));
    const refusals = [
      decideCommand(j.state, { type: 'claim', enquiryId: 'E1' }, bob),
      decideCommand(j.state, { type: 'claim', enquiryId: 'E2' }, bob),
      decideCommand(j.state, { type: 'release', enquiryId: 'E1' }, bob),
      decideCommand(j.state, { type: 'reply', enquiryId: 'E1', text: 'x' }, bob),
      decideCommand(j.state, { type: 'reopen', enquiryId: 'E1' }, bob),
      decideCommand(j.state, { type: 'untag', enquiryId: 'E1', caseNumber: '305JE126' }, alice),
    ].map(error);
    for (const { message } of refusals) {
      expect(message).toMatch(/^[A-Z].*\.$/s);
      expect(message).toMatch(/E[12]/);
    }
  });

  it('does not change state by itself', () => {
    const before = j.state.enquiries.get('E1');
    const seq = j.state.seq;
    decideCommand(j.state, { type: 'claim', enquiryId: 'E1' }, alice);
    expect(j.state.enquiries.get('E1')).toBe(before);
    expect(j.state.seq).toBe(seq);
  });
});
