// What an agent may change about the workbench. One table gives the defaults, the limits, the help
// text `courtdesk settings` prints, the JSON schema conf validates saved settings against, and the
// same rules for reading them back without conf.

export type ThemeName = 'auto' | 'no-color';

export interface Settings {
  /** A waiting enquiry turns amber after this many minutes. */
  slaAmberMinutes: number;
  /** ...and red after this many. */
  slaRedMinutes: number;
  theme: ThemeName;
  /** Plain ASCII borders and symbols, for terminals and fonts without box drawing. */
  ascii: boolean;
  /** Most frames drawn per second; lower spares a slow link or thin client. */
  fps: number;
}

interface IntegerSetting {
  kind: 'integer';
  min: number;
  max: number;
}
interface ChoiceSetting {
  kind: 'choice';
  choices: readonly string[];
}
interface BooleanSetting {
  kind: 'boolean';
}

export type SettingSpec = (IntegerSetting | ChoiceSetting | BooleanSetting) & { help: string };

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  slaAmberMinutes: 20,
  slaRedMinutes: 60,
  theme: 'auto',
  ascii: false,
  fps: 20,
};

export const SETTING_SPECS: Record<keyof Settings, SettingSpec> = {
  slaAmberMinutes: { kind: 'integer', min: 1, max: 1440, help: 'minutes of waiting before an enquiry shows amber (!)' },
  slaRedMinutes: { kind: 'integer', min: 1, max: 1440, help: 'minutes of waiting before an enquiry shows red (!!); more than the amber minutes' },
  theme: { kind: 'choice', choices: ['auto', 'no-color'], help: '"auto" uses colour unless NO_COLOR is set; "no-color" never does' },
  ascii: { kind: 'boolean', help: 'plain ASCII symbols and lines instead of Unicode ones' },
  fps: { kind: 'integer', min: 1, max: 60, help: 'most frames drawn per second' },
};

export const SETTING_NAMES = Object.keys(SETTING_SPECS) as (keyof Settings)[];

/** Object.hasOwn, not `in`: "toString" in SETTING_SPECS is true but names no setting. */
function isSettingName(name: string): name is keyof Settings {
  return Object.hasOwn(SETTING_SPECS, name);
}

export type ParsedSetting = { ok: true; name: keyof Settings; value: Settings[keyof Settings] } | { ok: false; reason: string };

/** Reads a setting typed on the command line (`settings set fps 10`) and says plainly what is wrong. */
export function parseSetting(name: string, raw: string): ParsedSetting {
  if (!isSettingName(name)) {
    return { ok: false, reason: `There is no setting "${name}". Settings: ${SETTING_NAMES.join(', ')}.` };
  }
  const spec = SETTING_SPECS[name];
  const text = raw.trim();
  switch (spec.kind) {
    case 'integer': {
      if (!/^\d+$/.test(text)) return { ok: false, reason: `${name} must be a whole number from ${spec.min} to ${spec.max}; "${raw}" is not.` };
      const value = Number(text);
      if (value < spec.min || value > spec.max) {
        return { ok: false, reason: `${name} must be from ${spec.min} to ${spec.max}; ${value} is out of range.` };
      }
      return { ok: true, name, value };
    }
    case 'choice':
      return spec.choices.includes(text)
        ? { ok: true, name, value: text as ThemeName }
        : { ok: false, reason: `${name} must be one of ${spec.choices.join(', ')}; "${raw}" is not.` };
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(lower)) return { ok: true, name, value: true };
      if (['false', 'no', 'off', '0'].includes(lower)) return { ok: true, name, value: false };
      return { ok: false, reason: `${name} must be true or false; "${raw}" is not.` };
    }
  }
}

/** Rules that involve two settings at once; null when the settings hang together. */
export function settingsProblem(settings: Settings): string | null {
  if (settings.slaRedMinutes <= settings.slaAmberMinutes) {
    return `slaRedMinutes (${settings.slaRedMinutes}) must be more than slaAmberMinutes (${settings.slaAmberMinutes}).`;
  }
  return null;
}

/**
 * What is wrong with settings read back from the config file (the rules of `settingsSchema`), or
 * null. Missing settings are fine: they take their defaults.
 */
export function storedSettingsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'settings must be an object';
  for (const [name, v] of Object.entries(value)) {
    if (!isSettingName(name)) return `there is no setting "${name}" (settings: ${SETTING_NAMES.join(', ')})`;
    const spec = SETTING_SPECS[name];
    const shown = JSON.stringify(v);
    switch (spec.kind) {
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v)) return `settings.${name} must be a whole number; ${shown} is not`;
        if (v < spec.min || v > spec.max) return `settings.${name} must be from ${spec.min} to ${spec.max}; ${shown} is out of range`;
        break;
      case 'choice':
        if (typeof v !== 'string' || !spec.choices.includes(v)) return `settings.${name} must be one of ${spec.choices.join(', ')}; ${shown} is not`;
        break;
      case 'boolean':
        if (typeof v !== 'boolean') return `settings.${name} must be true or false; ${shown} is not`;
        break;
    }
  }
  return null;
}

/** The JSON schema (draft 2020-12 `properties` entries) for saved settings. */
export function settingsSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const spec = SETTING_SPECS[name];
    const base = { default: DEFAULT_SETTINGS[name], description: spec.help };
    properties[name] =
      spec.kind === 'integer'
        ? { ...base, type: 'integer', minimum: spec.min, maximum: spec.max }
        : spec.kind === 'choice'
          ? { ...base, type: 'string', enum: [...spec.choices] }
          : { ...base, type: 'boolean' };
  }
  return { type: 'object', properties, additionalProperties: false, default: { ...DEFAULT_SETTINGS } };
}
