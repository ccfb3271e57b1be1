// `courtdesk export --case C | --enquiry ID`: a transcript for disclosure, drawn from a data
// folder's journal (read-only, safe beside a running broker) or from a broker over its API.
import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { transcriptFromJournal } from '../../broker/export/from-journal.js';
import { EXPORT_FORMATS, isExportFormat, renderTranscript, type ExportFormat } from '../../broker/export/render.js';
import { agentSocketUrl, checkToken } from '../../client/endpoint.js';
import { exportSelection, nothingToExport, type TranscriptSelection } from '../../domain/transcript.js';
import { parseTimeout, resolveBrokerLogin, runScripted } from '../broker-command.js';
import { seconds } from '../broker-session.js';
import { EXIT, processIo, ExitError, type Io } from '../script-io.js';

const HELP = `usage: courtdesk export --case CASE | --enquiry ID [--format json|text|html] [--out FILE]
                        [--data DIR | --broker URL --token T]

A transcript of every enquiry ever tagged with the case (one untagged later is included, and
says so), or of one enquiry: who wrote in and on which channel, every message, reply and internal
note, tags, claims, transfers, closes, every court email as sent with its delivery and the
court's answer, in journal order with London times. It ends with the journal seq range and head
hash it was drawn from, so it can be checked against the journal.

  --case CASE       a case number, written any way the tag command takes (305je126, #1712…)
  --enquiry ID      one enquiry
  --format F        json, text (80 columns; the default) or html (one printable page, A4)
  --out FILE        write it to FILE (readable by you alone) instead of stdout
  --data DIR        read the journal in DIR directly: nothing is written, no lock is taken,
                    and a damaged journal is refused
  --broker, --token ask a running broker instead (a supervisor or auditor token)
  --json            the same as --format json
  --timeout-ms N    give up when the broker has not answered within N ms (default 60000)

Exit codes: 0 done; 1 nothing to export, a damaged journal, or the broker refused (its message
on stderr); 2 bad usage; 3 broker unreachable or too slow; 4 token rejected.
`;

const OPTIONS = {
  case: { type: 'string' },
  enquiry: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  data: { type: 'string' },
} as const;

/** A case of thousands of records takes the broker seconds to read, not the 10 s other commands allow. */
const EXPORT_TIMEOUT_MS = 60_000;

export function run(argv: string[], io: Io = processIo()): Promise<number> {
  return runScripted({ name: 'export', help: HELP, argv, io, options: OPTIONS, positionals: [] }, async (script) => {
    const { values } = script;
    const selection = selectionFrom(values.case, values.enquiry);
    const format = formatFrom(values.format, script.json);
    const body =
      values.data !== undefined
        ? await offline(resolve(values.data), selection, format, values.broker !== undefined || values.token !== undefined, io)
        : await fromBroker(brokerLogin(values.broker, values.token, io), selection, format, parseTimeout(values['timeout-ms'], EXPORT_TIMEOUT_MS));
    if (values.out === undefined) {
      io.out(body);
      return;
    }
    await writeOut(values.out, body);
    io.err(`courtdesk export: wrote the ${format} transcript (${Buffer.byteLength(body).toLocaleString('en-GB')} bytes) to ${values.out}\n`);
  });
}

/** A transcript quotes court users: it is theirs and the court's, not everyone's on the machine, even over an older file. */
async function writeOut(file: string, body: string): Promise<void> {
  try {
    await writeFile(file, body, { mode: 0o600 });
    await chmod(file, 0o600);
  } catch (err) {
    throw new ExitError(EXIT.refused, `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the folder exists and you may write there`);
  }
}

function selectionFrom(caseNumber: string | undefined, enquiry: string | undefined): TranscriptSelection {
  if ((caseNumber === undefined) === (enquiry === undefined)) {
    throw new ExitError(EXIT.usage, 'name one case (--case 305JE126) or one enquiry (--enquiry ID); run `courtdesk export --help`.');
  }
  const chosen = exportSelection(caseNumber !== undefined ? { case: caseNumber } : { enquiry: enquiry! });
  if (!chosen.ok) throw new ExitError(EXIT.usage, chosen.reason);
  return chosen.selection;
}

function formatFrom(format: string | undefined, json: boolean): ExportFormat {
  if (format === undefined) return json ? 'json' : 'text';
  if (!isExportFormat(format)) throw new ExitError(EXIT.usage, `--format must be ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(format)}).`);
  if (json && format !== 'json') throw new ExitError(EXIT.usage, `--json asks for JSON but --format asks for ${format}; give one of them.`);
  return format;
}

async function offline(dataDir: string, selection: TranscriptSelection, format: ExportFormat, brokerToo: boolean, io: Io): Promise<string> {
  if (brokerToo) throw new ExitError(EXIT.usage, 'give --data DIR to read a journal directly, or --broker and --token to ask a broker, not both.');
  let transcript;
  try {
    transcript = await transcriptFromJournal(dataDir, selection);
  } catch (err) {
    throw new ExitError(EXIT.refused, (err as Error).message);
  }
  if (!transcript) throw new ExitError(EXIT.refused, nothingToExport(selection));
  for (const note of transcript.source.notes) io.err(`courtdesk export: note: ${note}\n`);
  return renderTranscript(transcript, format);
}

function brokerLogin(broker: string | undefined, token: string | undefined, io: Io): { broker: string; token: string } {
  try {
    return resolveBrokerLogin({ broker, token }, io);
  } catch (err) {
    if (err instanceof ExitError && err.exitCode === EXIT.usage) throw new ExitError(EXIT.usage, `${err.message} Or read a data folder directly with --data DIR.`);
    throw err;
  }
}

async function fromBroker(login: { broker: string; token: string }, selection: TranscriptSelection, format: ExportFormat, timeoutMs: number): Promise<string> {
  let url: URL;
  let token: string;
  try {
    url = exportUrl(login.broker);
    token = checkToken(login.token);
  } catch (err) {
    throw new ExitError(EXIT.usage, (err as Error).message);
  }
  url.search = new URLSearchParams({ ...selection, format }).toString();
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') {
      throw new ExitError(EXIT.unreachable, `the broker at ${login.broker} did not answer within ${seconds(timeoutMs)}; raise --timeout-ms, or export offline with --data`);
    }
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new ExitError(EXIT.unreachable, `cannot reach the broker at ${login.broker}: ${cause} — check the URL and that the broker is running`);
  }
  const body = await res.text();
  if (res.ok) return body;
  const message = errorMessage(body) ?? `HTTP ${res.status}`;
  throw new ExitError(res.status === 401 ? EXIT.token : EXIT.refused, `the broker at ${login.broker} refused the export: ${message}`);
}

/** The broker's base URL as written for the workbench (http, https, ws or wss, maybe /v1/agent), made the export route's. */
function exportUrl(base: string): URL {
  const url = new URL(agentSocketUrl(base));
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = `${url.pathname.replace(/\/v1\/agent$/, '')}/v1/export`;
  return url;
}

function errorMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
