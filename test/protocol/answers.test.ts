// Query answers as the broker builds them pass the checks a client makes on arrival; answers of
// another shape are rejected with what is wrong. And server frames: what a client acts on.
import { describe, expect, it } from 'vitest';
import { checkAnswer, courtListing, escalationPreview, templateSummary } from '../../src/protocol/answers.js';
import { readServerFrame } from '../../src/protocol/read-server-frame.js';

const COURT = { name: 'Bristol Civil and Family Justice Centre', slug: 'bristol', email: 'enquiries.bristol@justice.gov.uk', welsh: false };

describe('query answers', () => {
  it('accept what the broker builds', () => {
    const courts = [courtListing(COURT, { unanswered: 2, oldestSince: '2025-03-03T10:00:00Z' }), courtListing({ ...COURT, slug: 'cardiff', welsh: true, nameCy: 'Caerdydd' }, undefined)];
    expect(checkAnswer('list-courts', JSON.parse(JSON.stringify(courts)))).toEqual({ ok: true, value: courts });
    const template = { name: 'general', language: 'cy' as const, subject: 's', body: 'b', description: null, ask: ['a'], fields: ['a'], required: [], chaseAfterDays: null };
    expect(checkAnswer('list-templates', [templateSummary(template)])).toEqual({ ok: true, value: [{ name: 'general', language: 'cy', subject: 's', description: null, ask: ['a'], fields: ['a'] }] });
    const preview = escalationPreview(COURT, 'en', { subject: 'S', text: 'T', plain: 'P', html: '<p>' });
    expect(checkAnswer('preview-escalation', preview)).toEqual({ ok: true, value: { missing: [], to: COURT.email, courtName: COURT.name, language: 'en', subject: 'S', text: 'T' } });
  });

  it('reject other shapes, saying what is wrong', () => {
    expect(checkAnswer('list-courts', {})).toEqual({ ok: false, problem: 'the courts are an object, not a list' });
    expect(checkAnswer('list-courts', [{ ...COURT }, 'x'])).toEqual({ ok: false, problem: 'court 2 is "x"' });
    expect(checkAnswer('list-courts', [{ ...COURT, oldestSince: 5 }])).toEqual({ ok: false, problem: 'court 1 has oldestSince 5' });
    expect(checkAnswer('list-templates', [{ name: 'general', language: 'fr', subject: 's' }])).toEqual({ ok: false, problem: 'template 1 has language "fr", not en or cy' });
    expect(checkAnswer('preview-escalation', null)).toEqual({ ok: false, problem: 'the preview is null, not an object' });
    expect(checkAnswer('preview-escalation', { missing: [] })).toEqual({ ok: false, problem: 'the preview needs to, courtName, subject and text' });
    expect(checkAnswer('preview-escalation', { missing: ['hearingDate'] })).toEqual({ ok: true, value: { missing: ['hearingDate'], message: 'Still needed: hearingDate.' } });
  });
});

describe('server frames', () => {
  const agent = { name: 'alice', role: 'agent', languages: ['en'] };
  it('pass with the fields their type needs; an unknown type is ignored, not an error', () => {
    const frames = [
      { type: 'welcome', protocol: 1, agent, epoch: 'E', seq: 0, resumed: false, snapshot: { enquiries: [], agents: [] } },
      { type: 'welcome', protocol: 1, agent, epoch: 'E', seq: 4, resumed: true },
      { type: 'event', seq: 1, at: 'x', actor: {}, event: { type: 'enquiry.received' } },
      { type: 'events', events: [{ seq: 2, event: { type: 'a' } }, { seq: 3, event: { type: 'b' } }] },
      { type: 'ack', ref: 'r', ok: true, seq: null, data: [] },
      { type: 'ack', ref: 'r', ok: false, error: { code: 'C', message: 'm' } },
      { type: 'error', error: { code: 'C', message: 'm' } },
      { type: 'status', journal: 'degraded', message: 'disk full' },
    ];
    for (const f of frames) expect(readServerFrame(JSON.stringify(f))).toEqual({ ok: true, frame: f });
    expect(readServerFrame('{"type":"roster","x":1}')).toEqual({ ok: true, frame: null });
  });

  it('fail with what is wrong', () => {
    const problem = (f: unknown) => {
      const r = readServerFrame(typeof f === 'string' ? f : JSON.stringify(f));
      return r.ok ? null : r.problem;
    };
    expect(problem('{"type":')).toBe('The broker sent a frame that is not JSON.');
    expect(problem('[1]')).toBe('The broker sent a frame that is not a JSON object.');
    expect(problem({ type: 'wallboard', figures: { at: 'x' } })).toBe('The broker sent a "wallboard" frame that has figures where the figures have no thresholds.');
    expect(problem({ type: 'welcome', protocol: 1, agent: { name: 'a' }, epoch: 'E', seq: 0 })).toMatch(/names no agent/);
    expect(problem({ type: 'welcome', protocol: 1, agent, epoch: 'E', seq: 0, snapshot: [] })).toMatch(/snapshot without enquiries/);
    expect(problem({ type: 'events', events: [{ seq: 1, event: {} }] })).toBe('The broker sent a "events" frame that has event 1 without a type.');
    expect(problem({ type: 'ack', ok: true, seq: 1 })).toMatch(/has no ref/);
    expect(problem({ type: 'ack', ref: 'r', ok: false, error: 'no' })).toMatch(/error without a code and a message/);
    expect(problem({ type: 'status', journal: 'full', message: null })).toMatch(/has journal "full"/);
  });
});
