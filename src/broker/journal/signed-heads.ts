// Signed heads: now and then the broker signs where its journal has got to, so that a journal
// rewritten and re-chained from any earlier point (which its hash chain alone cannot show) no
// longer matches a head kept somewhere the rewriter could not reach.
//
// DATA/signed-heads.ndjson, one line per signed head (and the same lines in --heads-copy and to
// --heads-url):
//   {"epoch":"<uuid>","seq":N,"hash":"<64 hex>","at":"<ISO-8601>","sig":"<base64>"}
// epoch, seq and hash name a journal record (the epoch in force at that seq); at is when it was
// signed. sig is the Ed25519 signature (RFC 8032, no pre-hash) of the UTF-8 bytes of
//   "courtdesk-head v1\n" + epoch + "\n" + seq + "\n" + hash + "\n" + at + "\n"
// (seq in plain decimal), under the key pair in DATA/journal-signing.key (PKCS#8 PEM, 0600) and
// DATA/journal-signing.pub (SPKI PEM). No field may hold a newline, so the bytes are unambiguous
// and anyone can rebuild them with printf and check them with openssl (docs/records.md).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { syncDirectory } from './file-ops.js';

export const SIGNED_HEADS_FILE = 'signed-heads.ndjson';
export const SIGNING_KEY_FILE = 'journal-signing.key';
export const PUBLIC_KEY_FILE = 'journal-signing.pub';

export interface JournalHead {
  epoch: string;
  seq: number;
  hash: string;
}

export interface SignedHead extends JournalHead {
  at: string;
  sig: string;
}

/** The exact bytes a head's signature covers. */
export function headMessage(head: JournalHead & { at: string }): Buffer {
  return Buffer.from(`courtdesk-head v1\n${head.epoch}\n${head.seq}\n${head.hash}\n${head.at}\n`, 'utf8');
}

export function signHead(head: JournalHead, privateKey: KeyObject, at: Date): SignedHead {
  const unsigned = { epoch: head.epoch, seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...unsigned, sig: sign(null, headMessage(unsigned), privateKey).toString('base64') };
}

/** False for a wrong signature and for one of the wrong length alike. */
export function headSignatureChecks(head: SignedHead, publicKey: KeyObject): boolean {
  return verify(null, headMessage(head), publicKey, Buffer.from(head.sig, 'base64'));
}

/** The line for the heads files (without its newline), members in a fixed order. */
export function signedHeadLine(head: SignedHead): string {
  return JSON.stringify({ epoch: head.epoch, seq: head.seq, hash: head.hash, at: head.at, sig: head.sig });
}

const ONE_LINE = /^[^\n]+$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The signed head on a line, if it has the shape of one (signature unchecked). */
export function parseSignedHeadLine(line: string): SignedHead | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const h = (value ?? {}) as Record<string, unknown>;
  const ok =
    typeof h.epoch === 'string' &&
    ONE_LINE.test(h.epoch) &&
    Number.isSafeInteger(h.seq) &&
    (h.seq as number) > 0 &&
    typeof h.hash === 'string' &&
    HEX_HASH.test(h.hash) &&
    typeof h.at === 'string' &&
    ONE_LINE.test(h.at) &&
    typeof h.sig === 'string' &&
    BASE64.test(h.sig);
  return ok ? { epoch: h.epoch as string, seq: h.seq as number, hash: h.hash as string, at: h.at as string, sig: h.sig as string } : undefined;
}

/**
 * The folder's signing key, made on first use: a fresh Ed25519 pair, each half written to a temp
 * file that is fsynced and renamed into place, then the folder fsynced, so a crash leaves either
 * no key or a whole one. Only the broker holding the journal's lock calls this. The public half
 * is written again if it is missing or is not the private key's.
 */
export async function signingKey(dir: string, log: (line: string) => void): Promise<KeyObject> {
  const keyFile = join(dir, SIGNING_KEY_FILE);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await fs.readFile(keyFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${keyFile} is not a readable private key (${(err as Error).message}); move it aside and restart to make a new key pair`);
    }
    privateKey = generateKeyPairSync('ed25519').privateKey;
    await writeDurably(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    log(`journal: made the signing key pair ${keyFile} and ${join(dir, PUBLIC_KEY_FILE)}; keep a copy of the public key away from this machine`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${keyFile} is not an Ed25519 key (it holds a key of type ${privateKey.asymmetricKeyType}); move it aside and restart to make a new key pair`);
  const publicPem = publicKeyPem(privateKey);
  const pubFile = join(dir, PUBLIC_KEY_FILE);
  const onDisk = await fs.readFile(pubFile, 'utf8').catch(() => undefined);
  if (onDisk !== publicPem) {
    if (onDisk !== undefined) log(`warning: ${pubFile} was not the public half of ${keyFile}; wrote the right one`);
    await writeDurably(pubFile, publicPem, 0o644);
  }
  return privateKey;
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string;
}

async function writeDurably(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(temp, 'w', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await syncDirectory(join(file, '..'));
}
