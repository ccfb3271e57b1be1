// Working days in England and Wales: Monday to Friday, less bank holidays. Bank holidays are
// computed from the rules (Easter, "first Monday in May", substitute days...) so any year works,
// with the one-off changes proclaimed since 1978 written down below. Calendar dates are
// 'YYYY-MM-DD' strings; instants become dates on the clock in London, where the courts are.

export interface BankHoliday {
  date: string;
  name: string;
}

/** Royal proclamations that moved a regular bank holiday, by year. */
const MOVED: Record<number, { earlyMay?: string; spring?: string }> = {
  1995: { earlyMay: '1995-05-08' }, // VE Day 50th anniversary
  2002: { spring: '2002-06-04' }, // Golden Jubilee
  2012: { spring: '2012-06-04' }, // Diamond Jubilee
  2020: { earlyMay: '2020-05-08' }, // VE Day 75th anniversary
  2022: { spring: '2022-06-02' }, // Platinum Jubilee
};

/** One-off extra bank holidays. Add new proclamations here. */
const EXTRA: readonly BankHoliday[] = [
  { date: '1981-07-29', name: 'Royal wedding' },
  { date: '1999-12-31', name: 'Millennium celebrations' },
  { date: '2002-06-03', name: 'Golden Jubilee' },
  { date: '2011-04-29', name: 'Royal wedding' },
  { date: '2012-06-05', name: 'Diamond Jubilee' },
  { date: '2022-06-03', name: 'Platinum Jubilee' },
  { date: '2022-09-19', name: 'State Funeral of Queen Elizabeth II' },
  { date: '2023-05-08', name: 'Coronation of King Charles III' },
];

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtc(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a calendar date: expected YYYY-MM-DD`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`"${date}" is not a real date`);
  return ms;
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function ymd(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day);
}

/** Easter Sunday (Gregorian calendar), by the anonymous "Meeus/Jones/Butcher" algorithm. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return fromUtc(ymd(year, month, day));
}

const weekday = (ms: number): number => new Date(ms).getUTCDay();

function firstMonday(year: number, month: number): number {
  const first = ymd(year, month, 1);
  return first + ((8 - weekday(first)) % 7) * DAY_MS;
}

function lastMonday(year: number, month: number): number {
  const last = ymd(year, month + 1, 0);
  return last - ((weekday(last) + 6) % 7) * DAY_MS;
}

/** The bank holidays of England and Wales in a year, in date order (rules in force since 1978). */
export function bankHolidays(year: number): BankHoliday[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`${year} is not a year courtdesk can work with`);
  const list: BankHoliday[] = [];
  const add = (ms: number, name: string) => list.push({ date: fromUtc(ms), name });

  // New Year's Day on a weekend moves to the Monday after.
  const newYear = ymd(year, 1, 1);
  add(newYear + (weekday(newYear) === 6 ? 2 : weekday(newYear) === 0 ? 1 : 0) * DAY_MS, "New Year's Day");

  const easter = toUtc(easterSunday(year));
  add(easter - 2 * DAY_MS, 'Good Friday');
  add(easter + DAY_MS, 'Easter Monday');

  const moved = MOVED[year] ?? {};
  add(moved.earlyMay ? toUtc(moved.earlyMay) : firstMonday(year, 5), 'Early May bank holiday');
  add(moved.spring ? toUtc(moved.spring) : lastMonday(year, 5), 'Spring bank holiday');
  add(lastMonday(year, 8), 'Summer bank holiday');

  // Christmas and Boxing Day falling on a weekend give the next free weekdays instead.
  const christmas = ymd(year, 12, 25);
  const cw = weekday(christmas);
  const christmasMs = christmas + (cw === 6 ? 2 : cw === 0 ? 2 : 0) * DAY_MS;
  const boxing = christmas + DAY_MS;
  const bw = weekday(boxing);
  const boxingMs = boxing + (bw === 6 ? 2 : bw === 0 ? (cw === 6 ? 2 : 1) : 0) * DAY_MS;
  add(christmasMs, 'Christmas Day');
  add(boxingMs, 'Boxing Day');

  for (const extra of EXTRA) if (extra.date.startsWith(`${year}-`)) list.push(extra);
  return list.sort((a, b) => a.date.localeCompare(b.date));
}

const cache = new Map<number, Set<string>>();
function holidaySet(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    set = new Set(bankHolidays(year).map((h) => h.date));
    cache.set(year, set);
  }
  return set;
}

export function isBankHoliday(date: string): boolean {
  toUtc(date);
  return holidaySet(Number(date.slice(0, 4))).has(date);
}

export function isWorkingDay(date: string): boolean {
  const day = weekday(toUtc(date));
  return day !== 0 && day !== 6 && !isBankHoliday(date);
}

// Made on first use: loading time-zone data costs about 7.5 MB, which a workbench that never asks
// for a chase date should not pay at start.
let londonDates: Intl.DateTimeFormat | undefined;

/** The calendar date in London at an instant (an ISO timestamp or a Date). A bare date is returned as is. */
export function londonDate(at: string | Date): string {
  if (typeof at === 'string' && DATE.test(at)) return fromUtc(toUtc(at));
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`"${String(at)}" is not a date or time`);
  londonDates ??= new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
  return londonDates.format(d);
}

/** The date `n` working days after `date` (before it when n is negative); `date` itself never counts. */
export function addWorkingDays(date: string | Date, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`${n} is not a whole number of working days`);
  let ms = toUtc(londonDate(date));
  const step = n < 0 ? -DAY_MS : DAY_MS;
  for (let left = Math.abs(n); left > 0; ) {
    ms += step;
    if (isWorkingDay(fromUtc(ms))) left--;
  }
  return fromUtc(ms);
}

/**
 * Working days after `a` up to and including `b`: so `workingDaysBetween(a, addWorkingDays(a, n))`
 * is n. Negative when b is before a; 0 for the same day.
 */
export function workingDaysBetween(a: string | Date, b: string | Date): number {
  const from = toUtc(londonDate(a));
  const to = toUtc(londonDate(b));
  if (to < from) return -workingDaysBetween(b, a);
  let count = 0;
  for (let ms = from + DAY_MS; ms <= to; ms += DAY_MS) if (isWorkingDay(fromUtc(ms))) count++;
  return count;
}

/** The date an escalation sent at `sentAt` becomes due a chase. */
export function chaseDueOn(sentAt: string | Date, days = 5): string {
  return addWorkingDays(sentAt, days);
}

/** True once `days` full working days have passed since the escalation was sent without an answer. */
export function isDueAChase(sentAt: string | Date, now: string | Date, days = 5): boolean {
  return workingDaysBetween(sentAt, now) >= days;
}
