// Access tokens. Only a SHA-256 of each token is stored (tokens are 256 random bits, so a slow
// hash adds nothing); lookups hash the presented token, find the stored hash by value and confirm
// it with a constant-time comparison. Looking a hash up by value leaks nothing useful: nobody can
// choose a token whose hash shares a prefix with a stored one. The file is rewritten atomically so
// a running broker can watch it for revocations.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { watchFile, unwatchFile } from 'node:fs';
import { join } from 'node:path';
import type { Language, Role } from '../domain/events.js';
import { LANGUAGES, ROLES } from '../domain/events.js';

export interface TokenRecord {
  name: string;
  role: Role;
  languages: Language[];
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
  let text: string;
  try {
    text = await readFile(tokensPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = JSON.parse(text) as TokenFile;
  if (parsed.version !== 1 || !Array.isArray(parsed.tokens)) {
    throw new Error(`${tokensPath(dataDir)} is not a courtdesk token file; restore it from backup or remove it and add tokens again`);
  }
  return parsed.tokens;
}

async function writeTokens(dataDir: string, tokens: TokenRecord[]): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = tokensPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  const body: TokenFile = { version: 1, tokens };
  await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewToken {
  name: string;
  role: Role;
  languages?: Language[];
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
  const tokens = await readTokens(dataDir);
  if (tokens.some((t) => t.name === spec.name && !t.revokedAt)) {
    throw new Error(`a token named "${spec.name}" already exists; revoke it first (courtdesk token revoke ${spec.name})`);
  }
  const token = `cdt_${randomBytes(32).toString('base64url')}`;
  tokens.push({ name: spec.name, role: spec.role, languages, hash: hashToken(token), createdAt: new Date().toISOString() });
  await writeTokens(dataDir, tokens);
  return token;
}

/** Revokes the live token with that name; returns false when there is none. */
export async function revokeToken(dataDir: string, name: string): Promise<boolean> {
  const tokens = await readTokens(dataDir);
  const live = tokens.find((t) => t.name === name && !t.revokedAt);
  if (!live) return false;
  live.revokedAt = new Date().toISOString();
  await writeTokens(dataDir, tokens);
  return true;
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

/** Keeps the broker's copy of the token file current; `onChange` runs after each reload. */
export class TokenWatcher {
  tokens: TokenRecord[] = [];
  index: TokenIndex = new Map();
  private readonly path: string;

  constructor(
    private readonly dataDir: string,
    private readonly onChange: () => void,
    private readonly onError: (message: string) => void,
  ) {
    this.path = tokensPath(dataDir);
  }

  async start(pollMs = 500): Promise<void> {
    this.load(await readTokens(this.dataDir));
    // watchFile polls stat, which survives the rename that replaces the file on every change.
    watchFile(this.path, { interval: pollMs, persistent: false }, () => void this.reload());
  }

  async reload(): Promise<void> {
    try {
      this.load(await readTokens(this.dataDir));
      this.onChange();
    } catch (err) {
      this.onError(`could not reload tokens: ${(err as Error).message}; keeping the previous list`);
    }
  }

  stop(): void {
    unwatchFile(this.path);
  }

  private load(tokens: TokenRecord[]): void {
    this.tokens = tokens;
    this.index = indexTokens(tokens);
  }
}
