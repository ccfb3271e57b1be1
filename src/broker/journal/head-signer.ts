// The broker's signer: signs the journal's durable head every `every` events, every `intervalMs`
// if the head moved, and at a clean stop (format in signed-heads.ts), and hands each signed line
// to DATA/signed-heads.ndjson and to the operator's second places (a file on another volume, a
// witness over HTTP). None of this may stop or slow the broker: a place that fails keeps its
// lines in order and is tried again later, and failures are logged once per outage.
import type { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { syncDirectory } from './file-ops.js';
import { SIGNED_HEADS_FILE, signedHeadLine, signHead, signingKey, type JournalHead } from './signed-heads.js';

export interface HeadSignerOptions {
  dir: string;
  /** Durable events after which the head is signed; 0: not by count. */
  every: number;
  /** How often the head is signed if it moved since the last one; 0: not by time. */
  intervalMs: number;
  /** A second file the same lines are appended to (another volume). */
  copyPath?: string;
  /** A witness each line is POSTed to, as JSON. */
  url?: string;
  log: (line: string) => void;
}

/** Lines a place that keeps failing holds before dropping its oldest (weeks of heads at the defaults). */
const MAX_PENDING = 10_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
const POST_TIMEOUT_MS = 10_000;
/** How long a clean stop waits for its last head to reach the witness. */
const CLOSE_POST_MS = 2000;

/** Refuses a witness address that could not work, before the broker starts. */
export function checkHeadsUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new Error('--heads-url must be an http:// or https:// URL (COURTDESK_HEADS_URL)');
  }
  if (parsed.username || parsed.password) throw new Error('--heads-url may not hold a user name or password; put the witness behind its own authentication');
}

export class HeadSigner {
  private latest: JournalHead;
  private signedSeq: number;
  private readonly places: Place[];
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly key: KeyObject,
    private readonly options: HeadSignerOptions,
    head: JournalHead,
  ) {
    this.latest = head;
    // The journal as found at start needs no head of its own: the next one covers it through the chain.
    this.signedSeq = head.seq;
    const { dir, copyPath, url, log } = options;
    this.places = [
      new Place(join(dir, SIGNED_HEADS_FILE), (line) => appendLine(join(dir, SIGNED_HEADS_FILE), line), log),
      ...(copyPath ? [new Place(copyPath, (line) => appendLine(copyPath, line), log)] : []),
      // A witness may hang; a clean stop waits for it only so long.
      ...(url ? [new Place(`the witness at ${describeUrl(url)}`, (line, ms) => post(url, line, ms), log, CLOSE_POST_MS)] : []),
    ];
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => {
        if (this.latest.seq !== this.signedSeq) this.sign(this.latest);
      }, options.intervalMs);
      this.timer.unref();
    }
  }

  /** A signer for the folder's key, or undefined (logged) when there is no usable key: the broker runs on unsigned. */
  static async start(options: HeadSignerOptions, head: JournalHead): Promise<HeadSigner | undefined> {
    try {
      return new HeadSigner(await signingKey(options.dir, options.log), options, head);
    } catch (err) {
      options.log(`warning: journal heads are not being signed: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The durable head after a group commit. */
  committed(head: JournalHead): void {
    this.latest = head;
    if (this.options.every > 0 && head.seq - this.signedSeq >= this.options.every) this.sign(head);
  }

  /** Signs `head` (the journal's last, once it is closed) and gives every place its lines a last chance; undefined: sign nothing. */
  async close(head: JournalHead | undefined): Promise<void> {
    clearInterval(this.timer);
    if (head && head.seq > 0) this.sign(head);
    await Promise.all(this.places.map((p) => p.close()));
  }

  private sign(head: JournalHead): void {
    let line: string;
    try {
      line = signedHeadLine(signHead(head, this.key, new Date()));
    } catch (err) {
      this.options.log(`warning: could not sign the journal head at seq ${head.seq} (${(err as Error).message}); trying again with the next one`);
      return;
    }
    this.signedSeq = head.seq;
    for (const place of this.places) place.add(line);
  }
}

/** One place signed heads go: its lines in order, each tried until it is taken. */
class Place {
  private readonly pending: string[] = [];
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private delay = FIRST_RETRY_MS;
  private failing = false;
  private dropping = false;
  private closed = false;

  /** `closeWithinMs`: how long a clean stop waits for this place; unbounded for files, like the journal itself. */
  constructor(
    private readonly name: string,
    private readonly send: (line: string, timeoutMs: number) => Promise<void>,
    private readonly log: (line: string) => void,
    private readonly closeWithinMs = Infinity,
  ) {}

  add(line: string): void {
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      if (!this.dropping) this.log(`warning: ${this.name} has not taken a signed head for ${MAX_PENDING} heads; dropping the oldest waiting from now on`);
      this.dropping = true;
    }
    this.pending.push(line);
    if (!this.retry) void this.drain();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    const bound = Math.min(this.closeWithinMs, POST_TIMEOUT_MS);
    const last = (async () => {
      await this.running;
      await this.drain(bound);
    })();
    if (Number.isFinite(this.closeWithinMs)) await Promise.race([last, sleep(this.closeWithinMs, undefined, { ref: false })]);
    else await last;
    if (this.pending.length > 0) this.log(`warning: ${this.name} did not take ${this.pending.length} signed head(s) before the broker stopped; every head is in ${SIGNED_HEADS_FILE}`);
  }

  private drain(timeoutMs = POST_TIMEOUT_MS): Promise<void> {
    this.running ??= (async () => {
      while (this.pending.length > 0) {
        try {
          await this.send(this.pending[0]!, timeoutMs);
        } catch (err) {
          this.failed(err as Error);
          return;
        }
        this.pending.shift();
        if (this.failing) this.log(`${this.name} takes signed heads again`);
        this.failing = this.dropping = false;
        this.delay = FIRST_RETRY_MS;
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private failed(err: Error): void {
    if (!this.failing) this.log(`warning: could not write a signed head to ${this.name} (${describeError(err)}); trying again, its heads kept in order meanwhile`);
    this.failing = true;
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.drain();
    }, this.delay);
    this.retry.unref();
    this.delay = Math.min(this.delay * 2, MAX_RETRY_MS);
  }
}

/** Appends one line and fsyncs it; a line left without its newline by an earlier failed write is closed off first. */
async function appendLine(file: string, line: string): Promise<void> {
  const existed = await fs.stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  const handle = await fs.open(file, 'a+', 0o600);
  try {
    let prefix = '';
    if (existed) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, existed - 1);
      if (last[0] !== 10) prefix = '\n';
    }
    await handle.write(`${prefix}${line}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (existed === undefined) await syncDirectory(dirname(file));
}

async function post(url: string, line: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: line, signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`it answered HTTP ${res.status}`);
}

/** The witness without its query, which may carry a credential. */
function describeUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

/** What went wrong, without echoing anything sent: fetch puts the real cause one level down. */
function describeError(err: Error): string {
  if (err.name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.message ?? cause?.code ?? err.message;
}
