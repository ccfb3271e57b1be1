// Access tokens. Only a SHA-256 of each token is stored (tokens are 256 random bits, so a slow
// hash adds nothing); lookups hash the presented token, find the stored hash by value and confirm
// it with a constant-time comparison. Looking a hash up by value leaks nothing useful: nobody can
// choose a token whose hash shares a prefix with a stored one.
//
// Several `courtdesk token` commands may run at once, so every change reads, changes and rewrites
// the file holding tokens.json.lock, and the rewrite is atomic and durable (temp file, fsync,
// rename, fsync of the folder). A running broker polls the file (TokenWatcher) and sees each change.
// Brokers sharing a PostgreSQL journal also share their tokens through it (journal/pg-tokens.ts):
// each publishes its file's tokens and revocations and polls the others', so a token revoked on
// one node is cut on every node within a second.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Language, Role } from '../domain/events.js';
import { LANGUAGES, ROLES } from '../domain/events.js';
import { writeFileAtomic } from './escalation/atomic-write.js';
import { withFileLock } from './file-lock.js';
import { syncDirectory } from './journal/file-ops.js';
import type { SharedTokens } from './journal/pg-tokens.js';

export interface TokenRecord {
  name: string;
  role: Role;
  languages: Language[];
  /** This agent's own cap on enquiries held at once, instead of the broker's (--max-held). */
  maxHeld?: number;
  /** hex SHA-256 of the token */
  hash: string;
  createdAt: string;
  revokedAt?: string;
}

interface TokenFile {
  version: 1;
  tokens: TokenRecord[];
}

export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function tokensPath(dataDir: string): string {
  return join(dataDir, 'tokens.json');
}

export async function readTokens(dataDir: string): Promise<TokenRecord[]> {
  return parseTokens(await readText(tokensPath(dataDir)), tokensPath(dataDir));
}

/** The file's text; null when there is no file (no tokens yet). */
async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseTokens(text: string | null, path: string): TokenRecord[] {
  if (text === null) return [];
  const damaged = `${path} is not a courtdesk token file; restore it from backup, or remove it and add the tokens again`;
  let parsed: TokenFile;
  try {
    parsed = JSON.parse(text) as TokenFile;
  } catch {
    throw new Error(`${damaged} (it is not valid JSON)`);
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.tokens)) throw new Error(damaged);
  return parsed.tokens;
}

/**
 * Reads the tokens, lets `change` alter the list, and writes it back, holding the lock so that
 * changes from other processes are neither lost nor interleaved. `change` returns what the caller
 * wants back, and whether the list changed and must be written.
 */
async function updateTokens<T>(dataDir: string, change: (tokens: TokenRecord[]) => { result: T; write: boolean }): Promise<T> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = tokensPath(dataDir);
  return withFileLock(`${path}.lock`, { what: path }, async () => {
    const tokens = await readTokens(dataDir);
    const { result, write } = change(tokens);
    if (write) {
      const body: TokenFile = { version: 1, tokens };
      await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, 0o600);
      // The rename is durable only once the folder is: a token printed must survive a power cut.
      await syncDirectory(dataDir);
    }
    return result;
  });
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewToken {
  name: string;
  role: Role;
  languages?: Language[];
  maxHeld?: number;
}

/** Creates a token and returns it; this is the only time the token itself exists outside its holder. */
export async function addToken(dataDir: string, spec: NewToken): Promise<string> {
  if (!TOKEN_NAME_PATTERN.test(spec.name)) {
    throw new Error(`"${spec.name}" is not a valid name: use 1 to 64 letters, digits, ".", "-" or "_"`);
  }
  if (!ROLES.includes(spec.role)) throw new Error(`unknown role "${spec.role}": use one of ${ROLES.join(', ')}`);
  const languages = spec.languages ?? ['en'];
  for (const l of languages) {
    if (!LANGUAGES.includes(l)) throw new Error(`unknown language "${l}": use ${LANGUAGES.join(' or ')}`);
  }
  if (spec.maxHeld !== undefined && !(Number.isInteger(spec.maxHeld) && spec.maxHeld >= 1 && spec.maxHeld <= 100)) {
    throw new Error(`--max-held must be a whole number from 1 to 100 (enquiries one agent may hold at once), not ${spec.maxHeld}`);
  }
  const token = `cdt_${randomBytes(32).toString('base64url')}`;
  return updateTokens(dataDir, (tokens) => {
    if (tokens.some((t) => t.name === spec.name && !t.revokedAt)) {
      throw new Error(`a token named "${spec.name}" already exists; revoke it first (courtdesk token revoke ${spec.name})`);
    }
    const cap = spec.maxHeld !== undefined ? { maxHeld: spec.maxHeld } : {};
    tokens.push({ name: spec.name, role: spec.role, languages, ...cap, hash: hashToken(token), createdAt: new Date().toISOString() });
    return { result: token, write: true };
  });
}

