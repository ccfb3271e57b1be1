// GET /v1/stats[?since=ISO]: the wallboard's figures for scripts and reports (`courtdesk stats`),
// made by the same domain code as the wallboard; the period is today in London unless `since` says.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { londonMidnight } from '../../domain/centre-figures.js';
import type { TokenRecord } from '../tokens.js';
import type { WallboardFeed } from '../wallboard-feed.js';
import { HttpError, requireCan, requireMethod, sendJson } from './respond.js';

export const STATS_PATH = '/v1/stats';

/** Handles the request if it is for the figures; returns false when the path is not it. */
export function handleStats(wallboard: WallboardFeed, caller: TokenRecord, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path !== STATS_PATH) return false;
  requireMethod(req, 'GET');
  requireCan(caller, 'read-wallboard');
  const params = new URL(req.url ?? '/', 'http://broker').searchParams;
  for (const name of params.keys()) {
    if (name !== 'since') throw new HttpError(400, 'BAD_QUERY', `Unknown parameter "${name}"; the figures take only since (an ISO time).`);
  }
  const now = new Date();
  const since = sinceOf(params.get('since'), now);
  sendJson(res, 200, wallboard.figures(now, since), { 'cache-control': 'no-store' });
  return true;
}

function sinceOf(text: string | null, now: Date): string | undefined {
  if (text === null) return undefined;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) || Number.isNaN(ms)) {
    throw new HttpError(400, 'BAD_QUERY', `since must be an ISO date or time, such as 2026-12-01 or 2026-12-01T09:00:00Z (got "${text}").`);
  }
  // A bare date is a London day, as the wallboard's today is.
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return checkedPast(londonMidnight(text), text, now);
  return checkedPast(new Date(ms).toISOString(), text, now);
}

function checkedPast(since: string, text: string, now: Date): string {
  if (Date.parse(since) > now.getTime()) throw new HttpError(400, 'BAD_QUERY', `since (${text}) is in the future: give a time before now.`);
  return since;
}
