// The agent's saved configuration: broker URL, token, and workbench settings, kept with conf in
// the user's config folder (COURTDESK_CONFIG_DIR overrides it). The file holds a token, so it is
// written readable by its owner only (0600). Reading it needs no conf (saved-config.ts, all the
// workbench loads); writing goes through conf here.
import Conf from 'conf';
import { DEFAULT_SETTINGS, settingsProblem, settingsSchema, type Settings } from '../workbench/settings.js';
import { ConfigError, configDir, unreadableConfig } from './saved-config.js';

export { ConfigError, configDir, fileDraftStore, loadConfig, outboxFile, resolveLogin, type SavedConfig } from './saved-config.js';

interface Stored {
  broker?: string;
  token?: string;
  settings: Settings;
}

function open(env: NodeJS.ProcessEnv, clearInvalidConfig = false): Conf<Stored> {
  return new Conf<Stored>({
    projectName: 'courtdesk',
    cwd: configDir(env),
    configFileMode: 0o600,
    // An agent may edit the file by hand: a mistake is reported, never silently wiped (except by reset).
    clearInvalidConfig,
    schema: {
      broker: { type: 'string' },
      token: { type: 'string' },
      settings: settingsSchema() as never,
    },
  });
}

function openChecked(env: NodeJS.ProcessEnv): Conf<Stored> {
  try {
    return open(env);
  } catch (err) {
    throw unreadableConfig(configDir(env), err instanceof Error ? err.message : String(err));
  }
}

export function saveLogin(broker: string, token: string, env: NodeJS.ProcessEnv = process.env): string {
  const conf = openChecked(env);
  conf.set('broker', broker);
  conf.set('token', token);
  return conf.path;
}

/** Forgets the token (and the broker URL); settings stay. Returns whether a token was saved. */
export function forgetLogin(env: NodeJS.ProcessEnv = process.env): boolean {
  const conf = openChecked(env);
  const had = conf.has('token');
  conf.delete('token');
  conf.delete('broker');
  return had;
}

export function saveSetting<K extends keyof Settings>(name: K, value: Settings[K], env: NodeJS.ProcessEnv = process.env): Settings {
  const conf = openChecked(env);
  const next = { ...DEFAULT_SETTINGS, ...conf.get('settings'), [name]: value };
  const problem = settingsProblem(next);
  if (problem) throw new ConfigError(problem);
  conf.set('settings', next);
  return next;
}

/** Puts one setting, or all of them, back to the default. An unreadable file is replaced. */
export function resetSettings(name: keyof Settings | null, env: NodeJS.ProcessEnv = process.env): Settings {
  const conf = open(env, true);
  const next = name === null ? { ...DEFAULT_SETTINGS } : { ...DEFAULT_SETTINGS, ...conf.get('settings'), [name]: DEFAULT_SETTINGS[name] };
  if (settingsProblem(next)) Object.assign(next, { slaAmberMinutes: DEFAULT_SETTINGS.slaAmberMinutes, slaRedMinutes: DEFAULT_SETTINGS.slaRedMinutes });
  conf.set('settings', next);
  return next;
}