/** Revokes the live token with that name; returns false when there is none. */
export function revokeToken(dataDir: string, name: string): Promise<boolean> {
  return updateTokens(dataDir, (tokens) => {
    const live = tokens.find((t) => t.name === name && !t.revokedAt);
    if (live) live.revokedAt = new Date().toISOString();
    return { result: live !== undefined, write: live !== undefined };
  });
}

/** Live tokens by their hash: what `authenticate` looks in. */
export type TokenIndex = ReadonlyMap<string, TokenRecord>;

export function indexTokens(tokens: readonly TokenRecord[]): TokenIndex {
  return new Map(tokens.filter((t) => !t.revokedAt).map((t) => [t.hash, t]));
}

/** Finds the live token matching `presented`. Checking every stored hash per request cost 250 µs with 1,000 tokens. */
export function authenticate(index: TokenIndex, presented: string): TokenRecord | null {
  const candidate = hashToken(presented);
  const found = index.get(candidate);
  if (!found) return null;
  return timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(candidate, 'hex')) ? found : null;
}

/** Reads `Authorization: Bearer <token>`; null when absent or malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** How often a broker looks at the token file: a revocation must take effect within a second. */
export const TOKEN_POLL_MS = 250;

/**
 * A change within the file system's timestamp granularity of the last read may leave size, inode
 * (freed inodes are reused) and mtime as they were; while the file is this young its content is
 * compared on every poll (git's "racily clean" rule).
 */
const RACY_MS = 2_000;

/** Keeps the broker's copy of the token file (and of the shared list, if any) current; `onChange` runs after each reload. */
export class TokenWatcher {
  tokens: TokenRecord[] = [];
  index: TokenIndex = new Map();
  /** This node's file's tokens, and the other nodes' by hash (from `shared`). */
  private local: TokenRecord[] = [];
  private readonly others = new Map<string, TokenRecord>();
  private sharedVersion = 0;
  /** The file's tokens are not yet in the shared list (a publish failed or has not run). */
  private unpublished = false;
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  /** The stat of the file when last looked at. */
  private seen = '';
  /** The text the current list was read from; null for no file. */
  private loaded: string | null = null;
  private lastError = '';
  private polling = false;

  constructor(
    private readonly dataDir: string,
    private readonly onChange: () => void,
    private readonly onError: (message: string) => void,
    private readonly shared?: SharedTokens,
  ) {
    this.path = tokensPath(dataDir);
  }

  async start(pollMs = TOKEN_POLL_MS): Promise<void> {
    const text = await readText(this.path);
    this.load(parseTokens(text, this.path), text);
    await this.syncShared().catch((err: Error) => this.onError(`could not share tokens with the other nodes yet: ${err.message}; trying again`));
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.shared?.close();
  }

  /** One look at the file; polls never overlap, so an older read can never land after a newer one. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = await stat(this.path, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const seen = now ? `${now.ino}:${now.size}:${now.mtimeNs}:${now.ctimeNs}` : 'missing';
      const young = now !== null && Date.now() - Number(now.mtimeMs) < RACY_MS;
      let changed = false;
      if (seen !== this.seen || young) {
        this.seen = seen;
        const text = now ? await readText(this.path) : null;
        if (text !== this.loaded) {
          this.load(parseTokens(text, this.path), text);
          changed = true;
        }
      }
      if (this.shared) changed = (await this.syncShared()) || changed;
      this.lastError = '';
      if (changed) this.onChange();
    } catch (err) {
      // Said once per distinct problem, not every poll; the next change is looked at afresh.
      const message = `could not reload tokens: ${(err as Error).message}; keeping the previous list`;
      if (message !== this.lastError) this.onError(message);
      this.lastError = message;
      this.seen = '';
    } finally {
      this.polling = false;
    }
  }

  private load(tokens: TokenRecord[], text: string | null): void {
    this.local = tokens;
    this.loaded = text;
    this.unpublished = this.shared !== undefined;
    this.merge();
  }

  /** Publishes this file's tokens if they changed, then takes the other nodes' changes; true when the list changed. */
  private async syncShared(): Promise<boolean> {
    if (!this.shared) return false;
    if (this.unpublished) {
      await this.shared.publish(this.local);
      this.unpublished = false;
    }
    const { version, tokens } = await this.shared.changesSince(this.sharedVersion);
    this.sharedVersion = version;
    if (tokens.length === 0) return false;
    for (const t of tokens) this.others.set(t.hash, t);
    this.merge();
    return true;
  }

  /** Both lists as one: a token revoked in either is revoked. */
  private merge(): void {
    const byHash = new Map(this.others);
    for (const t of this.local) {
      const other = byHash.get(t.hash);
      byHash.set(t.hash, other?.revokedAt && !t.revokedAt ? { ...t, revokedAt: other.revokedAt } : t);
    }
    this.tokens = [...byHash.values()];
    this.index = indexTokens(this.tokens);
  }
}
