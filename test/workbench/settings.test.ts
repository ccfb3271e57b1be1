import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSetting, settingsProblem, settingsSchema } from '../../src/workbench/settings.js';

describe('settings', () => {
  it('defaults to amber at 20 minutes and red at 60', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ slaAmberMinutes: 20, slaRedMinutes: 60, theme: 'auto', ascii: false });
  });
  it('reads values typed on the command line', () => {
    expect(parseSetting('fps', '10')).toEqual({ ok: true, name: 'fps', value: 10 });
    expect(parseSetting('ascii', 'yes')).toEqual({ ok: true, name: 'ascii', value: true });
    expect(parseSetting('theme', 'no-color')).toEqual({ ok: true, name: 'theme', value: 'no-color' });
  });
  it('explains a bad value or name', () => {
    const bad = (n: string, v: string) => {
      const r = parseSetting(n, v);
      return r.ok ? '' : r.reason;
    };
    expect(bad('fps', '0')).toMatch(/from 1 to 60/);
    expect(bad('fps', 'fast')).toMatch(/whole number/);
    expect(bad('theme', 'dark')).toMatch(/auto, no-color/);
    expect(bad('colour', '1')).toMatch(/no setting "colour"/);
  });
  it('needs red after amber', () => {
    expect(settingsProblem({ ...DEFAULT_SETTINGS, slaAmberMinutes: 30, slaRedMinutes: 30 })).toMatch(/more than/);
    expect(settingsProblem(DEFAULT_SETTINGS)).toBeNull();
  });
  it('gives a schema with every setting', () => {
    const schema = settingsSchema() as { properties: Record<string, { type: string }> };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    expect(schema.properties.fps!.type).toBe('integer');
  });
});
