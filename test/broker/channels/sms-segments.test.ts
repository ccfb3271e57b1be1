import { describe, expect, it } from 'vitest';
import { smsSegments, splitSms } from '../../../src/broker/channels/sms-segments.js';

describe('smsSegments', () => {
  it('fits 160 GSM characters in one SMS and cuts longer text into 153-character parts', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', units: 0, parts: 0 });
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, parts: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, parts: 2 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ parts: 2 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ parts: 3 });
  });

  it('keeps the GSM alphabet’s accents and symbols in GSM-7', () => {
    expect(smsSegments('Café £50 @ court, Ünd ñ ß É Ø å ¿¡ §').encoding).toBe('GSM-7');
  });

  it('counts extension characters as two septets', () => {
    expect(smsSegments('€')).toEqual({ encoding: 'GSM-7', units: 2, parts: 1 });
    expect(smsSegments('[~]{|}^\\')).toMatchObject({ units: 16 });
    expect(smsSegments('€'.repeat(80))).toMatchObject({ units: 160, parts: 1 });
    expect(smsSegments(`${'€'.repeat(80)}a`)).toMatchObject({ units: 161, parts: 2 });
  });

  it('never cuts an extension character in half across parts', () => {
    // 152 plain then a euro: the euro's two septets cannot share part one's last slot.
    const split = splitSms(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(split).toMatchObject({ ok: true, encoding: 'GSM-7' });
    if (split.ok) expect(split.parts).toEqual(['a'.repeat(152), `€${'b'.repeat(10)}`]);
  });

  it('switches to UCS-2 for Welsh ŵ and ŷ (and circumflexes), 70 single and 67 per part', () => {
    expect(smsSegments('Diolch yn fawr — ŵ')).toMatchObject({ encoding: 'UCS-2', forcedBy: '—' });
    expect(smsSegments('Mae’n ddrwg gen i')).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSegments('dŵr')).toEqual({ encoding: 'UCS-2', units: 3, parts: 1, forcedBy: 'ŵ' });
    expect(smsSegments('tŷ')).toMatchObject({ encoding: 'UCS-2', forcedBy: 'ŷ' });
    expect(smsSegments('Llandâf')).toMatchObject({ encoding: 'UCS-2', forcedBy: 'â' });
    expect(smsSegments(`ŵ${'a'.repeat(69)}`)).toMatchObject({ units: 70, parts: 1 });
    expect(smsSegments(`ŵ${'a'.repeat(70)}`)).toMatchObject({ units: 71, parts: 2 });
    expect(smsSegments(`ŵ${'a'.repeat(133)}`)).toMatchObject({ units: 134, parts: 2 });
    expect(smsSegments(`ŵ${'a'.repeat(134)}`)).toMatchObject({ units: 135, parts: 3 });
  });

  it('counts an emoji as two UCS-2 units and never splits the pair', () => {
    expect(smsSegments('👍')).toMatchObject({ encoding: 'UCS-2', units: 2 });
    const split = splitSms(`${'a'.repeat(66)}👍${'b'.repeat(10)}`);
    if (!split.ok) throw new Error(split.reason);
    expect(split.parts).toEqual(['a'.repeat(66), `👍${'b'.repeat(10)}`]);
  });
});

describe('splitSms', () => {
  it('gives parts that join back into the text', () => {
    const text = 'Your hearing at Cardiff Civil Justice Centre is listed for 10am. '.repeat(8);
    const split = splitSms(text);
    if (!split.ok) throw new Error(split.reason);
    expect(split.parts.join('')).toBe(text);
    expect(split.parts).toHaveLength(smsSegments(text).parts);
    expect(split.parts.every((p) => p.length <= 153)).toBe(true);
  });

  it('refuses empty text and text longer than maxParts, saying why', () => {
    expect(splitSms('')).toMatchObject({ ok: false, needed: 0 });
    expect(splitSms('a'.repeat(1530))).toMatchObject({ ok: true });
    const tooLong = splitSms('a'.repeat(1531));
    expect(tooLong).toMatchObject({ ok: false, needed: 11 });
    if (!tooLong.ok) expect(tooLong.reason).toContain('at most 10');
    const welsh = splitSms(`ŵ${'a'.repeat(670)}`);
    expect(welsh).toMatchObject({ ok: false, needed: 11 });
    if (!welsh.ok) expect(welsh.reason).toContain('"ŵ"');
    expect(splitSms('a'.repeat(161), 1)).toMatchObject({ ok: false, needed: 2 });
  });
});
