// The saved configuration read without conf: broker URL, token and workbench settings from the
// config file, checked by the same rules as conf's schema. The workbench starts with this alone:
// conf and its schema compiler (ajv) cost tens of milliseconds and megabytes at every start, and
// are loaded only by the commands that write the file (config.ts). Drafts and unsent commands
// live in the same folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DraftStore } from '../workbench/drafts.js';
import { DEFAULT_SETTINGS, storedSettingsProblem, type Settings } from '../workbench/settings.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The one sentence for a config file that will not load, whoever finds it. */
export function unreadableConfig(dir: string, why: string): ConfigError {
  return new ConfigError(
    `The saved configuration in ${dir} cannot be read (${why}). Fix the file, or run \`courtdesk settings reset\` to start again (you will need to log in again).`,
  );
}

export interface SavedConfig {
  /** The config file (its folder also holds drafts and the outbox). */
  path: string;
  dir: string;
  broker: string | null;
  token: string | null;
  settings: Settings;
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

/** What is in the config file (defaults when there is none); a file that breaks the schema is reported, never wiped. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SavedConfig {
  // Where conf keeps it: its default file name in that folder.
  const path = resolve(configDir(env), 'config.json');
  let stored: Record<string, unknown> = {};
  if (existsSync(path)) {
    const problem = (why: string) => unreadableConfig(configDir(env), why);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw problem(err instanceof Error ? err.message : String(err));
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem('it does not hold a JSON object');
    stored = value as Record<string, unknown>;
    for (const key of ['broker', 'token'] as const) {
      if (stored[key] !== undefined && typeof stored[key] !== 'string') throw problem(`${key} must be a string`);
    }
    const settingsProblem = stored.settings === undefined ? null : storedSettingsProblem(stored.settings);
    if (settingsProblem) throw problem(settingsProblem);
  }
  return {
    path,
    dir: dirname(path),
    broker: (stored.broker as string | undefined) ?? null,
    token: (stored.token as string | undefined) ?? null,
    settings: { ...DEFAULT_SETTINGS, ...(stored.settings as Partial<Settings> | undefined) },
  };
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

/** A short name for one broker and token, so files can belong to one login without naming its token. */
function loginKey(broker: string, token: string): string {
  return createHash('sha256').update(`${broker}\u0000${token}`).digest('hex').slice(0, 16);
}

/** Unsent commands are kept per broker and token, so one agent's queue never goes out under another's login. */
export function outboxFile(dir: string, broker: string, token: string): string {
  return join(dir, `outbox-${loginKey(broker, token)}.json`);
}

const DRAFT_WRITE_DELAY_MS = 300;

/**
 * Reply drafts in `drafts-<hash>.json`, one file per broker and token like the outbox: an enquiry
 * id means something only on its own broker, so another broker's (or the demo's) drafts must never
 * show up here. 0600: they quote court users. Writes are batched, so typing does not write a file
 * per key; `flush` writes at once (on quit). An unreadable file starts empty.
 *
 * Earlier versions kept every login's drafts in one `drafts.json`. Its text was typed by this user,
 * so it is not thrown away: the first login to open a drafts file takes it over.
 */
export function fileDraftStore(dir: string, broker: string, token: string): DraftStore & { flush(): void; readonly path: string } {
  const path = join(dir, `drafts-${loginKey(broker, token)}.json`);
  const legacy = join(dir, 'drafts.json');
  if (!existsSync(path) && existsSync(legacy)) renameSync(legacy, path);
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
