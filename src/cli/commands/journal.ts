// `courtdesk journal verify|key`: checks a data folder's journal (read-only, safe beside a running
// broker or on a backup) and prints the public key its signed heads are checked with.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLIC_KEY_FILE, publicKeyPem, SIGNING_KEY_FILE } from '../../broker/journal/signed-heads.js';
import { CannotVerify, verifyJournal, type VerifyReport } from '../../broker/journal/verify.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage:
  courtdesk journal verify [--data DIR] [--json] [--heads FILE --public-key PEMFILE]
  courtdesk journal key [--data DIR]

verify   reads DIR/journal.ndjson end to end without changing anything (safe on a running broker's
         folder or on a backup): every record in its place in the seq order and the hash chain,
         and the checkpoint if there is one. Prints the events, seqs, head hash, epochs and time
         span. With --heads (a signed-heads.ndjson, best the copy kept away from this machine) and
         --public-key (the PEM \`journal key\` printed), it also proves the journal still holds every
         signed head: a journal rewritten from an earlier point fails here. --json prints one object.
         Exit 0: it verifies; 1: it does not (the first bad seq, its byte and what is wrong are
         printed); 2: it could not be checked as asked.
key      prints the public key (PEM) the broker signs its journal heads with. Keep a copy of it
         away from this machine: docs/records.md.
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    'journal',
    argv,
    { data: { type: 'string' }, json: { type: 'boolean' }, heads: { type: 'string' }, 'public-key': { type: 'string' } },
    { positionals: true },
  );
  if (!flags.ok) return fail('journal', flags.message, 2);
  const { values, positionals } = flags;
  const [action, extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (extra !== undefined) return fail('journal', `unexpected "${extra}". Run \`courtdesk journal --help\`.`, 2);
  const dataDir = dataDirFrom(values.data);
  switch (action) {
    case 'verify':
      return verify(dataDir, values);
    case 'key':
      return printKey(dataDir);
    default:
      return fail('journal', `unknown action "${action}": use verify or key`, 2);
  }
}

async function verify(dataDir: string, values: { json?: boolean; heads?: string; 'public-key'?: string }): Promise<number> {
  const headsFile = values.heads;
  const keyFile = values['public-key'];
  if ((headsFile === undefined) !== (keyFile === undefined)) {
    return fail('journal', '--heads and --public-key go together: give the signed heads and the public key they are signed with', 2);
  }
  let report: VerifyReport;
  try {
    report = await verifyJournal(dataDir, headsFile && keyFile ? { heads: { file: headsFile, publicKeyFile: keyFile } } : {});
  } catch (err) {
    if (err instanceof CannotVerify) return fail('journal', err.message, 2);
    throw err;
  }
  for (const w of report.warnings) process.stderr.write(`courtdesk journal: warning: ${w}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : describe(report));
  if (report.problem) {
    process.stderr.write(`courtdesk journal: ${report.file}: ${report.problem.message}\n`);
    const headsProblem = report.heads?.problem;
    if (headsProblem && headsProblem !== report.problem) process.stderr.write(`courtdesk journal: also: ${headsProblem.message}\n`);
    return 1;
  }
  return 0;
}

function describe(r: VerifyReport): string {
  const lines = [`journal     ${r.file} (${r.bytes.toLocaleString('en-GB')} bytes${r.journal ? `, journal ${r.journal}` : ''})`];
  lines.push(`events      ${r.events.toLocaleString('en-GB')}${r.firstSeq === null ? '' : ` (seq ${r.firstSeq} to ${r.lastSeq})`}${r.problem ? ', verified before the problem below' : ''}`);
  if (r.headHash) lines.push(`head        seq ${r.lastSeq}, hash ${r.headHash}`);
  r.epochs.forEach((e, i) => lines.push(`${i === 0 ? 'epochs' : ''}`.padEnd(12) + `${e.epoch} from seq ${e.fromSeq}${i === 0 ? '' : ' (journal.epoch-started)'}`));
  if (r.firstAt) lines.push(`time span   ${r.firstAt} to ${r.lastAt}`);
  if (r.checkpoint) lines.push(`checkpoint  ${r.checkpoint.seq === null ? r.checkpoint.file : `seq ${r.checkpoint.seq} at byte ${r.checkpoint.offset}`}: ${r.checkpoint.ok ? 'checks out' : 'does not check out (warning above)'}`);
  if (r.heads) {
    const held = r.heads.problem ? 'NOT all held (below)' : `all held by this journal${r.heads.givenUp ? ` but ${r.heads.givenUp} given up by an operator` : ''}`;
    lines.push(`signed heads ${r.heads.file}: ${r.heads.count} up to seq ${r.heads.lastSeq}, ${held}`);
  }
  lines.push(r.problem ? `NOT OK: ${r.problem.kind}` : 'ok: the journal verifies');
  return `${lines.join('\n')}\n`;
}

/** The public half of the broker's signing key: derived from the private key where it can be read, which is what the broker signs with. */
async function printKey(dataDir: string): Promise<number> {
  const keyFile = join(dataDir, SIGNING_KEY_FILE);
  const pubFile = join(dataDir, PUBLIC_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = publicKeyPem(createPrivateKey(await readFile(keyFile, 'utf8')));
  } catch {
    const text = await readFile(pubFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        pem = createPublicKey(text).export({ type: 'spki', format: 'pem' }) as string;
      } catch {
        return fail('journal', `${pubFile} is not a public key, and ${keyFile} cannot be read; start the broker once to write it again`);
      }
    }
  }
  if (pem === undefined) return fail('journal', `no signing key in ${dataDir}: a broker makes its key pair at its first start (courtdesk broker --data ${dataDir})`);
  process.stdout.write(pem);
  return 0;
}
