// Which enquiries a retention rule removes the personal content of, and how the rule is written.
// Pure: the broker records the decision as a retention.applied event and destroys the keys.
import type { State } from './enquiry.js';
import { londonDate } from './working-days.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERIOD = /^(\d{1,3})([ymd])$/;

export type RetentionDate = { ok: true; date: string } | { ok: false; message: string };

/** Checks a `--closed-before` date: a real London date, not after today. */
export function checkClosedBefore(text: string, now: Date): RetentionDate {
  if (!DATE.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`)) || new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text) {
    return { ok: false, message: `"${text}" is not a date: give --closed-before as YYYY-MM-DD, e.g. 2020-12-02` };
  }
  const today = londonDate(now);
  if (text > today) return { ok: false, message: `${text} is in the future (today is ${today} in London): retention removes what was closed before a past date` };
  return { ok: true, date: text };
}

/** The date a period such as `6y`, `18m` or `90d` before today reaches; throws saying what is wrong. */
export function closedBeforeFor(period: string, now: Date): string {
  const match = PERIOD.exec(period.trim());
  if (!match) throw new Error(`"${period}" is not a retention period: write a number and y, m or d, e.g. 6y, 18m, 90d`);
  const n = Number(match[1]);
  const [y, m, d] = londonDate(now).split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  if (match[2] === 'y') at.setUTCFullYear(at.getUTCFullYear() - n);
  else if (match[2] === 'm') at.setUTCMonth(at.getUTCMonth() - n);
  else at.setUTCDate(at.getUTCDate() - n);
  return at.toISOString().slice(0, 10);
}

/** Enquiries closed (by London date) before `closedBefore` whose content is still there, oldest first. */
export function dueForRemoval(state: State, closedBefore: string): string[] {
  const due: Array<{ id: string; closedAt: string }> = [];
  for (const e of state.enquiries.values()) {
    if (e.status === 'closed' && e.closedAt && !e.contentRemovedOn && londonDate(e.closedAt) < closedBefore) due.push({ id: e.id, closedAt: e.closedAt });
  }
  return due.sort((a, b) => (a.closedAt < b.closedAt ? -1 : 1)).map((d) => d.id);
}
