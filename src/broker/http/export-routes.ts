// GET /v1/export?case=305JE126|enquiry=ID&format=json|text|html: a case's or an enquiry's whole
// transcript, for the roles that may export. The broker keeps only recent events in memory, so
// the transcript is drawn from its journal file, up to its last durable record (later ones may
// still be cut back out of the file), exactly as `courtdesk export --data` draws it offline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportSelection, nothingToExport } from '../../domain/transcript.js';
import { recordAccess } from '../access-log.js';
import type { BrokerCore } from '../core.js';
import { transcriptFromJournal } from '../export/from-journal.js';
import { EXPORT_FORMATS, exportHeaders, isExportFormat, renderTranscript } from '../export/render.js';
import type { TokenRecord } from '../tokens.js';
import { HttpError, requireCan } from './respond.js';

export const EXPORT_PATH = '/v1/export';
const PARAMETERS = ['case', 'enquiry', 'format'];

export type ExportRoute = (caller: TokenRecord, req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

/** The route for one broker. Exports run one at a time: each reads the whole journal, and two at once would only hold twice the memory. */
export function exportRoute(core: BrokerCore, dataDir: string): ExportRoute {
  let previous: Promise<unknown> = Promise.resolve();
  return async (caller, req, res, path) => {
    if (path !== EXPORT_PATH) return false;
    if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use GET for this path.', { allow: 'GET' });
    requireCan(caller, 'export');
    const query = new URL(req.url ?? '/', 'http://broker').searchParams;
    const { selection, format } = parseQuery(query);
    const turn = previous.then(() => transcriptFromJournal(dataDir, selection, { throughSeq: core.durableSeq }));
    previous = turn.catch(() => undefined);
    const transcript = await turn;
    if (!transcript) throw new HttpError(404, 'NOT_FOUND', nothingToExport(selection));
    // An export opens every conversation in it: each is recorded, durably, before any is handed over.
    for (const enquiry of transcript.enquiries) await recordAccess(core, { enquiryId: enquiry.id, by: caller.name, role: caller.role, via: 'export' });
    const body = renderTranscript(transcript, format);
    res.writeHead(200, {
      ...exportHeaders(format),
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
    return true;
  };
}

function parseQuery(query: URLSearchParams) {
  for (const name of new Set(query.keys())) {
    if (!PARAMETERS.includes(name)) throw badExport(`unknown parameter "${name}": use case or enquiry, and format.`);
    if (query.getAll(name).length > 1) throw badExport(`"${name}" is given more than once; give it once.`);
  }
  const caseNumber = query.get('case');
  const enquiry = query.get('enquiry');
  if ((caseNumber === null) === (enquiry === null)) throw badExport('Name one case (case=305JE126) or one enquiry (enquiry=ID).');
  const chosen = exportSelection(caseNumber !== null ? { case: caseNumber } : { enquiry: enquiry! });
  if (!chosen.ok) throw new HttpError(400, caseNumber !== null ? 'INVALID_CASE_NUMBER' : 'BAD_EXPORT', chosen.reason);
  const format = query.get('format') ?? 'json';
  if (!isExportFormat(format)) throw badExport(`format must be ${EXPORT_FORMATS.join(', ')} (got "${format}").`);
  return { selection: chosen.selection, format };
}

function badExport(reason: string): HttpError {
  return new HttpError(400, 'BAD_EXPORT', `${reason.charAt(0).toUpperCase()}${reason.slice(1)} See docs/protocol.md, GET /v1/export.`);
}
