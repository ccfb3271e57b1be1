// `courtdesk journal verify --heads FILE --public-key PEM`: proves the journal still holds every
// signed head in FILE. Each head's signature must check under the key, and the journal's record
// at its seq must have its hash in its epoch. A journal rewritten and re-chained from some seq on
// verifies on its own, but no longer matches a head signed at or after that seq.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { headSignatureChecks, parseSignedHeadLine, type SignedHead } from './signed-heads.js';
import type { Found } from './verify-scan.js';

/** A reason the heads could not be checked at all: a usage error, not a verdict on the journal. */
export class HeadsUnusable extends Error {}

export interface LoadedHeads {
  file: string;
  keyFile: string;
  key: KeyObject;
  /** Each head and its line number in the file. */
  heads: Array<{ head: SignedHead; line: number }>;
  /** Lines that are not signed heads (a write cut short), skipped. */
  skipped: number[];
}

export async function loadHeads(file: string, keyFile: string): Promise<LoadedHeads> {
  const key = await readPublicKey(keyFile);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new HeadsUnusable(`cannot read the signed heads ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give --heads the signed-heads.ndjson kept for this journal`);
  }
  const heads: LoadedHeads['heads'] = [];
  const skipped: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const head = parseSignedHeadLine(line);
    if (head) heads.push({ head, line: i + 1 });
    else skipped.push(i + 1);
  });
  if (heads.length === 0) throw new HeadsUnusable(`${file} holds no signed heads; give --heads the signed-heads.ndjson kept for this journal`);
  return { file, keyFile, key, heads, skipped };
}

async function readPublicKey(keyFile: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await fs.readFile(keyFile, 'utf8');
  } catch (err) {
    throw new HeadsUnusable(
      `cannot read the public key ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give --public-key the PEM that \`courtdesk journal key\` printed for this broker`,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new HeadsUnusable(`${keyFile} is not a PEM public key; give --public-key the PEM that \`courtdesk journal key\` printed for this broker`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new HeadsUnusable(`${keyFile} is not an Ed25519 public key (it holds a key of type ${key.asymmetricKeyType ?? 'unknown'}); give --public-key the PEM that \`courtdesk journal key\` printed`);
  }
  return key;
}

/** The journal, as far as it verified, that the heads are held against. */
export interface JournalView {
  lastSeq: number;
  /** Every epoch with the seq it starts at, in order. */
  epochs: Array<{ epoch: string; fromSeq: number }>;
  found(seq: number): Found | undefined;
}

export type HeadsProblemKind = 'bad-signature' | 'other-journal' | 'rewritten' | 'lost-records';

export interface HeadsReport {
  file: string;
  count: number;
  /** The highest seq a head names. */
  lastSeq: number;
  /** Heads of records an operator gave up (a journal.epoch-started record says so), and so not held. */
  givenUp: number;
  problem: { kind: HeadsProblemKind; seq: number | null; offset: number | null; message: string } | null;
  warnings: string[];
}

export function checkHeads(loaded: LoadedHeads, journal: JournalView): HeadsReport {
  const { file, keyFile, heads } = loaded;
  const report: HeadsReport = { file, count: heads.length, lastSeq: Math.max(...heads.map((h) => h.head.seq)), givenUp: 0, problem: null, warnings: [] };
  if (loaded.skipped.length > 0) report.warnings.push(`${file}: skipped line(s) ${loaded.skipped.join(', ')}, which are not signed heads (a write cut short?)`);
  const done = (problem: NonNullable<HeadsReport['problem']>): HeadsReport => ({ ...report, problem });

  const forged = heads.find(({ head }) => !headSignatureChecks(head, loaded.key));
  if (forged) {
    return done({
      kind: 'bad-signature',
      seq: forged.head.seq,
      offset: null,
      message: `${file} line ${forged.line} (seq ${forged.head.seq}): its signature does not check with ${keyFile}: the line was altered, or the key is not this broker's; check the key against the one \`courtdesk journal key\` prints and the heads against their other copy`,
    });
  }
  const known = new Set(journal.epochs.map((e) => e.epoch));
  if (!heads.some(({ head }) => known.has(head.epoch))) {
    const theirs = [...new Set(heads.map((h) => h.head.epoch))].join(', ');
    return done({
      kind: 'other-journal',
      seq: null,
      offset: null,
      message: `no head in ${file} is of an epoch this journal has (they are of ${theirs}; the journal's are ${[...known].join(', ')}): either the heads are another journal's (give this journal's), or this journal was replaced wholesale (restore it from a backup that verifies against these heads)`,
    });
  }

  let lastMatching: number | undefined;
  for (const { head } of [...heads].sort((a, b) => a.head.seq - b.head.seq)) {
    if (head.seq > journal.lastSeq && isLatestEpoch(head.epoch, journal)) {
      return done({
        kind: 'lost-records',
        seq: head.seq,
        offset: null,
        message: `signed head at seq ${head.seq} (signed ${head.at}) is beyond the journal's end at seq ${journal.lastSeq}: records were lost from its end (an older backup?); restore a journal that holds seq ${head.seq}`,
      });
    }
    const epochThere = epochAt(journal, head.seq);
    if (epochThere !== head.epoch && givenUpBy(head, journal)) {
      report.givenUp++;
      continue;
    }
    const record = journal.found(head.seq);
    if (epochThere === head.epoch && record?.hash === head.hash) {
      lastMatching = head.seq;
      continue;
    }
    const has = record ? `hash ${record.hash}${epochThere === head.epoch ? '' : ` in epoch ${epochThere}`}` : 'no record';
    return done({
      kind: 'rewritten',
      seq: head.seq,
      offset: record?.offset ?? null,
      message:
        `signed head at seq ${head.seq} says hash ${head.hash} in epoch ${head.epoch}, the journal has ${has} there: the journal was rewritten from seq ≤ ${head.seq}` +
        `${lastMatching ? ` (after seq ${lastMatching}, whose signed head it still holds)` : ''}; restore it from a backup that verifies against these heads`,
    });
  }
  if (report.givenUp > 0) {
    report.warnings.push(`${report.givenUp} signed head(s) are of records an operator gave up, as the journal's journal.epoch-started record(s) say; they cannot be checked`);
  }
  return report;
}

function epochAt(journal: JournalView, seq: number): string | undefined {
  let epoch: string | undefined;
  for (const e of journal.epochs) if (e.fromSeq <= seq) epoch = e.epoch;
  return epoch;
}

function isLatestEpoch(epoch: string, journal: JournalView): boolean {
  return journal.epochs[journal.epochs.length - 1]?.epoch === epoch;
}

/** A head of an earlier epoch at or past the seq where the next epoch began: a recorded cut dropped it. */
function givenUpBy(head: SignedHead, journal: JournalView): boolean {
  const i = journal.epochs.findIndex((e) => e.epoch === head.epoch);
  const next = i === -1 ? undefined : journal.epochs[i + 1];
  return next !== undefined && head.seq >= next.fromSeq;
}
