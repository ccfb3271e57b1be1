import { describe, expect, it } from 'vitest';
import { parseAcknowledgement, renderAcknowledgement } from '../../src/domain/acknowledgement.js';
import { DEFAULT_HANDLE_SECONDS, estimateWaitSeconds, RecentHandleTimes } from '../../src/domain/wait-estimate.js';
import { at } from './journal.js';

describe('estimateWaitSeconds', () => {
  it('is the rounds of the line the available agents take, times the median handle time', () => {
    expect(estimateWaitSeconds(1, 1, 300)).toBe(300);
    expect(estimateWaitSeconds(6, 3, 300)).toBe(600);
    expect(estimateWaitSeconds(7, 3, 300)).toBe(900);
    expect(estimateWaitSeconds(1, 4, 120)).toBe(120);
  });

  it('is null, not a guess, when no agent is available', () => {
    expect(estimateWaitSeconds(3, 0, 300)).toBeNull();
    expect(estimateWaitSeconds(3, Number.NaN, 300)).toBeNull();
    expect(estimateWaitSeconds(0, 2, 300)).toBeNull();
  });
});

describe('RecentHandleTimes', () => {
  it('takes the median time from claim to first reply, assuming five minutes until five are seen', () => {
    const times = new RecentHandleTimes();
    const handled = (id: string, minutes: number) => {
      times.observe({ type: 'enquiry.claimed', enquiryId: id, agent: 'alice' }, at(0));
      times.observe({ type: 'enquiry.replied', enquiryId: id, messageId: `M${id}`, agent: 'alice', text: 'x' }, at(minutes));
    };
    for (const [id, m] of [['A', 1], ['B', 2], ['C', 9], ['D', 3]] as const) handled(id, m);
    expect(times.medianSeconds()).toBe(DEFAULT_HANDLE_SECONDS);
    handled('E', 4);
    expect(times.medianSeconds()).toBe(180);
    // A second reply on the same claim is not another handle time; a release forgets the claim.
    times.observe({ type: 'enquiry.replied', enquiryId: 'E', messageId: 'M2', agent: 'alice', text: 'x' }, at(60));
    times.observe({ type: 'enquiry.claimed', enquiryId: 'F', agent: 'alice' }, at(0));
    times.observe({ type: 'enquiry.released', enquiryId: 'F', agent: 'alice' }, at(1));
    times.observe({ type: 'enquiry.replied', enquiryId: 'F', messageId: 'M3', agent: 'bob', text: 'x' }, at(90));
    expect(times.medianSeconds()).toBe(180);
  });
});

describe('acknowledgement templates', () => {
  const template = parseAcknowledgement('en', 'Ref ((enquiryId)): number ((position)). ((waitMinutes??About ))((waitMinutes))((waitMinutes?? min.))((noEstimate??No estimate.))', 'test');

  it('says the place and the estimate in whole minutes, at least one', () => {
    expect(renderAcknowledgement(template, { enquiryId: 'E1', position: 2, estimatedWaitSeconds: 600 })).toBe('Ref E1: number 2. About 10 min.');
    expect(renderAcknowledgement(template, { enquiryId: 'E1', position: 1, estimatedWaitSeconds: 10 })).toBe('Ref E1: number 1. About 1 min.');
  });

  it('says there is no estimate when there is none', () => {
    expect(renderAcknowledgement(template, { enquiryId: 'E1', position: 4, estimatedWaitSeconds: null })).toBe('Ref E1: number 4. No estimate.');
  });

  it('refuses an unknown field, naming the ones there are', () => {
    expect(() => parseAcknowledgement('cy', 'Rhif ((place))', 'cy.txt')).toThrow('cy.txt: ((place)) is not a field of the acknowledgement; use ((enquiryId)), ((position)), ((waitMinutes)), ((noEstimate))');
  });
});
