// The agent's saved configuration: broker URL, token, and workbench settings, kept with conf in
// the user's config folder (COURTDESK_CONFIG_DIR overrides it). The file holds a token, so it is
// written readable by its owner only (0600). Drafts and unsent commands live in the same folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Conf from 'conf';
import type { DraftStore } from '../workbench/drafts.js';
import { DEFAULT_SETTINGS, settingsProblem, settingsSchema, type Settings } from '../workbench/settings.js';

interface Stored {
  broker?: string;
  token?: string;
  settings: Settings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface SavedConfig {
  /** The config file (its folder also holds drafts and the outbox). */
  path: string;
  dir: string;
  broker: string | null;
  token: string | null;
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
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      `The saved configuration in ${configDir(env)} cannot be read (${message}). Fix the file, or run \`courtdesk settings reset\` to start again (you will need to log in again).`,
    );
  }
}

/**
 * The folder the config lives in: COURTDESK_CONFIG_DIR, or conf's default for the project name
 * "courtdesk" (env-paths with conf's "-nodejs" suffix), computed here so an error can name it
 * even when the file in it cannot be read.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.COURTDESK_CONFIG_DIR?.trim();
  if (override) return override;
  const name = 'courtdesk-nodejs';
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', name);
  if (process.platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), name, 'Config');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), name);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SavedConfig {
  const conf = openChecked(env);
  const stored = conf.store;
  const settings = { ...DEFAULT_SETTINGS, ...stored.settings };
  return {
    path: conf.path,
    dir: dirname(conf.path),
    broker: stored.broker ?? null,
    token: stored.token ?? null,
    settings,
  };
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

/** Which broker and token to use: flags, then COURTDESK_BROKER / COURTDESK_TOKEN, then what login saved. */
export function resolveLogin(
  flags: { broker?: string | undefined; token?: string | undefined },
  saved: Pick<SavedConfig, 'broker' | 'token'>,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; broker: string; token: string } | { ok: false; reason: string } {
  const broker = nonEmpty(flags.broker) ?? nonEmpty(env.COURTDESK_BROKER) ?? saved.broker;
  const token = nonEmpty(flags.token) ?? nonEmpty(env.COURTDESK_TOKEN) ?? saved.token;
  if (!broker) {
    return { ok: false, reason: 'No broker URL. Log in once with `courtdesk login --broker URL --token T`, or pass --broker (or set COURTDESK_BROKER).' };
  }
  if (!token) {
    return { ok: false, reason: 'No token. Log in once with `courtdesk login --broker URL --token T`, or pass --token (or set COURTDESK_TOKEN).' };
  }
  return { ok: true, broker, token };
}

function nonEmpty(value: string | undefined | null): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** Unsent commands are kept per broker and token, so one agent's queue never goes out under another's login. */
export function outboxFile(dir: string, broker: string, token: string): string {
  const key = createHash('sha256').update(`${broker}\u0000${token}`).digest('hex').slice(0, 16);
  return join(dir, `outbox-${key}.json`);
}

const DRAFT_WRITE_DELAY_MS = 300;

/**
 * Reply drafts in `drafts.json` (0600: they quote court users). Writes are batched, so typing does
 * not write a file per key; `flush` writes at once (on quit). An unreadable file starts empty.
 */
export function fileDraftStore(dir: string): DraftStore & { flush(): void; readonly path: string } {
  const path = join(dir, 'drafts.json');
  let pending: Record<string, string> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending === null) return;
    const data = JSON.stringify(pending, null, 2);
    pending = null;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  };
  return {
    path,
    load() {
      if (!existsSync(path)) return {};
      try {
        const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
        return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
      } catch {
        return {};
      }
    },
    save(drafts) {
      pending = { ...drafts };
      if (!timer) {
        timer = setTimeout(write, DRAFT_WRITE_DELAY_MS);
        timer.unref();
      }
    },
    flush: write,
  };
}
